"""Reads of the tally shared by pages, the API and the admin."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from campaigns.targets.local import local_links
from campaigns.targets.models import (
    Campaign,
    Constituency,
    Representative,
    Target,
    TargetStatus,
    TargetStatusChange,
)
from core.geo import great_circle_km
from volunteers.places import PlaceError, place_for_postcode


@dataclass(frozen=True)
class Tally:
    """How a campaign stands: targets per status, and progress to its threshold."""

    counts: dict[str, int]
    threshold: int | None
    last_changed_at: datetime | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def nominated(self) -> int:
        return self.counts.get(TargetStatus.NOMINATED, 0)

    @property
    def percent(self) -> int:
        """Progress to the threshold, 0-100, rounded down so 100 means really reached."""
        if not self.threshold:
            return 0
        return min(100, self.nominated * 100 // self.threshold)

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for every status, in the order of TargetStatus."""
        return [(s.value, s.label, self.counts.get(s.value, 0)) for s in TargetStatus]


def campaign_tallies(campaigns: list[Campaign]) -> dict[int, Tally]:
    """Tallies of several campaigns in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    last: dict[int, datetime | None] = {}
    rows = (
        Target.objects.filter(campaign__in=[c.pk for c in campaigns])
        .values("campaign_id", "status")
        .annotate(n=Count("id"), last=Max("status_changed_at"))
        .order_by()
    )
    for row in rows:
        counts[row["campaign_id"]][row["status"]] = row["n"]
        previous = last.get(row["campaign_id"])
        if row["last"] and (previous is None or row["last"] > previous):
            last[row["campaign_id"]] = row["last"]
    return {
        c.pk: Tally(
            counts=dict(counts[c.pk]), threshold=c.threshold, last_changed_at=last.get(c.pk)
        )
        for c in campaigns
    }


def campaign_tally(campaign: Campaign) -> Tally:
    return campaign_tallies([campaign])[campaign.pk]


def published_campaigns() -> list[Campaign]:
    return list(Campaign.objects.filter(is_published=True))


def campaign_targets(campaign: Campaign):
    """A campaign's targets with everything a list shows, in a fixed number of queries."""
    return listed_targets(Target.objects.filter(campaign=campaign))


def listed_targets(targets):
    """Targets with everything a list shows (one query), in the order lists show them."""
    return targets.select_related(
        "representative__party",
        "representative__constituency",
        "organisation__constituency",
    ).order_by("representative__name", "organisation__name", "pk")


def spreadsheet_targets(targets):
    """Targets as the spreadsheet shows them: as listed_targets, each with `status_source`,
    the source link of the change to its current status ("" if none), in one query."""
    source = (
        TargetStatusChange.objects.filter(target=OuterRef("pk"), to_status=OuterRef("status"))
        .order_by("-changed_at", "-id")
        .values("source_url")[:1]
    )
    return listed_targets(targets).annotate(status_source=Coalesce(Subquery(source), Value("")))


def campaign_filter_options(campaign: Campaign) -> dict[str, list[str]]:
    """The parties and regions that a campaign's targets belong to, for filter menus."""
    targets = Target.objects.filter(campaign=campaign)
    parties = (
        targets.exclude(representative__party=None)
        .values_list("representative__party__name", flat=True)
        .distinct()
        .order_by("representative__party__name")
    )
    regions = (
        Constituency.objects.filter(
            Q(representatives__targets__campaign=campaign) | Q(id__in=_org_constituencies(campaign))
        )
        .exclude(region="")
        .values_list("region", flat=True)
        .distinct()
        .order_by("region")
    )
    return {"parties": list(parties), "regions": list(regions)}


def _org_constituencies(campaign: Campaign):
    return Target.objects.filter(campaign=campaign, organisation__isnull=False).values(
        "organisation__constituency_id"
    )


def constituency_for_place(place) -> Constituency | None:
    """The constituency a looked-up place lies in: by ONS code, else by name (constituencies
    imported from Parliament carry no ONS code)."""
    by_code = Constituency.objects.filter(ons_code=place.constituency_code).first()
    if by_code or not place.constituency_name:
        return by_code
    return Constituency.objects.filter(name__iexact=place.constituency_name).first()


def representative_for_postcode(postcode: str) -> Representative | None:
    """The current MP for a postcode, or None if we hold none for its constituency.

    Raises volunteers.places.PlaceError (with a message for the user) when the postcode is
    not one, is unknown, or cannot be looked up right now.
    """
    constituency = constituency_for_place(place_for_postcode(postcode))
    if constituency is None:
        return None
    return (
        Representative.objects.filter(constituency=constituency, is_current=True)
        .select_related("party", "constituency")
        .first()
    )


# The nearest marginal seats

MARGINAL_SHARES = (0.05, 0.10, 0.15, 0.20)  # the choices offered: majority under this share
MARGINALS_SHOWN = 10


@dataclass(frozen=True)
class MarginalSeat:
    constituency: Constituency
    mp: Representative | None
    majority: int
    majority_share: float  # of the votes cast (turnout), else of the electorate
    distance_km: float
    local: list  # campaigns.targets.local.LocalLink: the campaign's events there


def nearest_marginals(
    *, latitude: float, longitude: float, max_share: float, limit: int = MARGINALS_SHOWN
) -> list[MarginalSeat]:
    """Seats whose latest majority is under `max_share` of the vote, nearest first by the
    great-circle distance between the point and each seat's centre, with their MP and the
    campaign's events there. Three queries and one per local-links provider."""
    seats = Constituency.objects.filter(
        Q(turnout__gt=0) | Q(electorate__gt=0),
        majority__isnull=False,
        latitude__isnull=False,
        longitude__isnull=False,
    )
    found = []
    for seat in seats:
        share = seat.majority / (seat.turnout or seat.electorate)
        if share < max_share:
            distance = great_circle_km(latitude, longitude, seat.latitude, seat.longitude)
            found.append((distance, share, seat))
    found.sort(key=lambda row: (row[0], row[2].pk))
    found = found[:limit]
    mps = {
        mp.constituency_id: mp
        for mp in Representative.objects.filter(
            constituency__in=[seat for _, _, seat in found], is_current=True
        ).select_related("party")
    }
    links = local_links([seat.ons_code for _, _, seat in found if seat.ons_code])
    return [
        MarginalSeat(
            constituency=seat,
            mp=mps.get(seat.pk),
            majority=seat.majority,
            majority_share=share,
            distance_km=distance,
            local=links.get(seat.ons_code, []) if seat.ons_code else [],
        )
        for distance, share, seat in found
    ]


def point_for_postcode(postcode: str) -> tuple[float, float]:
    """Where a postcode is, for distances: its own position, else its constituency's
    centre. Raises PlaceError with a message for the person."""
    place = place_for_postcode(postcode)
    if place.latitude is not None and place.longitude is not None:
        return place.latitude, place.longitude
    seat = constituency_for_place(place)
    if seat is None or seat.latitude is None or seat.longitude is None:
        raise PlaceError("We couldn't place that postcode on the map.")
    return seat.latitude, seat.longitude
