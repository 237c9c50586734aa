"""A person's events (volunteers.activity): events near them with places left that they
have not signed up to, and their sign-ups; and the events in given seats
(campaigns.targets.local)."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from campaigns.events.models import RSVP
from campaigns.events.selectors import Near, public_events
from campaigns.targets.local import LocalLink
from volunteers.activity import DoneAction, NextAction, Person

NEAR_KM = 25  # "near you"
SUGGESTED = 5


def events_to_join(person: Person) -> list[NextAction]:
    """Approved events with a place left on a shift to come, within NEAR_KM of the
    person (or, with no position known, in their constituency), nearest first, leaving
    out those they signed up to. One query."""
    if person.latitude is not None and person.longitude is not None:
        events = public_events(
            near=Near(person.latitude, person.longitude, within_km=NEAR_KM), has_places=True
        )
    elif person.constituency_code:
        events = public_events(has_places=True).filter(constituency_code=person.constituency_code)
    else:
        return []
    joined = RSVP.objects.filter(shift__event=OuterRef("pk"), supporter=person.supporter).exclude(
        state=RSVP.State.CANCELLED
    )
    return [
        NextAction(
            kind="event",
            title=event.title,
            why=_where(event),
            url=reverse("events:event", args=[event.slug]),
            due_at=event.next_starts_at,
        )
        for event in events.exclude(Exists(joined))[:SUGGESTED]
    ]


def _where(event) -> str:
    when = f"{timezone.localtime(event.next_starts_at):%a %-d %b at %H:%M}"
    distance = getattr(event, "distance_km", None)
    if distance is None:
        return f"{when}, places left"
    return f"{when}, {distance:.0f} km away, places left"


def rsvps_done(supporter) -> list[DoneAction]:
    """One query."""
    return [
        DoneAction(
            kind="rsvp",
            title=f"{rsvp.shift.event.title}, "
            f"{timezone.localtime(rsvp.shift.starts_at):%a %-d %b %Y at %H:%M}",
            state=rsvp.get_state_display(),
            at=rsvp.created_at,
            url=reverse("events:event", args=[rsvp.shift.event.slug]),
        )
        for rsvp in RSVP.objects.filter(supporter=supporter).select_related("shift__event")
    ]


def events_in_seats(codes: list[str]) -> dict[str, list[LocalLink]]:
    """Approved events to come in these constituencies, soonest first (campaigns.targets.
    local: the nearest marginal seats show them). One query."""
    found: dict[str, list[LocalLink]] = {}
    for event in public_events().filter(constituency_code__in=codes):
        found.setdefault(event.constituency_code, []).append(
            LocalLink(
                kind="event",
                title=event.title,
                url=reverse("events:event", args=[event.slug]),
                starts_at=event.next_starts_at,
            )
        )
    return found
