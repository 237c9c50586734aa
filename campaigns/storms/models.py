"""Twitterstorms: many supporters posting on one hashtag in one short window, aimed at
chosen targets' accounts, each in their own words, from their own accounts.

A Twitterstorm belongs to a campaign and runs on some networks (X, Bluesky, Mastodon)
between starts_at and ends_at (stored in UTC, shown in Europe/London). StormTarget is one
of the campaign's targets in its rotation, with a weight; Angle is a prompt with one or
two starter posts. A Pledge is one supporter's promise to take part (by account, or by
email with confirmation), holding the angle and target the rotation handed them; a Report
is a supporter's own word that they posted. Nothing here holds a network credential:
the platform never posts for anyone.
"""

import regex
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from campaigns.storms import fits
from campaigns.targets.models import Campaign, Target, TargetStatus
from core.sync import UpdatedAtField
from volunteers.models import Supporter

HASHTAG_MAX = 100
POST_MAX = 1_000  # a supporter's post, before any network's limit is applied
URL_MAX = 500
RESERVED_SLUGS = ["confirm"]

_HASHTAG = regex.compile(r"^[\p{L}\p{M}\p{Nd}_]+$")


def validate_hashtag(value: str) -> None:
    """One hashtag, written without its #: letters (any script), digits and underscores,
    not only digits (which no network links as a hashtag)."""
    if not _HASHTAG.match(value or ""):
        raise ValidationError(
            "Enter one hashtag without the #: letters, digits and underscores only, no spaces.",
            code="hashtag",
        )
    if value.isdigit():
        raise ValidationError("A hashtag needs at least one letter.", code="hashtag")


def validate_networks(value) -> None:
    if not isinstance(value, list) or not value or any(v not in fits.NETWORKS for v in value):
        raise ValidationError(
            f"Choose one or more of: {', '.join(fits.NETWORKS)}.", code="networks"
        )
    if len(set(value)) != len(value):
        raise ValidationError("Name each network once.", code="networks")


def default_networks() -> list[str]:
    return list(fits.NETWORKS)


def default_goal_statuses() -> list[str]:
    return [TargetStatus.NOMINATED.value]


class Phase(models.TextChoices):
    BEFORE = "before", "Before"
    DURING = "during", "During"
    AFTER = "after", "After"


class Twitterstorm(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="storms")
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    hashtag = models.CharField(
        max_length=HASHTAG_MAX,
        validators=[validate_hashtag],
        help_text="Without the #, e.g. LetMembersChoose.",
    )
    starts_at = models.DateTimeField(help_text="In UK time (stored in UTC).")
    ends_at = models.DateTimeField(help_text="In UK time (stored in UTC).")
    briefing = models.TextField(blank=True, help_text="What supporters are told before it.")
    networks = models.JSONField(
        default=default_networks,
        validators=[validate_networks],
        help_text='The networks it runs on, from "x", "bluesky" and "mastodon".',
    )
    link = models.URLField(
        max_length=URL_MAX, blank=True, help_text="A link every post carries (optional)."
    )
    goal_statuses = models.JSONField(
        default=default_goal_statuses,
        blank=True,
        help_text='Target statuses (e.g. ["nominated"]) that take a target out of the '
        "rotation at once: they have done what the campaign asks.",
    )
    is_published = models.BooleanField(
        default=False, help_text="Shown on the site and in the API once published."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = UpdatedAtField()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="storm_ends_after_it_starts",
                violation_error_message="A storm must end after it starts.",
            ),
            models.CheckConstraint(
                condition=~models.Q(slug__in=RESERVED_SLUGS),
                name="storm_slug_not_reserved",
                violation_error_message="That address is taken by the site; choose another.",
            ),
        ]
        indexes = [models.Index(fields=["is_published", "starts_at"])]

    def __str__(self):
        return self.title

    def phase(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.starts_at:
            return Phase.BEFORE
        if now < self.ends_at:
            return Phase.DURING
        return Phase.AFTER


class StormTarget(models.Model):
    """One of the campaign's targets in a storm's rotation. Weight 1-10: a target of weight
    2 is handed out twice as often as one of weight 1."""

    storm = models.ForeignKey(Twitterstorm, on_delete=models.CASCADE, related_name="storm_targets")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["storm", "target"], name="storm_target_once"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=10),
                name="storm_target_weight_1_to_10",
                violation_error_message="A weight is from 1 to 10.",
            ),
        ]

    def __str__(self):
        return f"{self.target} in {self.storm_id}"

    def clean(self):
        storm = self.storm if "storm" in self._state.fields_cache or self.storm_id else None
        if self.target_id and storm and self.target.campaign_id != storm.campaign_id:
            raise ValidationError({"target": "Choose one of the storm's campaign's targets."})


class Angle(models.Model):
    """A prompt ("what the NHS means to you") with one or two starter posts, which each
    supporter turns into their own words."""

    storm = models.ForeignKey(Twitterstorm, on_delete=models.CASCADE, related_name="angles")
    prompt = models.CharField(max_length=200)
    starter = models.TextField(max_length=POST_MAX, help_text="A starter post.")
    second_starter = models.TextField(
        max_length=POST_MAX, blank=True, help_text="Another starter post (optional)."
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.prompt

    @property
    def starters(self) -> list[str]:
        return [s for s in (self.starter, self.second_starter) if s.strip()]


class Pledge(models.Model):
    class Via(models.TextChoices):
        ACCOUNT = "account", "Signed-in account"
        EMAIL = "email", "Email, confirmed by link"

    class State(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting confirmation"
        CONFIRMED = "confirmed", "Confirmed"

    storm = models.ForeignKey(Twitterstorm, on_delete=models.CASCADE, related_name="pledges")
    # The supporter; null once erased (the row stays, so the count does not change).
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="storm_pledges"
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    state = models.CharField(
        max_length=25, choices=State.choices, default=State.AWAITING_CONFIRMATION
    )
    # What the rotation handed them: kept, so they see the same until it drops out.
    angle = models.ForeignKey(Angle, null=True, blank=True, on_delete=models.SET_NULL)
    storm_target = models.ForeignKey(
        StormTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="pledges"
    )
    starter_index = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = UpdatedAtField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["storm", "supporter"], name="one_pledge_per_storm"),
        ]
        indexes = [models.Index(fields=["storm", "state"])]

    def __str__(self):
        return f"Pledge {self.pk} to {self.storm_id}"


class Report(models.Model):
    """A supporter's own word that they posted: optionally the network and the post's
    address (never fetched). One per supporter per storm."""

    storm = models.ForeignKey(Twitterstorm, on_delete=models.CASCADE, related_name="reports")
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="storm_reports"
    )
    storm_target = models.ForeignKey(
        StormTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    network = models.CharField(
        max_length=10, blank=True, choices=[(k, v) for k, v in fits.NETWORKS.items()]
    )
    post_url = models.URLField(max_length=URL_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["storm", "supporter"], name="one_report_per_storm"),
        ]
        indexes = [models.Index(fields=["storm", "created_at"])]

    def __str__(self):
        return f"Report {self.pk} on {self.storm_id}"
