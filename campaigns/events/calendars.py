"""iCalendar files: one per event (every shift to come) and a subscribable feed per
campaign (every public event's shifts to come), made with the `icalendar` package.

Times are written in UTC (…Z), which every calendar shows in its own time zone; an
address shown to attendees only is left out (the event's page has it for them), as is
an online event's link then."""

from datetime import UTC

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from campaigns.events.models import Event, Shift

PRODID = "-//Groundswell//Events//EN"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _entry(shift: Shift, event: Event, now) -> CalendarEvent:
    site = settings.SITE_URL.rstrip("/")
    url = site + reverse("events:event", args=[event.slug])
    entry = CalendarEvent()
    entry.add("uid", f"shift-{shift.pk}@{site.split('://')[-1]}")
    entry.add("dtstamp", now)
    entry.add("dtstart", shift.starts_at.astimezone(UTC))
    entry.add("dtend", shift.ends_at.astimezone(UTC))
    entry.add("summary", event.title)
    entry.add("description", f"{event.get_kind_display()}. {event.description}\n\n{url}".strip())
    entry.add("url", url)
    if event.address_visibility == Event.AddressVisibility.PUBLIC:
        where = (
            event.online_url
            if event.is_online
            else ", ".join(
                part for part in (" ".join(event.address.split()), event.postcode) if part
            )
        )
        if where:
            entry.add("location", where)
    return entry


def event_calendar(event: Event) -> bytes:
    """The event's shifts to come, as an .ics file."""
    now = timezone.now()
    calendar = _calendar(event.title)
    for shift in event.shifts.filter(ends_at__gt=now).order_by("starts_at", "pk"):
        calendar.add_component(_entry(shift, event, now))
    return calendar.to_ical()


def campaign_feed(campaign) -> bytes:
    """Every approved event's shifts to come in the campaign: two queries."""
    now = timezone.now()
    calendar = _calendar(f"{campaign.title}: events")
    shifts = (
        Shift.objects.filter(
            event__campaign=campaign, event__state=Event.State.APPROVED, ends_at__gt=now
        )
        .select_related("event")
        .order_by("starts_at", "pk")
    )
    for shift in shifts:
        calendar.add_component(_entry(shift, shift.event, now))
    return calendar.to_ical()
