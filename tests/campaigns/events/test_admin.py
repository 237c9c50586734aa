"""Organisers schedule events in the admin (issue #18, part 7): the postcode resolved to a
location on saving, shifts inline in UK time, flags for events under their minimum or
without a host contact."""

import pytest
from django.urls import reverse

from campaigns.events.models import Event
from tests.factories import (
    CampaignFactory,
    ConstituencyFactory,
    EventFactory,
    OrganiserFactory,
    PostcodeFallbackFactory,
    ShiftFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2


def post(client, campaign, **overrides):
    data = {
        "campaign": campaign.pk,
        "kind": "street_stall",
        "title": "Stall at the market",
        "slug": "stall-at-the-market",
        "description": "",
        "address": "Market Square",
        "postcode": "za1 1aa",
        "online_url": "",
        "address_visibility": "public",
        "host_name": "Sam",
        "host_email": "sam@example.org",
        "host_phone": "",
        "min_attendance": "0",
        "max_attendance": "",
        "state": "approved",
        "decline_reason": "",
        "shifts-TOTAL_FORMS": "1",
        "shifts-INITIAL_FORMS": "0",
        "shifts-0-starts_at_0": "2027-07-01",
        "shifts-0-starts_at_1": "19:00:00",
        "shifts-0-ends_at_0": "2027-07-01",
        "shifts-0-ends_at_1": "21:00:00",
        "shifts-0-capacity": "8",
    }
    data.update(overrides)
    return client.post(reverse("admin:events_event_add"), data)


def test_an_event_is_scheduled_with_its_postcode_resolved_and_its_shift_in_uk_time(client, db):
    seat = ConstituencyFactory(ons_code="E14000639")
    PostcodeFallbackFactory(
        code="ZA1 1AA", constituency_code=seat.ons_code, latitude=51.5, longitude=-0.12
    )
    client.force_login(OrganiserFactory())

    response = post(client, CampaignFactory())

    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get()
    assert (event.postcode, event.latitude, event.constituency_code) == (
        "ZA1 1AA",
        51.5,
        seat.ons_code,
    )
    shift = event.shifts.get()
    assert shift.starts_at.isoformat() == "2027-07-01T18:00:00+00:00"  # 19:00 BST
    assert shift.capacity == 8


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"postcode": "nowhere"}, "That is not a UK postcode."),
        ({"postcode": ""}, "Give the postcode of the event"),
        ({"kind": "online", "postcode": ""}, "An online event needs its link."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, db, overrides, message):
    client.force_login(OrganiserFactory())

    response = post(client, CampaignFactory(), **overrides)

    assert response.status_code == 200 and message in response.content.decode()
    assert not Event.objects.exists()


def test_the_list_flags_events_under_their_minimum_or_without_a_host_contact(client, db):
    ShiftFactory(event=EventFactory(title="Quiet one", min_attendance=5))
    ShiftFactory(event=EventFactory(title="No contact", host_email="", host_phone=""))
    client.force_login(OrganiserFactory())

    page = client.get(reverse("admin:events_event_changelist")).content.decode()

    assert "under its minimum of 5" in page and "no host contact" in page


def test_sign_ups_export_as_csv_with_contact_only_where_agreed_and_attendance_counted(client, db):
    import csv
    import io

    from campaigns.events import services

    shift = ShiftFactory(event=EventFactory(title="=HYPERLINK(1)"))
    shares, _ = services.rsvp_create(
        shift=shift, name="Shares", user=UserFactory(email="s@example.org"), share_contact=True
    )
    services.rsvp_create(shift=shift, name="Private", user=UserFactory(email="p@example.org"))
    services.check_in_by_code(event=shift.event, code=shares.code)
    client.force_login(OrganiserFactory())
    url = reverse("admin:events_event_changelist")

    listed = client.get(url).content.decode()
    exported = client.post(url, {"action": "export_rsvps", "_selected_action": [shift.event.pk]})

    assert '<td class="field-attended">1</td>' in listed
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == [
        "event",
        "shift_starts_at",
        "name",
        "state",
        "checked_in_at",
        "email",
        "phone",
    ]
    by_name = {row[2]: row for row in rows[1:]}
    assert by_name["Shares"][5] == "s@example.org" and by_name["Shares"][3] == "attended"
    assert by_name["Private"][5] == "" and "p@example.org" not in exported.content.decode()
    assert by_name["Shares"][0] == "'=HYPERLINK(1)"
