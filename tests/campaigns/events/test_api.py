"""Events over REST (issue #18, part 8): the list with its filters and near a postcode,
one event with its address only where the caller may see it, signing up, cancelling,
one's sign-ups, and check-in for hosts; times as UTC instants; 400s name the field."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import TestCase

from campaigns.events.models import RSVP
from tests.factories import (
    ConstituencyFactory,
    EventFactory,
    OrganiserFactory,
    PostcodeFallbackFactory,
    ShiftFactory,
    UserFactory,
)

LONDON = ZoneInfo("Europe/London")


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


def post(client, path, data):
    with committed():
        return client.post(path, data, content_type="application/json")


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2


@pytest.mark.parametrize(
    "local, utc",
    [("2027-07-01 19:00", "2027-07-01T18:00:00Z"), ("2027-01-13 19:00", "2027-01-13T19:00:00Z")],
)
def test_a_7pm_uk_shift_is_its_utc_instant_in_the_api(client, db, local, utc):
    starts = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)
    event = ShiftFactory(starts_at=starts, ends_at=starts + timedelta(hours=2)).event

    body = client.get(f"/api/v1/events/{event.pk}/").json()

    assert body["shifts"][0]["starts_at"] == utc


def test_the_list_near_a_postcode_orders_by_distance_and_filters(client, db):
    seat = ConstituencyFactory(ons_code="E14000639")
    PostcodeFallbackFactory(
        code="ZA1 1AA", constituency_code=seat.ons_code, latitude=51.5074, longitude=-0.1278
    )
    far = ShiftFactory(event=EventFactory(title="Leeds", latitude=53.8, longitude=-1.55)).event
    near = ShiftFactory(
        event=EventFactory(title="Westminster", latitude=51.5, longitude=-0.13, kind="rally")
    ).event
    ShiftFactory(
        event=EventFactory(title="Full", latitude=51.52, longitude=-0.13),
        capacity=1,
        places_taken=1,
    )

    body = client.get("/api/v1/events/", {"near": "ZA1 1AA"}).json()
    within = client.get("/api/v1/events/", {"near": "ZA1 1AA", "within_km": 50}).json()
    rallies = client.get("/api/v1/events/", {"kind": "rally"}).json()
    open_ = client.get("/api/v1/events/", {"has_places": "true", "near": "ZA1 1AA"}).json()

    assert [e["title"] for e in body["results"]] == ["Westminster", "Full", "Leeds"]
    assert body["results"][0]["distance_km"] < 1 < body["results"][2]["distance_km"]
    assert far.pk not in [e["id"] for e in within["results"]]
    assert [e["id"] for e in rallies["results"]] == [near.pk]
    assert "Full" not in [e["title"] for e in open_["results"]]


def test_a_bad_postcode_or_filter_is_a_field_error(client, db):
    bad = client.get("/api/v1/events/", {"near": "nowhere"})
    kind = client.get("/api/v1/events/", {"kind": "picnic"})
    date = client.get("/api/v1/events/", {"from": "tomorrow"})

    assert bad.status_code == 400 and "not a UK postcode" in bad.json()["fields"]["near"][0]
    assert kind.status_code == 400 and "kind" in kind.json()["fields"]
    assert date.status_code == 400 and "from" in date.json()["fields"]


def test_an_address_for_attendees_only_is_absent_for_anyone_else(client, db):
    event = EventFactory(address="42 Secret Street", address_visibility="attendees")
    shift = ShiftFactory(event=event)

    anonymous = client.get(f"/api/v1/events/{event.pk}/").json()
    listed = client.get("/api/v1/events/").json()["results"][0]
    client.force_login(UserFactory())
    post(client, f"/api/v1/events/{event.pk}/rsvps/", {"shift": shift.pk})
    attendee = client.get(f"/api/v1/events/{event.pk}/").json()

    for body in (anonymous, listed):
        assert body["address"] is None and body["postcode"] is None and not body["address_visible"]
        assert "Secret" not in str(body)
    assert attendee["address"] == "42 Secret Street" and attendee["address_visible"]


def test_sign_up_by_account_and_by_email_and_cancel_your_own(client, db):
    shift = ShiftFactory(capacity=1)
    event = shift.event
    path = f"/api/v1/events/{event.pk}/rsvps/"

    by_email = post(client, path, {"shift": shift.pk, "name": "Jo", "email": "jo@example.org"})
    assert by_email.status_code == 202 and "Check your email" in by_email.json()["detail"]
    bad = post(client, path, {"shift": shift.pk, "name": "", "email": "jo@"})
    assert bad.status_code == 400 and {"name", "email"} <= set(bad.json()["fields"])

    user = UserFactory()
    client.force_login(user)
    first = post(client, path, {"shift": shift.pk})
    again = post(client, path, {"shift": shift.pk})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["state"] == "signed_up"
    mine = client.get("/api/v1/me/rsvps/").json()["results"]
    assert [r["id"] for r in mine] == [first.json()["id"]]

    with committed():
        cancelled = client.delete(f"/api/v1/me/rsvps/{first.json()['id']}/")
    assert cancelled.status_code == 204
    assert RSVP.objects.get(pk=first.json()["id"]).state == RSVP.State.CANCELLED
    other = RSVP.objects.exclude(supporter__user=user).first()
    assert client.delete(f"/api/v1/me/rsvps/{other.pk}/").status_code == 404


def test_check_in_is_for_hosts_and_organisers(client, db):
    shift = ShiftFactory()
    user = UserFactory()
    client.force_login(user)
    rsvp = post(client, f"/api/v1/events/{shift.event.pk}/rsvps/", {"shift": shift.pk}).json()
    path = f"/api/v1/events/{shift.event.pk}/check-ins/"

    refused = post(client, path, {"code": rsvp["code"]})
    client.force_login(OrganiserFactory())
    done = post(client, path, {"code": rsvp["code"].lower()})
    wrong = post(client, path, {"code": "NOPE99"})

    assert refused.status_code == 403  # a volunteer, not the host
    assert done.status_code == 200 and done.json()["state"] == "attended"
    assert wrong.status_code == 400 and "code" in wrong.json()["fields"]


def test_the_list_runs_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    ShiftFactory.create_batch(3)
    with django_assert_max_num_queries(3):
        client.get("/api/v1/events/")
    ShiftFactory.create_batch(30)
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/events/").json()
    assert body["count"] == 33


def test_a_proposed_event_is_not_in_the_api(client, db):
    event = ShiftFactory(event=EventFactory(state="proposed")).event

    assert client.get(f"/api/v1/events/{event.pk}/").status_code == 404
    assert client.get("/api/v1/events/").json()["count"] == 0


def test_starts_after_and_before_select_by_the_instant_a_shift_starts(client, db):
    soon = ShiftFactory(starts_at=datetime(2031, 5, 1, 9, 0, tzinfo=LONDON)).event
    later = ShiftFactory(starts_at=datetime(2031, 5, 1, 18, 0, tzinfo=LONDON)).event
    ShiftFactory(starts_at=datetime(2031, 6, 1, 9, 0, tzinfo=LONDON))

    window = client.get(
        "/api/v1/events/",
        {"starts_after": "2031-05-01T08:00:00Z", "starts_before": "2031-05-01T17:00:00Z"},
    ).json()
    after = client.get("/api/v1/events/", {"starts_after": "2031-05-01T08:00:01Z"}).json()
    backwards = client.get(
        "/api/v1/events/",
        {"starts_after": "2031-05-02T00:00:00Z", "starts_before": "2031-05-01T00:00:00Z"},
    )

    assert [e["id"] for e in window["results"]] == [soon.pk]  # 09:00 BST is 08:00 UTC
    assert later.pk in [e["id"] for e in after["results"]]
    assert soon.pk not in [e["id"] for e in after["results"]]
    assert backwards.status_code == 400 and "starts_before" in backwards.json()["fields"]
