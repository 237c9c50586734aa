"""Calendars (issue #18, part 6): an .ics file per event and a feed per campaign, made with
icalendar and parsed back with it; a 19:00 UK shift is the right UTC instant in summer and
winter; an address for attendees only is left out."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.factories import EventFactory, ShiftFactory

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    "local, utc",
    [("2027-07-01 19:00", datetime(2027, 7, 1, 18, 0, tzinfo=UTC)),
     ("2027-01-13 19:00", datetime(2027, 1, 13, 19, 0, tzinfo=UTC))],
)  # fmt: skip
def test_a_7pm_uk_shift_is_the_right_utc_instant_in_the_ics(client, db, local, utc):
    starts = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)
    shift = ShiftFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))

    response = client.get(f"/events/{shift.event.slug}/calendar.ics")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    [entry] = Calendar.from_ical(response.content).walk("VEVENT")
    assert entry.decoded("dtstart") == utc
    assert entry.decoded("dtend") == utc + timedelta(hours=2)
    assert str(entry["summary"]) == shift.event.title
    assert "Outside the library" in str(entry["location"])


def test_an_address_for_attendees_only_is_not_in_the_ics_or_the_feed(client, db):
    event = EventFactory(address="42 Secret Street", address_visibility="attendees")
    ShiftFactory(event=event)

    ics = client.get(f"/events/{event.slug}/calendar.ics").content
    feed = client.get(f"/events/feed/{event.campaign.slug}.ics").content

    for body in (ics, feed):
        [entry] = Calendar.from_ical(body).walk("VEVENT")
        assert "location" not in entry and b"Secret" not in body


def test_the_campaign_feed_has_every_approved_events_shifts_to_come(client, db):
    event = EventFactory()
    ShiftFactory.create_batch(2, event=event)
    ShiftFactory(event=EventFactory(campaign=event.campaign, state="proposed"))
    ShiftFactory(
        event=EventFactory(campaign=event.campaign),
        starts_at=datetime(2020, 1, 1, tzinfo=UTC),
        ends_at=datetime(2020, 1, 1, 2, tzinfo=UTC),
    )

    feed = Calendar.from_ical(client.get(f"/events/feed/{event.campaign.slug}.ics").content)

    assert len(feed.walk("VEVENT")) == 2
    assert client.get("/events/feed/no-such-campaign.ics").status_code == 404
