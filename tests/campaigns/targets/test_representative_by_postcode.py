"""`GET /api/v1/representatives/?postcode=`: a supporter's MP from their postcode, through
postcodes.io (a recorded sample served on 127.0.0.1)."""

import json
from pathlib import Path

import pytest

from tests.factories import ConstituencyFactory, RepresentativeFactory
from volunteers.places import InvalidPostcode, LookupUnavailable, PostcodeNotFound

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "postcodes_io"
URL = "/api/v1/representatives/"


def sample(name):
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture
def postcodes_io(fake_web, settings):
    settings.POSTCODES_IO_URL = fake_web.url
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.3
    fake_web.add("/postcodes/SW1A1AA", json=sample("sw1a_1aa.json"))
    return fake_web


def test_postcode_gives_that_constituencys_mp(client, postcodes_io):
    seat = ConstituencyFactory(ons_code="E14001172", name="Cities of London and Westminster")
    mp = RepresentativeFactory(constituency=seat)
    RepresentativeFactory()

    body = client.get(URL, {"postcode": " sw1a1aa "}).json()

    assert [r["id"] for r in body["results"]] == [mp.pk]


def test_constituency_without_an_ons_code_is_matched_by_name(client, postcodes_io):
    seat = ConstituencyFactory(ons_code=None, name="Cities of London and Westminster")
    mp = RepresentativeFactory(constituency=seat)

    body = client.get(URL, {"postcode": "SW1A 1AA"}).json()

    assert [r["id"] for r in body["results"]] == [mp.pk]


def test_each_failure_has_its_own_message(client, postcodes_io):
    postcodes_io.add("/postcodes/SW99ZZ", status=404, json=sample("not_found.json"))
    postcodes_io.add("/postcodes/SW1A2AA", json={}, delay=2)

    invalid = client.get(URL, {"postcode": "not a postcode"})
    unknown = client.get(URL, {"postcode": "SW9 9ZZ"})
    unavailable = client.get(URL, {"postcode": "SW1A 2AA"})

    assert invalid.status_code == unknown.status_code == 400
    assert invalid.json()["fields"]["postcode"] == [InvalidPostcode.message]
    assert unknown.json()["fields"]["postcode"] == [PostcodeNotFound.message]
    assert unavailable.status_code == 503
    assert unavailable.json()["detail"] == LookupUnavailable.message
