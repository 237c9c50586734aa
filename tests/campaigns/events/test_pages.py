"""The public events pages (issue #18, part 2), with the test client: the list, near a
postcode nearest first with the distance; an event's shifts and places; signing up and
the emailed links; an address shown to attendees only."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from campaigns.events.models import RSVP, Event
from core.geo import great_circle_km
from tests.factories import (
    ConstituencyFactory,
    EventFactory,
    PostcodeFallbackFactory,
    ShiftFactory,
    UserFactory,
)
from volunteers.places import PlaceError, place_for_postcode

LONDON = ZoneInfo("Europe/London")


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2


@pytest.fixture
def postcode(db):
    """ZA1 1AA at Charing Cross (51.5074, -0.1278), from the offline table."""
    seat = ConstituencyFactory(ons_code="E14000639", name="Cities of London and Westminster")
    PostcodeFallbackFactory(
        code="ZA1 1AA",
        constituency_code=seat.ons_code,
        constituency_name=seat.name,
        latitude=51.5074,
        longitude=-0.1278,
    )
    return "ZA1 1AA"


PLACES = {  # (latitude, longitude): hand-picked places at known distances from London
    "Oxford": (51.7520, -1.2577),
    "Brighton": (50.8225, -0.1372),
    "Cambridge": (52.2053, 0.1218),
    "Manchester": (53.4808, -2.2426),
}


def test_near_me_orders_by_great_circle_distance_and_shows_it(client, postcode):
    for town, (lat, lon) in PLACES.items():
        ShiftFactory(event=EventFactory(title=f"Stall in {town}", latitude=lat, longitude=lon))
    ShiftFactory(
        event=EventFactory(title="Online call", kind="online", latitude=None, longitude=None)
    )

    page = _text(client.get("/events/", {"near": "za1 1aa"}))

    found = re.findall(
        r">Stall in (\w+)</a></h3>\s*<p[^>]*>.*?<strong>([\d.]+) km away", page, re.S
    )
    expected = sorted(
        (great_circle_km(51.5074, -0.1278, lat, lon), town) for town, (lat, lon) in PLACES.items()
    )
    assert [town for town, _ in found] == [town for _, town in expected]
    for (town, shown), (km, _) in zip(found, expected, strict=True):
        assert float(shown) == pytest.approx(km, abs=0.05), town
    # Hand-computed: London to Brighton is about 76 km, to Manchester about 262 km.
    assert 74 < expected[0][0] < 78 and 260 < expected[-1][0] < 264
    assert page.index("Online call") > page.index("Stall in Manchester")  # nowhere: last


def test_within_a_distance_leaves_the_farther_out(client, postcode):
    for town, (lat, lon) in PLACES.items():
        ShiftFactory(event=EventFactory(title=f"Stall in {town}", latitude=lat, longitude=lon))

    page = _text(client.get("/events/", {"near": "ZA1 1AA", "within_km": "50"}))

    assert "No events match" in page and "Stall in Oxford" not in page
    page = _text(
        client.get(
            "/events/",
            {
                "near": "ZA1 1AA",
                "within_km": "",
            },
        )
    )
    assert "Stall in Oxford" in page


@pytest.mark.parametrize("postcode", ["nowhere", "ZA9 9ZZ"])
def test_a_bad_postcode_gets_the_same_clear_messages_as_elsewhere(client, db, postcode):
    with pytest.raises(PlaceError) as looked_up:  # what every other page says
        place_for_postcode(postcode)

    response = client.get("/events/", {"near": postcode})

    assert response.status_code == 400
    assert looked_up.value.message in _text(response)
    assert "There is a problem" in _text(response)


def test_the_list_filters_by_kind_and_date_and_hides_what_is_not_public(client, db):
    stall = ShiftFactory(event=EventFactory(title="The stall")).event
    ShiftFactory(event=EventFactory(title="The rally", kind="rally"))
    ShiftFactory(event=EventFactory(title="Proposed one", state="proposed"))
    ShiftFactory(
        event=EventFactory(title="Long gone"),
        starts_at=timezone.now() - timedelta(days=3),
    )
    ShiftFactory(
        event=EventFactory(title="Next month"), starts_at=timezone.now() + timedelta(days=30)
    )

    page = _text(client.get("/events/"))
    stalls = _text(client.get("/events/", {"kind": "street_stall"}))
    soon = _text(
        client.get(
            "/events/", {"starts_to": (timezone.localdate() + timedelta(days=7)).isoformat()}
        )
    )

    assert "The stall" in page and "The rally" in page and "Next month" in page
    assert "Proposed one" not in page and "Long gone" not in page
    assert "The rally" not in stalls and stall.title in stalls
    assert "Next month" not in soon and "The stall" in soon


def test_the_list_runs_a_fixed_number_of_queries_however_many_events(
    client, db, django_assert_max_num_queries
):
    ShiftFactory.create_batch(3)
    with django_assert_max_num_queries(4):
        client.get("/events/")
    ShiftFactory.create_batch(60)

    with django_assert_max_num_queries(4):
        response = client.get("/events/", {"page": "2"})

    assert response.status_code == 200 and "Page 2 of" in _text(response)


@pytest.mark.parametrize(
    "local, utc", [("2027-07-01 19:00", "18:00"), ("2027-01-13 19:00", "19:00")]
)
def test_a_7pm_shift_shows_7pm_on_the_page(client, db, local, utc):
    starts = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)
    shift = ShiftFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))

    page = _text(client.get(f"/events/{shift.event.slug}/"))

    assert ", 19:00</time> to" in page
    assert shift.starts_at.astimezone(ZoneInfo("UTC")).strftime("%H:%M") == utc


def test_sign_up_by_email_then_the_link_gives_the_place_and_the_code(client, db):
    shift = ShiftFactory(capacity=1)
    url = f"/events/{shift.event.slug}/"

    with committed():
        response = client.post(url, {"shift": shift.pk, "name": "Jo", "email": "jo@example.org"})
    assert response.status_code == 302
    assert "Check your email" in _text(client.get(url))
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/events/rsvp/\S+/confirm/)", message.body).group(1)

    with committed():
        confirmed = client.get(link)

    rsvp = RSVP.objects.get()
    assert confirmed.status_code == 200 and rsvp.code in _text(confirmed)
    assert rsvp.state == RSVP.State.SIGNED_UP
    assert "Full: sign up for the waiting list" in _text(client.get(url))


def test_bad_sign_up_input_comes_back_on_the_shifts_form(client, db):
    shift = ShiftFactory()

    response = client.post(
        f"/events/{shift.event.slug}/", {"shift": shift.pk, "name": "Jo", "email": "jo@"}
    )

    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page and f'href="#email-{shift.pk}"' in page
    assert f'id="email-{shift.pk}"' in page and RSVP.objects.count() == 0


def test_cancelling_from_the_email_asks_first(client, db):
    shift = ShiftFactory()
    user = UserFactory()
    client.force_login(user)
    with committed():
        client.post(f"/events/{shift.event.slug}/", {"shift": shift.pk})
    [placed] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/events/rsvp/\S+/cancel/)", placed.body).group(1)

    asked = client.get(link)
    assert "Cancel my place" in _text(asked) and RSVP.objects.get().state == "signed_up"
    cancelled = client.post(link)

    assert "Your place is cancelled" in _text(cancelled)
    assert RSVP.objects.get().state == "cancelled"


def test_an_address_for_attendees_only_is_shown_to_them_alone(client, db):
    event = EventFactory(address="42 Secret Street", address_visibility="attendees")
    shift = ShiftFactory(event=event)
    user = UserFactory()

    assert "42 Secret Street" not in _text(client.get(f"/events/{event.slug}/"))
    client.force_login(user)
    assert "42 Secret Street" not in _text(client.get(f"/events/{event.slug}/"))
    client.post(f"/events/{event.slug}/", {"shift": shift.pk})
    assert "42 Secret Street" in _text(client.get(f"/events/{event.slug}/"))


def test_a_proposed_event_is_not_found(client, db):
    event = ShiftFactory(event=EventFactory(state=Event.State.PROPOSED)).event

    assert client.get(f"/events/{event.slug}/").status_code == 404


def test_the_list_and_the_api_with_5000_events_run_the_queries_of_a_few(
    client, db, django_assert_max_num_queries
):
    from campaigns.events.models import Event, Shift

    first = ShiftFactory().event
    starts = timezone.now() + timedelta(days=3)

    def queries(path, params):
        with django_assert_max_num_queries(10) as counted:
            response = client.get(path, params)
        assert response.status_code == 200
        return len(counted.captured_queries)

    few = {path: queries(path, {"near": ""}) for path in ("/events/", "/api/v1/events/")}
    events = Event.objects.bulk_create(
        Event(
            campaign=first.campaign,
            kind="canvass",
            title=f"Canvass {n}",
            slug=f"canvass-{n}",
            latitude=50 + n / 1000,
            longitude=-1,
        )
        for n in range(5000)
    )
    Shift.objects.bulk_create(
        Shift(event=event, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=5)
        for event in events
    )

    for path in ("/events/", "/api/v1/events/"):
        assert queries(path, {"near": ""}) <= few[path]
        assert queries(path, {"page": "3"}) <= few[path]


def test_a_shared_links_source_is_kept_on_the_sign_up(client, db):
    shift = ShiftFactory()
    url = f"/events/{shift.event.slug}/"

    page = client.get(url + "?ref=abc123")
    assert 'name="source" value="abc123"' in page.content.decode()
    with committed():
        client.post(
            url, {"shift": shift.pk, "name": "Jo", "email": "jo@example.org", "source": "abc123"}
        )

    assert RSVP.objects.get().source == "abc123"
