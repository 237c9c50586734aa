import pytest

from tests.factories import (
    ConstituencyFactory,
    LetterCampaignFactory,
    PostcodeFallbackFactory,
    RepresentativeFactory,
)


@pytest.fixture(autouse=True)
def _no_outside_lookups(settings):
    """Any postcode not in the local table would go to a closed port, never the internet."""
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2
    settings.LETTER_FROM_EMAIL = "letters@groundswell.example"


@pytest.fixture
def seats(db):
    """Three constituencies with a current MP each, and a postcode in each that resolves
    offline: ZA1 1AA, ZA2 1AA, ZA3 1AA."""
    found = {}
    for number in (1, 2, 3):
        seat = ConstituencyFactory(ons_code=f"E1400000{number}", name=f"Testford {number}")
        PostcodeFallbackFactory(
            code=f"ZA{number} 1AA", constituency_code=seat.ons_code, constituency_name=seat.name
        )
        found[f"ZA{number} 1AA"] = RepresentativeFactory(
            constituency=seat, name=f"Ms MP {number}", address_as=f"Ms MP{number}"
        )
    return found


@pytest.fixture
def letter_campaign(db):
    return LetterCampaignFactory()
