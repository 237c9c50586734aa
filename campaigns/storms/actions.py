"""The campaign's coming and current storms, as actions on the tally page
(campaigns.targets.actions), each aimed at the targets in its rotation."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from campaigns.storms.models import StormTarget, Twitterstorm
from campaigns.targets.actions import ActionLink


def open_storms(campaign) -> list[ActionLink]:
    """Two queries."""
    storms = Twitterstorm.objects.filter(
        campaign=campaign, is_published=True, ends_at__gt=timezone.now()
    ).prefetch_related(
        Prefetch("storm_targets", queryset=StormTarget.objects.only("pk", "storm_id", "target_id"))
    )
    return [
        ActionLink(
            kind="storm",
            label=f"Join the Twitterstorm #{storm.hashtag}, "
            f"{timezone.localtime(storm.starts_at):%a %-d %b %H:%M}",
            url=reverse("storms:storm", args=[storm.slug]),
            target_ids=frozenset(st.target_id for st in storm.storm_targets.all()) or None,
        )
        for storm in storms.order_by("starts_at")
    ]
