import pytest

from tests.factories import ConstituencyFactory, PetitionFactory, PostcodeFallbackFactory


@pytest.fixture
def seats(db):
    """Three constituencies, each with a postcode that resolves offline."""
    found = {}
    for number, postcode in enumerate(["ZA1 1AA", "ZA2 1AA", "ZA3 1AA"], start=1):
        seat = ConstituencyFactory(ons_code=f"E1400000{number}", name=f"Testford {number}")
        PostcodeFallbackFactory(
            code=postcode, constituency_code=seat.ons_code, constituency_name=seat.name
        )
        found[postcode] = seat
    return found


@pytest.fixture
def petition(db):
    return PetitionFactory()


@pytest.fixture(autouse=True)
def _no_outside_lookups(settings):
    """Any postcode not in the local table would go to a closed port, never the internet."""
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2
