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

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    wording = models.TextField()
    source = models.CharField(max_length=100, help_text="Where it was given, e.g. petition:slug")
    given_at = models.DateTimeField(auto_now_add=True)
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
