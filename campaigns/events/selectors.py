"""Reads of events used by more than one caller: the public list (filters, and distance
from a place: "near me"), an event with its shifts, and whether someone may see an
address shown only to attendees."""

import math
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, Exists, F, FloatField, Min, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import ACos, Cos, Greatest, Least, Radians, Sin
from django.utils import timezone

from campaigns.events.models import RSVP, Event, Shift
from core.geo import EARTH_RADIUS_KM


def _distance_km(latitude: float, longitude: float):
    """The distance from a point to each event's location, in SQL (SQLite and PostgreSQL)."""
    lat = Radians(Value(latitude, output_field=FloatField()))
    lon = Radians(Value(longitude, output_field=FloatField()))
    cosine = Sin(lat) * Sin(Radians(F("latitude"))) + Cos(lat) * Cos(Radians(F("latitude"))) * Cos(
        Radians(F("longitude")) - lon
    )
    distance = Value(EARTH_RADIUS_KM) * ACos(Greatest(Value(-1.0), Least(Value(1.0), cosine)))
    # An online event is nowhere: no distance (PostgreSQL's LEAST would skip the NULL).
    return Case(
        When(latitude__isnull=False, longitude__isnull=False, then=distance),
        default=None,
        output_field=FloatField(),
    )


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    within_km: float | None = None


def public_events(
    *,
    kind: str = "",
    starts_from: date | None = None,
    starts_to: date | None = None,
    near: Near | None = None,
    has_places: bool = False,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
) -> QuerySet[Event]:
    """Approved events with a shift still to start, each annotated with its next shift's
    start (`next_starts_at`) and, near a place, its distance (`distance_km`): the nearest
    first (online events, which are nowhere, last), else the soonest first. One query
    however many events; a page of it prefetches its shifts in one more."""
    now = timezone.now()
    upcoming = Q(shifts__starts_at__gt=now)
    if starts_from:
        upcoming &= Q(shifts__starts_at__date__gte=starts_from)
    if starts_to:
        upcoming &= Q(shifts__starts_at__date__lte=starts_to)
    if starts_after:
        upcoming &= Q(shifts__starts_at__gte=starts_after)
    if starts_before:
        upcoming &= Q(shifts__starts_at__lt=starts_before)
    events = (
        Event.objects.filter(state=Event.State.APPROVED, campaign__is_published=True)
        .annotate(next_starts_at=Min("shifts__starts_at", filter=upcoming))
        .filter(next_starts_at__isnull=False)
        .select_related("campaign")
    )
    if kind:
        events = events.filter(kind=kind)
    if has_places:
        open_shift = Shift.objects.filter(
            event=OuterRef("pk"), starts_at__gt=now, places_taken__lt=F("capacity")
        )
        events = events.filter(Exists(open_shift))
    if near is None:
        return events.order_by("next_starts_at", "pk")
    events = events.annotate(distance_km=_distance_km(near.latitude, near.longitude))
    if near.within_km is not None:
        # A box around the point first (on the latitude/longitude index), then the circle.
        dlat = near.within_km / 111.0
        dlon = near.within_km / max(1.0, 111.0 * math.cos(math.radians(near.latitude)))
        events = events.filter(
            latitude__range=(near.latitude - dlat, near.latitude + dlat),
            longitude__range=(near.longitude - dlon, near.longitude + dlon),
            distance_km__lte=near.within_km,
        )
    return events.order_by(F("distance_km").asc(nulls_last=True), "next_starts_at", "pk")


def event_with_shifts(slug: str) -> Event | None:
    """An approved public event and its shifts to come (two queries)."""
    from django.db.models import Prefetch

    shifts = Shift.objects.filter(ends_at__gt=timezone.now()).order_by("starts_at", "pk")
    return (
        Event.objects.filter(slug=slug, state=Event.State.APPROVED, campaign__is_published=True)
        .select_related("campaign")
        .prefetch_related(Prefetch("shifts", queryset=shifts))
        .first()
    )


def shows_address(event: Event, *, user=None, rsvp_ids=()) -> bool:
    """Whether this visitor may see the event's address: everyone for a public one; for one
    shown to attendees only, someone with a sign-up holding a place or on the waiting list
    (by their account, or by an RSVP this browser holds)."""
    if event.address_visibility == Event.AddressVisibility.PUBLIC:
        return True
    signed_up = RSVP.objects.filter(shift__event=event).exclude(
        state__in=[RSVP.State.CANCELLED, RSVP.State.AWAITING_CONFIRMATION]
    )
    mine = Q(pk__in=list(rsvp_ids))
    if user is not None and user.is_authenticated:
        mine |= Q(supporter__user=user)
    return signed_up.filter(mine).exists()
