"""Letters: constituents writing to their own MP, in their own words.

A LetterCampaign is the page a writer writes from (guidance, talking points, the target
statuses that get a thank-you letter instead of pressure); a Letter is one writer's letter
to their own current MP, with its delivery state; LetterBand holds each letter's
locality-sensitive hash bands, so near-copies are found in one indexed query
(campaigns.letters.similarity); LetterDayCount counts the letters to each MP each day, for
the daily cap.
"""

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from campaigns.targets.models import Campaign, Representative
from core.sync import UpdatedAtField
from volunteers.models import Supporter

NAME_MAX = 100
SUBJECT_MAX = 150
BODY_MAX = 10_000
ADDRESS_MAX = 500
GUIDANCE_MAX = 5_000


RESERVED_SLUGS = ["confirm", "reply", "rewrite"]


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
    updated_at = UpdatedAtField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("guidance"), GUIDANCE_MAX),
                name="letter_campaign_guidance_bounded",
            ),
            # /letters/confirm/, /letters/reply/ and /letters/rewrite/ are the emailed
            # links' pages.
            models.CheckConstraint(
                condition=~models.Q(slug__in=RESERVED_SLUGS),
                name="letter_campaign_slug_not_reserved",
                violation_error_message="That address is taken by the site; choose another.",
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

    class HoldReason(models.TextChoices):
        SIMILAR = "similar", "Too like another letter"
        RATE_LIMIT = "rate_limit", "Many letters from one network or email domain"
        OTHER_CONSTITUENCY = "other_constituency", "Same writer, another constituency"

    class Reply(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_YET = "not_yet", "Not yet"

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
    sent_by_writer = models.BooleanField(
        default=False,
        help_text="The writer sent it from their own email and told us so: we did not "
        "send it, and its text is what they said they sent.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = UpdatedAtField()
    # When it began waiting for its writer's confirmation: when written, or when an
    # organiser released it from review. Expiry and the reminder count from here.
    awaiting_since = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(
        null=True, blank=True, help_text="When a worker claimed it for sending."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    copy_sent_at = models.DateTimeField(null=True, blank=True)
    writer_told_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its writer was emailed that it bounced or was turned down (once).",
    )
    bounced_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the one reminder to confirm was sent."
    )
    ip_hash = models.CharField(max_length=64, blank=True)
    # A keyed hash of the writer's canonical address: the same person writing from
    # postcodes in two constituencies within a day is found without storing the address
    # twice. Emptied on erasure and scrubbing.
    email_hash = models.CharField(max_length=64, blank=True)
    hold_reason = models.CharField(
        max_length=20, choices=HoldReason.choices, blank=True, help_text="Why it is held."
    )
    other_constituency = models.BooleanField(
        default=False,
        help_text="Its email wrote from another constituency within a day.",
    )
    # The follow-up two weeks after sending: asked once, answered once ("not yet" may be
    # replaced by a later answer). Kept when the letter is scrubbed: reply rates use it.
    follow_up_sent_at = models.DateTimeField(null=True, blank=True)
    reply = models.CharField(max_length=10, choices=Reply.choices, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    scrubbed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its text and postal address were removed."
    )
    # Own words: the MinHash signature of the body, and the closest earlier letter found.
    signature = models.JSONField(default=list, blank=True)
    similarity = models.FloatField(default=0.0)
    similar_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why an organiser did not send it; the writer is told.",
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [("view_letter_body", "Can read letters' bodies and postal addresses")]
        constraints = [
            # An expired letter never reached the MP, so it does not stop its writer
            # writing again.
            models.UniqueConstraint(
                fields=["letter_campaign", "supporter", "representative"],
                condition=~models.Q(state="expired"),
                name="one_letter_per_writer_per_mp_per_campaign",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX), name="letter_body_bounded"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("writer_address"), ADDRESS_MAX),
                name="letter_address_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(reply__in=["", "yes", "no", "not_yet"]),
                name="letter_reply_known",
            ),
        ]
        indexes = [
            models.Index(fields=["letter_campaign", "state"]),
            models.Index(fields=["representative", "state"]),
            # The housekeeping tasks: letters by state and age.
            models.Index(fields=["state", "created_at"], name="letter_state_created"),
            models.Index(fields=["state", "awaiting_since"], name="letter_state_awaiting"),
            models.Index(fields=["state", "sent_at"], name="letter_state_sent"),
            models.Index(
                fields=["email_hash", "created_at"],
                name="letter_email_recent",
                condition=~models.Q(email_hash=""),
            ),
        ]

    def __str__(self):
        return f"{self.writer_name or 'Erased writer'} to {self.representative_id}"


class LetterDayCount(models.Model):
    """How many letters were written to one MP on one day (in TIME_ZONE), across every
    letter campaign: the row that makes LETTER_DAILY_CAP_PER_MP hold under concurrency (a
    conditional UPDATE of it, in the writing transaction, decides who is past the cap)."""

    representative = models.ForeignKey(Representative, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["representative", "day"], name="one_count_per_mp_day")
        ]

    def __str__(self):
        return f"{self.count} letters to {self.representative_id} on {self.day}"


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
