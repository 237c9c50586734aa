"""The campaign's coming and current storms, as actions on the tally page
(campaigns.targets.actions), each aimed at the targets in its rotation; and a person's:
storms of the coming week to pledge to, and their pledges (volunteers.activity)."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone

from campaigns.storms.models import Pledge, StormTarget, Twitterstorm
from campaigns.storms.selectors import published_storms
from campaigns.targets.actions import ActionLink
from volunteers.activity import DoneAction, NextAction, Person


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


# A person's next actions and history (volunteers.activity)

COMING_DAYS = 7


def storms_to_join(person: Person) -> list[NextAction]:
    """Published storms starting in the next 7 days that the person has not pledged to
    join. One query."""
    now = timezone.now()
    pledged = Pledge.objects.filter(storm=OuterRef("pk"), supporter=person.supporter)
    storms = (
        published_storms()
        .filter(starts_at__gt=now, starts_at__lte=now + timedelta(days=COMING_DAYS))
        .exclude(Exists(pledged))
        .order_by("starts_at")
    )
    return [
        NextAction(
            kind="storm",
            title=f"Join the Twitterstorm #{storm.hashtag}",
            why=f"Starts {timezone.localtime(storm.starts_at):%a %-d %b at %H:%M}",
            url=reverse("storms:storm", args=[storm.slug]),
            due_at=storm.starts_at,
        )
        for storm in storms
    ]


def pledges_done(supporter) -> list[DoneAction]:
    """One query."""
    return [
        DoneAction(
            kind="pledge",
            title=f"Pledged to join #{pledge.storm.hashtag}: {pledge.storm.title}",
            state=pledge.get_state_display(),
            at=pledge.created_at,
            url=reverse("storms:storm", args=[pledge.storm.slug]),
        )
        for pledge in Pledge.objects.filter(supporter=supporter).select_related("storm")
    ]
