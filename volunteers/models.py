"""People: accounts (User) and everyone the campaign knows (Supporter)."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils import timezone


def normalise_email(email: str) -> str:
    """The form in which an address is stored and matched: trimmed and lower case.

    Mailbox names are case-insensitive at every provider a campaign will meet, and
    supporters type their address differently on different days.
    """
    return (email or "").strip().lower()


EMAIL_MAX = 254  # the longest address SMTP carries


def email_checked(raw, *, errors: dict, field: str = "email") -> str:
    """The address as stored (normalise_email), or "" with "Enter a valid email address."
    in `errors[field]` for one that is not an address or is longer than EMAIL_MAX."""
    email = normalise_email(raw if isinstance(raw, str) else "")
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors[field] = "Enter a valid email address."
        return ""
    return email


GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(email: str) -> str:
    """The address with everything one person can vary at will removed (case, plus-tags,
    dots in a Gmail local part), so one person's many spellings can be counted as one."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: volunteers and organisers sign in with their email address."""

    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Organisers: may sign in to the admin site."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower(models.F("email"))), name="user_email_normalised"
            )
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)


class Supporter(models.Model):
    """A person the campaign knows, by normalised email, with or without an account.

    Petitions, letters, pledges and RSVPs all hang off a Supporter, so one person's actions
    are found (and exported or erased) in one place. A Supporter is linked to a User only
    once that user has verified the address, so nobody can claim another person's record
    by signing up with their email.
    """

    email = models.EmailField(unique=True, help_text="Normalised: trimmed, lower case.")
    name = models.CharField(max_length=150, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    constituency_code = models.CharField(
        "constituency ONS code", max_length=9, blank=True, db_index=True
    )
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="supporter"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_active_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Their latest action (signing, writing, pledging, signing up to an event).",
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower(models.F("email"))),
                name="supporter_email_normalised",
            )
        ]

    def __str__(self):
        return self.email

    @property
    def is_volunteer(self) -> bool:
        return self.user_id is not None


class PostcodeFallback(models.Model):
    """A place known without asking postcodes.io: one full postcode or one outcode.

    volunteers.places reads a full-postcode row before asking postcodes.io (a deliberate
    local entry wins, and the offline demo works) and an outcode row only when postcodes.io
    cannot answer. Reference data about places, not about any person. Loaded with
    `manage.py load_postcode_fallback` and, for the demo postcodes, by seed_demo.
    """

    code = models.CharField(
        max_length=8,
        unique=True,
        help_text='A canonical full postcode ("SW1A 1AA") or an outcode ("SW1A").',
    )
    constituency_code = models.CharField("constituency ONS code", max_length=9)
    constituency_name = models.CharField(max_length=100)
    region = models.CharField(max_length=60, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code=Upper(models.F("code"))),
                name="postcode_fallback_code_upper_case",
            )
        ]

    def __str__(self):
        return f"{self.code}: {self.constituency_name}"


class ConsentRecord(models.Model):
    """A supporter's consent, with the exact wording they agreed to and when.

    Written only when consent is given (an unticked box records nothing); withdrawing sets
    withdrawn_at and keeps the record, as evidence of what was agreed and when.
    """

    class Purpose(models.TextChoices):
        CAMPAIGN_EMAIL = "campaign-email", "Campaign email"
        VOLUNTEERING = "volunteering", "Contact about volunteering"

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    wording = models.TextField()
    source = models.CharField(max_length=100, help_text="Where it was given, e.g. petition:slug")
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["supporter", "purpose"])]

    def __str__(self):
        return f"{self.supporter} {self.purpose} ({self.source})"


class EmailSuppression(models.Model):
    """An address the platform must not email: a mail server refused it for good (a 5xx
    reply) or the provider reported it bounced, which stops all mail to it; or its owner
    unsubscribed, complained of spam or was unsubscribed by an organiser, which stops mass
    email (scheduled messages) and leaves what they ask for themselves (a confirmation
    link, their letter). Deleting the entry (in the admin) lets mail go to it again.

    Keyed by a keyed hash of the normalised address (volunteers.mail.address_hash), never
    the address itself: the list can say "not this one" about an address it is shown, and
    nothing more. volunteers.mail.email_send skips these addresses.
    """

    class Reason(models.TextChoices):
        REFUSED = "refused", "Refused by the mail server"
        BOUNCED = "bounced", "Bounced (reported by the email provider)"
        COMPLAINED = "complained", "Marked as spam by its owner"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed by its owner"
        UNSUBSCRIBED_BY_ORGANISER = "unsubscribed_by_organiser", "Unsubscribed by an organiser"

    # Reasons that stop every email (the address cannot take mail); the others stop only
    # mass email, and are the owner's wish, so they outlive an erasure of their data.
    UNDELIVERABLE = (Reason.REFUSED, Reason.BOUNCED)

    address_hash = models.CharField(
        max_length=64,
        unique=True,
        help_text="HMAC-SHA256 of the normalised address; the address is never stored.",
    )
    reason = models.CharField(max_length=30, choices=Reason.choices)
    smtp_code = models.PositiveSmallIntegerField("SMTP code", null=True, blank=True)
    smtp_reply = models.CharField(
        "SMTP reply", max_length=200, blank=True, help_text="With any address removed."
    )
    source = models.CharField(
        max_length=100, blank=True, help_text="What was being sent, e.g. petition:slug"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.smtp_code or 'no code'})"


class Skill(models.Model):
    """Something a volunteer can do for the campaign (design and memes, video editing...).
    The usual ones come with the platform; organisers add more in the admin."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    """An organiser's label for volunteers ("spokesperson", "has a car")."""

    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    """A group of volunteers (the social-media team, the phone bank), with its leads."""

    name = models.CharField(max_length=100, unique=True)
    leads = models.ManyToManyField(
        "VolunteerProfile", blank=True, related_name="teams_led", help_text="Who runs it."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class HeardFrom(models.TextChoices):
    FRIEND = "friend", "A friend or family member"
    SOCIAL_MEDIA = "social-media", "Social media"
    NEWS = "news", "News, radio or TV"
    EMAIL = "email", "An email from the campaign"
    EVENT = "event", "An event, rally or street stall"
    ORGANISATION = "organisation", "My union, party or another group"
    OTHER = "other", "Somewhere else"


class VolunteerProfile(models.Model):
    """What a volunteer told the campaign when they signed up, and keeps up to date on
    /me/: where they are, how to call them, what they can do and when.

    Belongs to the account (made at sign-up, before the address is verified); the
    account's Supporter (every action they take) joins it once the address is verified.
    Consents ticked at sign-up wait in `pending_consents` until then, and are recorded on
    the Supporter with the time they were given.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="volunteer")
    phone = models.CharField(max_length=20, blank=True, help_text="E.164: +447400123456.")
    postcode = models.CharField(max_length=8)
    constituency_code = models.CharField("constituency ONS code", max_length=9, db_index=True)
    constituency_name = models.CharField(max_length=100)
    region = models.CharField(max_length=60, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    weekday_daytime = models.BooleanField("weekday daytime", default=False)
    weekday_evenings = models.BooleanField("weekday evenings", default=False)
    weekends = models.BooleanField(default=False)
    hours_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    heard_from = models.CharField(
        "heard of the campaign from", max_length=20, choices=HeardFrom.choices, blank=True
    )
    pending_consents = models.JSONField(default=list, blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="volunteers")
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "volunteer"

    def __str__(self):
        return f"volunteer {self.pk}"


HOURS_MAX = 80  # the most hours a week a volunteer can say they give


class VolunteerSkill(models.Model):
    class Level(models.IntegerChoices):
        LEARNING = 1, "Learning"
        CONFIDENT = 2, "Confident"
        EXPERT = 3, "Expert"

    volunteer = models.ForeignKey(VolunteerProfile, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="volunteers")
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    class Meta:
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "skill"], name="volunteer_skill_once"),
            models.CheckConstraint(
                condition=models.Q(level__in=[1, 2, 3]), name="volunteer_skill_level_known"
            ),
        ]
        indexes = [models.Index(fields=["skill", "level"], name="volunteer_skill_level")]

    def __str__(self):
        return f"{self.skill} ({self.get_level_display()})"

    @classmethod
    def level_of(cls, value) -> int | None:
        """A level as a form or the app gives it (1-3, "2", or "expert" in any case), or
        None for anything else."""
        text = str(value).strip().lower()
        for number, label in cls.Level.choices:
            if text in (str(number), label.lower()):
                return number
        return None


class OrganiserAccess(models.Model):
    """The audit log of organisers' access to volunteers' personal data: every view of a
    volunteer's record and every export, by whom and when. Holds no personal values: the
    volunteer by id, and an export by its filters and size (never a search term)."""

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed a volunteer's record"
        EXPORTED = "exported", "Exported volunteers (CSV)"
        LISTED = "listed", "Listed volunteers (API)"

    organiser = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    action = models.CharField(max_length=20, choices=Action.choices, editable=False)
    volunteer_id = models.BigIntegerField(null=True, blank=True, editable=False)
    detail = models.CharField(max_length=300, blank=True, editable=False)
    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "organiser access"
        verbose_name_plural = "organiser access log"

    def __str__(self):
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"
