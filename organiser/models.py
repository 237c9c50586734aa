"""What organisers schedule: messages to an audience, and the outbox they fan out to.

A ScheduledMessage lives in the database from draft to sent; the broker only ever holds
work that the database can recreate (organiser/services/sending.py). Its outbox has one
OutboxEmail per recipient, unique per (message, supporter), and each row is sent at most
once: a sender claims a batch of rows, sends them, and marks each sent under its claim.
"""

from django.conf import settings
from django.db import models

from campaigns.events.models import Event, Shift
from campaigns.letters.models import LetterCampaign
from campaigns.petitions.models import Petition
from campaigns.storms.models import Twitterstorm
from campaigns.targets.models import Campaign
from volunteers.models import Supporter

SUBJECT_MAX = 150
BODY_MAX = 20_000


class ScheduledMessage(models.Model):
    """An email to an audience at a time: a reminder or a campaign update.

    Subject and body are Django templates rendered per recipient with a few fields
    (organiser/rendering.py lists them); the HTML part is the escaped body. `version` goes
    up with every edit, and each outbox row records the version it was sent in.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    class Audience(models.TextChoices):
        STORM_PLEDGERS = "storm_pledgers", "Pledgers of a Twitterstorm"
        EVENT_RSVPS = "event_rsvps", "People signed up to an event"
        SHIFT_RSVPS = "shift_rsvps", "People signed up to one shift"
        PETITION_SIGNERS = "petition_signers", "Signers of a petition who opted in"
        LETTER_WRITERS = "letter_writers", "Letter writers who opted in"
        VOLUNTEERS = "volunteers", "Volunteers who opted in (by region, constituency or skill)"
        OPTED_IN = "opted_in", "Everyone who opted in to campaign email"

    class Kind(models.TextChoices):
        # Asked for by signing up to the storm or event it is about: the sign-up is the
        # consent, and the weekly cap does not apply.
        REMINDER = "reminder", "Reminder of something they signed up to"
        # Everything else: only to people with a live campaign-email consent, capped.
        CAMPAIGN = "campaign", "Campaign email (needs their consent, capped per week)"

    REMINDER_AUDIENCES = {Audience.STORM_PLEDGERS, Audience.EVENT_RSVPS, Audience.SHIFT_RSVPS}

    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    name = models.CharField(
        max_length=150, help_text="For organisers only, e.g. 'Storm reminder, 1 hour before'."
    )
    subject = models.CharField(max_length=SUBJECT_MAX, help_text="A template, e.g. {{ hashtag }}.")
    body = models.TextField(help_text="Plain text; a template with the fields listed below.")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    storm = models.ForeignKey(
        Twitterstorm, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    petition = models.ForeignKey(
        Petition, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    letter_campaign = models.ForeignKey(
        LetterCampaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.CharField(max_length=60, blank=True, help_text="Volunteers: only this region.")
    constituency_code = models.CharField(
        "constituency ONS code", max_length=9, blank=True, help_text="Volunteers: only this seat."
    )
    skill = models.ForeignKey(
        "volunteers.Skill",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Volunteers: only those with this skill.",
    )
    skill_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(2, "Confident or expert"), (3, "Expert")],
        help_text="Volunteers with the skill: at least this level (any level if empty).",
    )
    send_at = models.DateTimeField(
        null=True, blank=True, help_text="In UK time. Moved out of quiet hours when scheduled."
    )
    send_by = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Past this (e.g. the start of the storm) nothing more is sent: too late to help.",
    )
    # The default reminder this is (its distance before the storm or shift starts), so the task
    # that creates them makes each once; organisers may edit or cancel it.
    reminder_before = models.DurationField(null=True, blank=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When a sender last claimed a batch (or work was enqueued): a message still SENDING
    # with nothing claimed for a claim period has lost its senders, and the sweeper
    # enqueues new ones.
    last_claim_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-send_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["storm", "reminder_before"],
                condition=models.Q(reminder_before__isnull=False, storm__isnull=False),
                name="one_default_reminder_per_storm_and_time",
            ),
            models.UniqueConstraint(
                fields=["shift", "reminder_before"],
                condition=models.Q(reminder_before__isnull=False, shift__isnull=False),
                name="one_default_reminder_per_shift_and_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["scheduled", "sending", "sent"])
                | models.Q(send_at__isnull=False),
                name="scheduled_message_has_a_time",
            ),
        ]
        indexes = [models.Index(fields=["state", "send_at"])]

    def __str__(self):
        return self.name

    @property
    def kind(self) -> str:
        if self.audience in self.REMINDER_AUDIENCES:
            return self.Kind.REMINDER
        return self.Kind.CAMPAIGN


class OutboxEmail(models.Model):
    """One message to one supporter: written when the message fans out, sent at most once.

    A sender claims rows (claim_token, claimed_until) before sending them; a claim that
    expires (its worker died) is taken again by the next sender. The address is read from
    the supporter when sending, so an erasure or an unsubscribe in between is honoured.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    class Skip(models.TextChoices):
        SUPPRESSED = "suppressed", "Unsubscribed or suppressed"
        NO_CONSENT = "no_consent", "No live consent"
        CAPPED = "capped", "Weekly cap reached"
        LATE = "late", "Too late to help"
        ERASED = "erased", "Erased"
        CANCELLED = "cancelled", "Message cancelled"

    class Delivery(models.TextChoices):
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Marked as spam"

    message = models.ForeignKey(ScheduledMessage, on_delete=models.CASCADE, related_name="outbox")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="outbox")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    skip_reason = models.CharField(max_length=12, choices=Skip.choices, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    version_sent = models.PositiveIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=12, choices=Delivery.choices, blank=True)
    delivery_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its recipient unsubscribed from this email."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "supporter"], name="one_outbox_email_per_message_and_supporter"
            )
        ]
        indexes = [
            models.Index(fields=["message", "state"]),
            models.Index(fields=["supporter", "sent_at"]),
        ]

    def __str__(self):
        return f"{self.message} to supporter {self.supporter_id}: {self.state}"


class ScheduledAction(models.Model):
    """Publishing or closing a petition, letter campaign, storm or event at a set time, so
    organisers can plan a week of actions from the admin. The beat task runs it through the
    app's own service (organiser/services/actions.py), once."""

    class Action(models.TextChoices):
        PUBLISH = "publish", "Publish (open)"
        CLOSE = "close", "Close"

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DONE = "done", "Done"
        NOTHING_TO_DO = "nothing_to_do", "Nothing to do (it was already so)"
        CANCELLED = "cancelled", "Cancelled"

    action = models.CharField(max_length=10, choices=Action.choices)
    petition = models.ForeignKey(
        Petition, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    letter_campaign = models.ForeignKey(
        LetterCampaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    storm = models.ForeignKey(
        Twitterstorm, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    run_at = models.DateTimeField(help_text="In UK time.")
    state = models.CharField(max_length=15, choices=State.choices, default=State.SCHEDULED)
    ran_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["run_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(petition__isnull=False, letter_campaign=None, storm=None, event=None)
                    | models.Q(petition=None, letter_campaign__isnull=False, storm=None, event=None)
                    | models.Q(petition=None, letter_campaign=None, storm__isnull=False, event=None)
                    | models.Q(petition=None, letter_campaign=None, storm=None, event__isnull=False)
                ),
                name="scheduled_action_has_one_subject",
                violation_error_message=(
                    "Choose exactly one petition, letter campaign, storm or event."
                ),
            )
        ]
        indexes = [models.Index(fields=["state", "run_at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.subject} at {self.run_at:%Y-%m-%d %H:%M}"

    @property
    def subject(self):
        return self.petition or self.letter_campaign or self.storm or self.event


class DashboardFigure(models.Model):
    """One table of the organisers' dashboard as beat last computed it (a summary table):
    its columns and rows, the chart drawn from them, and when. A page view reads these
    rows and nothing else, so the dashboard costs the same on a million signatures as on
    ten; organiser/dashboard.py writes them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=60, help_text="Names the table and its CSV file.")
    section = models.CharField(max_length=30)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="What the table says, in a sentence.")
    columns = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    chart_svg = models.TextField(blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="one_figure_per_key")
        ]
        ordering = ["campaign", "position"]

    def __str__(self):
        return f"{self.title} ({self.campaign_id})"
