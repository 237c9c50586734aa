"""Petitions, their signatures, and the counts that pages read.

Signing is insert-only: a signature is a new row, and confirming one changes only that row.
Whenever a signature starts or stops counting, a CountChange row (+1 or -1) is inserted in
the same transaction. A frequent Celery task (services.petition_counts_apply) folds those
changes into PetitionCount and ConstituencyCount and deletes them, in one transaction, so
each change is applied exactly once and pages read a handful of rows, never COUNT(*) over
signatures.

A suspect signature (over a rate limit when signed) is kept but not counted until an
organiser restores it with a reason (services.signatures_restore). A VenueAllowance lets a
street stall or a meeting hall sign many people from one connection without their
signatures being marked suspect by the per-IP limits.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from campaigns.targets.models import Campaign, Target
from core.sync import UpdatedAtField
from volunteers.models import Supporter


class Petition(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        ARCHIVED = "archived", "Archived"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="petitions")
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="What the petition asks for.")
    targets = models.ManyToManyField(
        Target, blank=True, related_name="petitions", help_text="Who it is addressed to."
    )
    goal = models.PositiveIntegerField(default=1000)
    milestones = models.JSONField(
        default=list, blank=True, help_text="Signature counts to celebrate, e.g. [100, 1000]."
    )
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    confirmation_required = models.BooleanField(
        default=True, help_text="Signatures count only once the emailed link is followed."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = UpdatedAtField()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="petition_closes_after_it_opens",
            )
        ]

    def __str__(self):
        return self.title

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return (
            self.state == self.State.OPEN
            and self.opens_at <= at
            and (self.closes_at is None or at < self.closes_at)
        )

    @property
    def is_public(self) -> bool:
        return self.state != self.State.DRAFT


class Signature(models.Model):
    """One person's signature, unique per petition by normalised email.

    `counted` says whether it is in the totals now: confirmed (or confirmation not
    required), not suspect and not invalidated. It changes only together with a CountChange.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    supporter = models.ForeignKey(
        Supporter, null=True, on_delete=models.SET_NULL, related_name="signatures"
    )
    name = models.CharField(max_length=100)
    email = models.EmailField(help_text="Normalised: trimmed, lower case.")
    canonical_email = models.CharField(
        max_length=254, db_index=True, help_text="Without plus-tags or Gmail dots."
    )
    email_domain = models.CharField(max_length=254, db_index=True)
    postcode = models.CharField(max_length=8)
    constituency_code = models.CharField(max_length=9, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    counted = models.BooleanField(default=False)
    source = models.CharField(max_length=50, blank=True, help_text="web, api, or ?source=")
    referred_by = models.CharField(
        max_length=16, blank=True, help_text="The share code of the link it came from."
    )
    share_code = models.CharField(max_length=16, db_index=True)
    ip_hash = models.CharField(max_length=32, blank=True, db_index=True)
    is_suspect = models.BooleanField(
        default=False,
        help_text="Over a rate limit when signed: kept, not counted unless restored.",
    )
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidation_reason = models.CharField(max_length=200, blank=True)
    restored_at = models.DateTimeField(
        null=True, blank=True, help_text="When an organiser cleared its suspicion."
    )
    restoration_reason = models.CharField(max_length=200, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organiser who restored it.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "email"], name="one_signature_per_email")
        ]

    def __str__(self):
        return f"{self.name} on {self.petition_id}"

    @property
    def state(self) -> str:
        if self.invalidated_at:
            return "invalidated"
        if self.is_suspect:
            return "suspect"
        return "counted" if self.counted else "pending"


class VenueAllowance(models.Model):
    """One connection (a street stall, a meeting hall) allowed to sign many people for a
    while: its signatures are not made suspect by the per-IP limits (domain limits still
    apply). The IP address is kept only as core.http.client_ip_hash, never as itself."""

    label = models.CharField(max_length=100, help_text="e.g. Market Street stall, Saturday.")
    ip_hash = models.CharField(max_length=32, db_index=True)
    petition = models.ForeignKey(
        Petition,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="venue_allowances",
        help_text="Leave empty to allow it for every petition.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="venue_allowance_ends_after_it_starts",
                violation_error_message="The allowance must end after it starts.",
            )
        ]

    def __str__(self):
        return self.label


class CountChange(models.Model):
    """+1 or -1 for a petition and constituency, waiting to be folded into the counts."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    constituency_code = models.CharField(max_length=9, blank=True)
    delta = models.SmallIntegerField()

    def __str__(self):
        return f"{self.delta:+d} for {self.petition_id} in {self.constituency_code or '?'}"


class PetitionCount(models.Model):
    petition = models.OneToOneField(
        Petition, primary_key=True, on_delete=models.CASCADE, related_name="count"
    )
    total = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.total} for {self.petition_id}"


class ConstituencyCount(models.Model):
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="constituency_counts"
    )
    constituency_code = models.CharField(max_length=9, blank=True)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "constituency_code"], name="one_count_per_constituency"
            )
        ]
        indexes = [models.Index(fields=["petition", "-total"])]

    def __str__(self):
        return f"{self.total} for {self.petition_id} in {self.constituency_code or '?'}"


class PetitionViewDay(models.Model):
    """How many times the petition's page was shown on a day (UK time): the top of the
    funnel the organisers' dashboard draws (page view to confirmed signature). No one is
    recorded, only the count."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="view_days")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "day"], name="one_view_count_per_day")
        ]

    def __str__(self):
        return f"{self.views} views of {self.petition_id} on {self.day}"
