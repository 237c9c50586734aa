"""Letters: constituents writing to their own MP, in their own words.

A LetterCampaign is the page a writer writes from (guidance, talking points, the target
statuses that get a thank-you letter instead of pressure); a Letter is one writer's letter
to their own current MP, with its delivery state; LetterBand holds each letter's
locality-sensitive hash bands, so near-copies are found in one indexed query
(campaigns.letters.similarity).
"""

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from campaigns.targets.models import Campaign, Representative
from volunteers.models import Supporter

NAME_MAX = 100
SUBJECT_MAX = 150
BODY_MAX = 10_000
ADDRESS_MAX = 500
GUIDANCE_MAX = 5_000


class LetterCampaign(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="letter_campaigns"
    )
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True, help_text="What writers are told before writing.")
    talking_points = models.JSONField(
        default=list, blank=True, help_text="A few short points the writer picks from."
    )
    subject_suggestion = models.CharField(max_length=SUBJECT_MAX, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    goal_statuses = models.JSONField(
        default=list,
        blank=True,
        help_text='Target statuses (e.g. ["nominated"]) whose MPs get a thank-you letter '
        "instead of a pressure letter.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("guidance"), GUIDANCE_MAX),
                name="letter_campaign_guidance_bounded",
            ),
        ]

    def __str__(self):
        return self.title

    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class Letter(models.Model):
    class Kind(models.TextChoices):
        PRESSURE = "pressure", "Pressure"
        THANKS = "thanks", "Thank you"

    class State(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting confirmation"
        HELD_FOR_REVIEW = "held_for_review", "Held for review"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"  # claimed by one worker; never sent twice
        SENT = "sent", "Sent"
        BOUNCED = "bounced", "Bounced"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    letter_campaign = models.ForeignKey(
        LetterCampaign, on_delete=models.PROTECT, related_name="letters"
    )
    # The writer; null once erased (the row stays so counts per MP do not change).
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )
    representative = models.ForeignKey(
        Representative, on_delete=models.PROTECT, related_name="letters"
    )
    writer_name = models.CharField(max_length=NAME_MAX)
    writer_email = models.EmailField()
    writer_postcode = models.CharField(max_length=8)
    writer_address = models.TextField(help_text="The writer's postal address.")
    constituency_code = models.CharField(max_length=9, blank=True)
    subject = models.CharField(max_length=SUBJECT_MAX)
    body = models.TextField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PRESSURE)
    state = models.CharField(
        max_length=25, choices=State.choices, default=State.AWAITING_CONFIRMATION
    )
    needs_printing = models.BooleanField(
        default=False, help_text="The MP has no email address: print and post it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    copy_sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    # Own words: the MinHash signature of the body, and the closest earlier letter found.
    signature = models.JSONField(default=list, blank=True)
    similarity = models.FloatField(default=0.0)
    similar_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter_campaign", "supporter", "representative"],
                name="one_letter_per_writer_per_mp_per_campaign",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX), name="letter_body_bounded"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("writer_address"), ADDRESS_MAX),
                name="letter_address_bounded",
            ),
        ]
        indexes = [
            models.Index(fields=["letter_campaign", "state"]),
            models.Index(fields=["representative", "state"]),
        ]

    def __str__(self):
        return f"{self.writer_name or 'Erased writer'} to {self.representative_id}"


class LetterBand(models.Model):
    """One LSH band of a letter's MinHash signature: letters sharing any (band, value) in
    the same campaign are candidate near-copies."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="bands")
    letter_campaign = models.ForeignKey(LetterCampaign, on_delete=models.CASCADE, related_name="+")
    band = models.PositiveSmallIntegerField()
    value = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["letter_campaign", "band", "value"])]
        constraints = [
            models.UniqueConstraint(fields=["letter", "band"], name="one_value_per_letter_band")
        ]

    def __str__(self):
        return f"letter {self.letter_id} band {self.band}"
