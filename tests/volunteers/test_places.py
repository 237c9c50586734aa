"""Postcodes: normalisation, and look-up through postcodes.io (a real HTTP server standing
in for it, answering with recorded samples) and the local fallback table."""

import json
import socket
from pathlib import Path

import pytest

from tests.harness.fake_web import Route
from volunteers.models import PostcodeFallback
from volunteers.places import (
    InvalidPostcode,
    LookupUnavailable,
    NoConstituency,
    Place,
    PlaceError,
    PostcodeNotFound,
    normalise_outcode,
    normalise_postcode,
    place_for_postcode,
)

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "postcodes_io"
SW1A_1AA_PATH = "/postcodes/SW1A1AA"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture
def postcodes_io(fake_web, settings):
    """fake_web standing in for postcodes.io, with a short timeout."""
    settings.POSTCODES_IO_URL = fake_web.url
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.3
    return fake_web


def unused_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


WESTMINSTER = Place(
    postcode="SW1A 1AA",
    constituency_code="E14001172",
    constituency_name="Cities of London and Westminster",
    region="London",
    latitude=51.501009,
    longitude=-0.141588,
    source="postcodes.io",
)


# Normalisation


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a 1aa", "SW1A 1AA"),
        ("SW1A1AA", "SW1A 1AA"),
        ("  sw1a   1aa  ", "SW1A 1AA"),
        ("s w1a 1 aa", "SW1A 1AA"),
        ("sw1a\u00a01aa", "SW1A 1AA"),  # a non-breaking space pasted from a web page
        ("m11ae", "M1 1AE"),
        ("b33 8th", "B33 8TH"),
        ("w1a 0ax", "W1A 0AX"),
        ("cr26xh", "CR2 6XH"),
        ("dn55 1pt", "DN55 1PT"),
        ("ec1a 1bb", "EC1A 1BB"),
        ("gir 0aa", "GIR 0AA"),
    ],
)
def test_postcodes_in_any_case_and_spacing_become_canonical(raw, canonical):
    assert normalise_postcode(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "SW1A",  # an outcode alone
        "1AA",
        "SW1A 1AAA",
        "SW1A-1AA",
        "SW1A 1CA",  # C is never used in the inward code
        "QW1A 1AA",  # nor Q as the first letter
        "SZ1 1AA",  # nor Z as the second
        "12345",
        "SW1A 1AA SW1A 1AA",
        "SW1A" + " " * 30 + "1AA",
        "\uff33\uff37\uff11\uff21 \uff11\uff21\uff21",  # SW1A 1AA in full-width letters
    ],
)
def test_other_strings_are_not_postcodes(raw):
    with pytest.raises(InvalidPostcode) as error:
        normalise_postcode(raw)

    assert error.value.message == InvalidPostcode.message
    assert str(error.value) == InvalidPostcode.message


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("sw1a", "SW1A"), (" m1 ", "M1"), ("dn55", "DN55"), ("w1a", "W1A"), ("ZA1", "ZA1")],
)
def test_outcodes_become_canonical(raw, canonical):
    assert normalise_outcode(raw) == canonical


@pytest.mark.parametrize("raw", ["", "SW1A 1AA", "1AA", "SWA1", "QA1"])
def test_other_strings_are_not_outcodes(raw):
    with pytest.raises(InvalidPostcode):
        normalise_outcode(raw)


def test_each_kind_of_failure_has_its_own_message():
    errors = [PlaceError, InvalidPostcode, PostcodeNotFound, NoConstituency, LookupUnavailable]

    messages = [error().message for error in errors]

    assert len(set(messages)) == len(errors)
    assert all(issubclass(error, PlaceError) for error in errors)


# Look-up through postcodes.io


@pytest.mark.django_db
def test_postcodes_io_answer_gives_the_place_with_2024_constituency(postcodes_io):
    postcodes_io.add(SW1A_1AA_PATH, json=sample("sw1a_1aa.json"))

    place = place_for_postcode("sw1a1aa")

    assert place == WESTMINSTER
    assert [(method, path) for method, path, *_ in postcodes_io.requests] == [
        ("GET", SW1A_1AA_PATH)
    ]


@pytest.mark.django_db
def test_answer_without_2024_fields_gives_the_constituency_it_has(postcodes_io):
    answer = sample("sw1a_1aa.json")
    del answer["result"]["parliamentary_constituency_2024"]
    del answer["result"]["codes"]["parliamentary_constituency_2024"]
    postcodes_io.add(SW1A_1AA_PATH, json=answer)

    place = place_for_postcode("SW1A 1AA")

    assert (place.constituency_code, place.constituency_name) == (
        "E14000639",
        "Cities of London and Westminster",
    )


@pytest.mark.django_db
def test_nation_stands_in_for_region_outside_england(postcodes_io):
    answer = sample("sw1a_1aa.json")
    answer["result"].update(region=None, country="Scotland", latitude=None, longitude=None)
    postcodes_io.add(SW1A_1AA_PATH, json=answer)

    place = place_for_postcode("SW1A 1AA")

    assert (place.region, place.latitude, place.longitude) == ("Scotland", None, None)


@pytest.mark.django_db
def test_postcode_outside_every_constituency_says_so(postcodes_io):
    answer = sample("sw1a_1aa.json")
    answer["result"].update(parliamentary_constituency=None, parliamentary_constituency_2024=None)
    answer["result"]["codes"].update(
        parliamentary_constituency="L99999999", parliamentary_constituency_2024="L99999999"
    )
    postcodes_io.add(SW1A_1AA_PATH, json=answer)

    with pytest.raises(NoConstituency) as error:
        place_for_postcode("SW1A 1AA")

    assert error.value.message == NoConstituency.message


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["not_found.json", "invalid_postcode.json"])
def test_postcode_unknown_to_postcodes_io_is_not_found(postcodes_io, answer):
    postcodes_io.add(SW1A_1AA_PATH, status=404, json=sample(answer))

    with pytest.raises(PostcodeNotFound) as error:
        place_for_postcode("SW1A 1AA")

    assert error.value.message == PostcodeNotFound.message
    assert len(postcodes_io.requests) == 1


@pytest.mark.django_db
def test_invalid_postcode_is_refused_without_a_request(postcodes_io):
    with pytest.raises(InvalidPostcode) as error:
        place_for_postcode("not a postcode")

    assert error.value.message == InvalidPostcode.message
    assert postcodes_io.requests == []


@pytest.mark.django_db
def test_timeout_is_retried_once_then_unavailable(postcodes_io):
    postcodes_io.add(SW1A_1AA_PATH, json=sample("sw1a_1aa.json"), delay=2)

    with pytest.raises(LookupUnavailable) as error:
        place_for_postcode("SW1A 1AA")

    assert error.value.message == LookupUnavailable.message
    assert len(postcodes_io.requests) == 2


@pytest.mark.django_db
def test_server_error_is_retried_once_then_unavailable(postcodes_io):
    postcodes_io.add(SW1A_1AA_PATH, status=503, json={"status": 503, "error": "Unavailable"})

    with pytest.raises(LookupUnavailable):
        place_for_postcode("SW1A 1AA")

    assert len(postcodes_io.requests) == 2


@pytest.mark.django_db
def test_server_error_then_answer_recovers_on_the_retry(postcodes_io, monkeypatch):
    postcodes_io.add(SW1A_1AA_PATH, json=sample("sw1a_1aa.json"))
    recorded = postcodes_io.find

    def first_request_fails(path, query):
        if len(postcodes_io.requests) == 1:
            return Route(path, 503, b'{"status": 503, "error": "Unavailable"}')
        return recorded(path, query)

    monkeypatch.setattr(postcodes_io, "find", first_request_fails)

    assert place_for_postcode("SW1A 1AA") == WESTMINSTER
    assert len(postcodes_io.requests) == 2


@pytest.mark.django_db
def test_refused_connection_is_unavailable(settings):
    settings.POSTCODES_IO_URL = unused_port_url()

    with pytest.raises(LookupUnavailable):
        place_for_postcode("SW1A 1AA")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, b"<html>maintenance</html>"),
        (200, b'{"status": 200, "result": null}'),
        (200, b'{"status": 200, "result": {"postcode": "SW1A 1AA"}}'),
        (404, b"<html>no such page</html>"),  # a wrong URL, not an unknown postcode
    ],
)
def test_unreadable_answer_is_unavailable_without_a_retry(postcodes_io, status, body):
    postcodes_io.add(SW1A_1AA_PATH, status=status, body=body)

    with pytest.raises(LookupUnavailable):
        place_for_postcode("SW1A 1AA")

    assert len(postcodes_io.requests) == 1


# The cache


@pytest.mark.django_db
def test_second_look_up_is_answered_from_the_cache(postcodes_io):
    postcodes_io.add(SW1A_1AA_PATH, json=sample("sw1a_1aa.json"))
    place_for_postcode("SW1A 1AA")

    again = place_for_postcode("sw1a 1aa")

    assert again == WESTMINSTER
    assert len(postcodes_io.requests) == 1


@pytest.mark.django_db
def test_not_found_is_remembered_for_a_while(postcodes_io):
    postcodes_io.add(SW1A_1AA_PATH, status=404, json=sample("not_found.json"))
    with pytest.raises(PostcodeNotFound):
        place_for_postcode("SW1A 1AA")

    with pytest.raises(PostcodeNotFound):
        place_for_postcode("SW1A 1AA")

    assert len(postcodes_io.requests) == 1


@pytest.mark.django_db
def test_unavailability_is_not_remembered(postcodes_io):
    postcodes_io.add(SW1A_1AA_PATH, status=503, json={"status": 503, "error": "Unavailable"})
    with pytest.raises(LookupUnavailable):
        place_for_postcode("SW1A 1AA")
    postcodes_io.add(SW1A_1AA_PATH, json=sample("sw1a_1aa.json"))

    assert place_for_postcode("SW1A 1AA") == WESTMINSTER
    assert len(postcodes_io.requests) == 3


# The local fallback table


def westminster_fallback(code: str) -> PostcodeFallback:
    return PostcodeFallback.objects.create(
        code=code,
        constituency_code="E14001172",
        constituency_name="Cities of London and Westminster",
        region="London",
        latitude=51.5,
        longitude=-0.14,
    )


@pytest.mark.django_db
def test_full_postcode_in_the_fallback_table_needs_no_request(postcodes_io):
    westminster_fallback("SW1A 1AA")

    place = place_for_postcode("sw1a1aa")

    assert place == Place(
        postcode="SW1A 1AA",
        constituency_code="E14001172",
        constituency_name="Cities of London and Westminster",
        region="London",
        latitude=51.5,
        longitude=-0.14,
        source="fallback",
    )
    assert postcodes_io.requests == []


@pytest.mark.django_db
def test_outcode_in_the_fallback_table_answers_when_postcodes_io_is_unavailable(postcodes_io):
    westminster_fallback("SW1A")
    postcodes_io.add(SW1A_1AA_PATH, status=503, json={"status": 503, "error": "Unavailable"})

    place = place_for_postcode("SW1A 1AA")

    assert (place.postcode, place.constituency_code, place.source) == (
        "SW1A 1AA",
        "E14001172",
        "fallback",
    )
    assert len(postcodes_io.requests) == 2


@pytest.mark.django_db
def test_outcode_in_the_fallback_table_gives_way_to_postcodes_io(postcodes_io):
    PostcodeFallback.objects.create(
        code="SW1A", constituency_code="E14000639", constituency_name="Old boundaries"
    )
    postcodes_io.add(SW1A_1AA_PATH, json=sample("sw1a_1aa.json"))

    assert place_for_postcode("SW1A 1AA") == WESTMINSTER


@pytest.mark.django_db
def test_outcode_in_the_fallback_table_does_not_hide_an_unknown_postcode(postcodes_io):
    westminster_fallback("SW1A")
    postcodes_io.add("/postcodes/SW1A9ZZ", status=404, json=sample("not_found.json"))

    with pytest.raises(PostcodeNotFound):
        place_for_postcode("SW1A 9ZZ")
