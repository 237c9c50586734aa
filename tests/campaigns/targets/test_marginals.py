"""The nearest marginal seats to a postcode: the page and GET /api/v1/marginals/ (#21)."""

import pytest
from django.urls import reverse

from tests.factories import (
    ConstituencyFactory,
    EventFactory,
    PostcodeFallbackFactory,
    RepresentativeFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/marginals/"
# Great-circle distances from (51.5, -0.12) computed by hand with the haversine formula
# (R = 6371.0088 km): to Brighton (50.82, -0.14) 75.63 km, to Oxford (51.75, -1.26)
# 83.46 km, to Manchester (53.48, -2.24) 262.80 km.
EXPECTED_KM = {"Brighton": 75.63, "Oxford": 83.46, "Manchester": 262.80}


@pytest.fixture(autouse=True)
def seats(settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2
    PostcodeFallbackFactory(
        code="ZA1 1AA", constituency_code="E14000001", latitude=51.5, longitude=-0.12
    )
    ConstituencyFactory(ons_code="E14000001", name="Home", latitude=51.5, longitude=-0.12,
                        majority=20000, turnout=40000)  # fmt: skip
    found = {
        "Manchester": ConstituencyFactory(
            ons_code="E14000010", name="Manchester", latitude=53.48, longitude=-2.24,
            majority=500, turnout=40000,
        ),
        "Oxford": ConstituencyFactory(
            ons_code="E14000011", name="Oxford", latitude=51.75, longitude=-1.26,
            majority=3000, turnout=40000,
        ),
        "Brighton": ConstituencyFactory(
            ons_code="E14000012", name="Brighton", latitude=50.82, longitude=-0.14,
            majority=1000, electorate=50000,
        ),
        "Safe": ConstituencyFactory(
            ons_code="E14000013", name="Safe", latitude=51.49, longitude=-0.11,
            majority=15000, turnout=40000,
        ),
    }  # fmt: skip
    RepresentativeFactory(constituency=found["Brighton"], name="Bo Member")
    return found


def test_the_api_orders_marginal_seats_by_hand_computed_distance(client):
    response = client.get(API, {"postcode": "za1 1aa", "max_share": "0.1"})

    assert response.status_code == 200
    rows = response.json()
    assert [row["constituency"]["name"] for row in rows] == ["Brighton", "Oxford", "Manchester"]
    for row in rows:
        assert row["distance_km"] == pytest.approx(
            EXPECTED_KM[row["constituency"]["name"]], abs=0.05
        )
    brighton = rows[0]
    assert (brighton["majority"], brighton["majority_share"]) == (1000, 0.02)  # of electorate
    assert brighton["mp"] == "Bo Member"


def test_a_smaller_share_leaves_out_the_less_marginal(client):
    rows = client.get(API, {"postcode": "ZA1 1AA", "max_share": "0.05"}).json()

    # Oxford's majority is 7.5% of the vote: out at 5%.
    assert [row["constituency"]["name"] for row in rows] == ["Brighton", "Manchester"]


def test_the_campaigns_events_in_a_seat_are_listed_with_it(client, seats):
    ShiftFactory(event=EventFactory(constituency_code="E14000011", title="Oxford stall"))

    rows = client.get(API, {"postcode": "ZA1 1AA"}).json()

    oxford = next(row for row in rows if row["constituency"]["name"] == "Oxford")
    assert [event["title"] for event in oxford["events"]] == ["Oxford stall"]


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        (
            "not a postcode",
            "That is not a UK postcode. Please check it and try again, e.g. SW1A 1AA.",
        ),
        ("ZA8 8ZZ", "Postcode look-up is not available right now; please try again shortly."),
    ],
)
def test_a_bad_postcode_gets_the_same_messages_as_elsewhere(client, postcode, message):
    api = client.get(API, {"postcode": postcode})
    page = client.get(reverse("marginals"), {"postcode": postcode, "max_share": "0.1"})

    assert api.status_code in (400, 503)
    body = api.json()
    assert message in str(body)
    assert page.status_code == 400 and message in page.content.decode()


def test_the_page_lists_them_nearest_first(client):
    page = client.get(reverse("marginals"), {"postcode": "ZA1 1AA", "max_share": "0.1"})

    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("Brighton") < text.index("Oxford") < text.index("Manchester")
    assert "76 km away" in text and "Bo Member" in text
    assert "Safe" not in text


def test_the_api_runs_fixed_queries_however_many_seats(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10) as few:
        client.get(API, {"postcode": "ZA1 1AA"})
    for number in range(50):
        ConstituencyFactory(ons_code=f"E1400{number + 100:04d}", latitude=52, longitude=-1,
                            majority=100, turnout=40000)  # fmt: skip

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(API, {"postcode": "ZA1 1AA"}).json()) == 10
