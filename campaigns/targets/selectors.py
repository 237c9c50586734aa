"""Reads of the tally shared by pages, the API and the admin."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max

from campaigns.targets.models import Campaign, Target, TargetStatus


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
