"""Reads of petitions and their counts: a handful of small rows, never COUNT(*)."""

from dataclasses import dataclass

from campaigns.petitions.models import ConstituencyCount, Petition, PetitionCount
from campaigns.targets.models import Constituency


@dataclass(frozen=True)
class SeatCount:
    code: str
    name: str
    total: int


def public_petitions():
    return Petition.objects.exclude(state=Petition.State.DRAFT).select_related("campaign", "count")


def petition_total(petition: Petition) -> tuple[int, object]:
    """(confirmed total, when it last changed), from the one PetitionCount row."""
    count = PetitionCount.objects.filter(petition=petition).values_list("total", "updated_at")
    row = count.first()
    return row if row else (0, petition.created_at)


def constituency_counts(petition: Petition, limit: int | None = None) -> list[SeatCount]:
    """Totals per constituency, largest first, with names (two queries in all)."""
    counts = ConstituencyCount.objects.filter(petition=petition, total__gt=0).order_by(
        "-total", "constituency_code"
    )
    if limit:
        counts = counts[:limit]
    rows = list(counts.values_list("constituency_code", "total"))
    names = dict(
        Constituency.objects.filter(ons_code__in=[code for code, _ in rows]).values_list(
            "ons_code", "name"
        )
    )
    return [SeatCount(code, names.get(code, code or "Unknown"), total) for code, total in rows]


def next_milestone(petition: Petition, total: int) -> int:
    """The next count worth celebrating: a milestone not yet reached, else the goal."""
    ahead = sorted(m for m in petition.milestones if isinstance(m, int) and m > total)
    return ahead[0] if ahead and ahead[0] < petition.goal else petition.goal
