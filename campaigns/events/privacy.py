"""Personal data in events: a person's RSVPs, and the host details of events they host.
Erasing keeps each RSVP (a shift's places and attendance stay counted) without who it was,
and keeps hosted events without their host's contact."""

from campaigns.events.models import RSVP, Event
from volunteers.privacy import PrivacyProvider


def _when(moment):
    return moment.isoformat() if moment else None


def _export(supporter) -> dict:
    rsvps = RSVP.objects.filter(supporter=supporter).select_related("shift__event")
    hosted = Event.objects.filter(host=supporter)
    return {
        "rsvps": [
            {
                "event": rsvp.shift.event.slug,
                "shift_starts_at": _when(rsvp.shift.starts_at),
                "name": rsvp.name,
                "email": rsvp.email,
                "phone": rsvp.phone,
                "host_may_see_contact": rsvp.share_contact,
                "state": rsvp.state,
                "signed_up_at": _when(rsvp.created_at),
                "checked_in_at": _when(rsvp.checked_in_at),
            }
            for rsvp in rsvps.order_by("pk")
        ],
        "hosted_events": [
            {
                "event": event.slug,
                "host_name": event.host_name,
                "host_email": event.host_email,
                "host_phone": event.host_phone,
            }
            for event in hosted.order_by("pk")
        ],
    }


def _erase(supporter) -> None:
    for pk in RSVP.objects.filter(supporter=supporter).values_list("pk", flat=True):
        RSVP.objects.filter(pk=pk).update(
            supporter=None,
            name="",
            email=f"erased-rsvp-{pk}@erased.invalid",
            phone="",
            share_contact=False,
        )
    Event.objects.filter(host=supporter).update(
        host=None, host_name="", host_email="", host_phone=""
    )


events_provider = PrivacyProvider(
    name="events",
    covers=("events.RSVP", "events.Event"),
    export=_export,
    erase=_erase,
)
