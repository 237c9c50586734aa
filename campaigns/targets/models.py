"""What pressure is applied to: constituencies, representatives, other targets, campaigns,
and each target's status in a campaign with the history of its changes (the tally)."""

from django.conf import settings
from django.db import models

from core.sync import UpdatedAtField


def x_profile_url(handle: str) -> str:
    return f"https://x.com/{handle}" if handle else ""


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


class Constituency(models.Model):
    """A Westminster constituency, keyed by its ONS code (E14..., S14..., W07..., N06...).

    The Parliament Members API knows constituencies by its own id and name, not by ONS
    code, so a constituency imported from it may have no ONS code until a postcode look-up
    (which gives both code and name) or a loaded table supplies it.
    """

    ons_code = models.CharField("ONS code", max_length=9, unique=True, null=True, blank=True)
    name = models.CharField(max_length=100)
    parliament_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    # Blank until known: the Members API gives neither nation nor ONS code.
    nation = models.CharField(max_length=20, choices=Nation.choices, blank=True)
    region = models.CharField(max_length=60, blank=True, db_index=True)
    electorate = models.PositiveIntegerField(null=True, blank=True)
    turnout = models.PositiveIntegerField(null=True, blank=True)
    majority = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    is_demo = models.BooleanField(default=False, help_text="Generated demo data, not real.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "constituencies"

    def __str__(self):
        return self.name


class Party(models.Model):
    name = models.CharField(max_length=100, unique=True)
    abbreviation = models.CharField(max_length=20, blank=True)
    parliament_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    colour = models.CharField(max_length=7, blank=True, help_text="#rrggbb")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self):
        return self.name


class Representative(models.Model):
    """A Member of Parliament, past or current, with published contact details."""

    parliament_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    name = models.CharField(max_length=150, help_text="As displayed: 'Ms Diane Abbott'.")
    address_as = models.CharField(
        max_length=150, blank=True, help_text="Salutation for a letter: 'Ms Abbott'."
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="representatives"
    )
    constituency = models.ForeignKey(
        Constituency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="representatives",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    x_handle = models.CharField("X/Twitter handle", max_length=50, blank=True)
    social_links = models.JSONField(default=dict, blank=True)
    website = models.URLField(blank=True)
    postal_address = models.CharField(
        max_length=500, blank=True, help_text="Office address for letters sent by post."
    )
    photo_url = models.URLField(blank=True)
    is_current = models.BooleanField(default=True)
    is_demo = models.BooleanField(default=False, help_text="Generated demo data, not real.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["constituency"],
                condition=models.Q(is_current=True),
                name="one_current_representative_per_constituency",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def x_url(self) -> str:
        return x_profile_url(self.x_handle)

    @property
    def photo_shown_url(self) -> str:
        """photo_url if it comes from an origin in MP_PHOTO_ORIGINS (the ones the
        Content-Security-Policy lets pages load images from), else ""."""
        origins = tuple(origin.rstrip("/") + "/" for origin in settings.MP_PHOTO_ORIGINS)
        return self.photo_url if origins and self.photo_url.startswith(origins) else ""


class Organisation(models.Model):
    """A target that is not a person: a constituency party, a union, a council."""

    class Kind(models.TextChoices):
        CONSTITUENCY_PARTY = "constituency-party", "Constituency party"
        UNION = "union", "Trade union"
        COUNCIL = "council", "Council"
        OTHER = "other", "Other organisation"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    constituency = models.ForeignKey(
        Constituency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    x_handle = models.CharField("X/Twitter handle", max_length=50, blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def x_url(self) -> str:
        return x_profile_url(self.x_handle)


class Campaign(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    threshold = models.PositiveIntegerField(
        null=True, blank=True, help_text="Nominations needed, e.g. 35. Empty for none."
    )
    is_published = models.BooleanField(default=True)
    is_demo = models.BooleanField(default=False, help_text="Generated demo data, not real.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = UpdatedAtField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.title


class TargetStatus(models.TextChoices):
    """Where a target stands, best first; NOMINATED is what counts towards the threshold."""

    NOMINATED = "nominated", "Nominated"
    PLEDGED = "pledged", "Pledged"
    LEANING = "leaning", "Leaning"
    UNDECIDED = "undecided", "Undecided"
    OPPOSED = "opposed", "Opposed"
    NOMINATED_OTHER = "nominated-other", "Nominated someone else"


class Target(models.Model):
    """A representative or organisation that a campaign is trying to move, and where they
    stand now. Changed only through services.target_status_set, which writes the history."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    representative = models.ForeignKey(
        Representative, null=True, blank=True, on_delete=models.PROTECT, related_name="targets"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="targets"
    )
    status = models.CharField(
        max_length=20, choices=TargetStatus.choices, default=TargetStatus.UNDECIDED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    updated_at = UpdatedAtField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(representative__isnull=False, organisation__isnull=True)
                | models.Q(representative__isnull=True, organisation__isnull=False),
                name="target_is_one_representative_or_one_organisation",
            ),
            models.UniqueConstraint(
                fields=["campaign", "representative"], name="representative_targeted_once"
            ),
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="organisation_targeted_once"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self):
        return self.name

    # What lists, exports and the API show, the same for a person or an organisation.
    @property
    def contact(self) -> "Representative | Organisation":
        return self.representative or self.organisation

    @property
    def kind(self) -> str:
        return "representative" if self.representative_id else self.organisation.kind

    @property
    def name(self) -> str:
        return self.contact.name

    @property
    def party(self) -> Party | None:
        return self.representative.party if self.representative_id else None

    @property
    def constituency(self) -> Constituency | None:
        return self.contact.constituency

    @property
    def email(self) -> str:
        return self.contact.email

    @property
    def phone(self) -> str:
        return self.contact.phone

    @property
    def phone_uri(self) -> str:
        """The phone number for a tel: link: digits and a leading +, nothing else."""
        return "".join(c for c in self.phone if c.isdigit() or c == "+")

    @property
    def x_handle(self) -> str:
        return self.contact.x_handle

    @property
    def x_url(self) -> str:
        return self.contact.x_url

    @property
    def website(self) -> str:
        return self.contact.website


# A note is free text in an unbounded column; this is the most a form, the API or an import
# accepts, so no one stores a book by mistake.
NOTE_MAX_LENGTH = 2000


class TargetStatusChange(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=TargetStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TargetStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    source_url = models.URLField(blank=True, help_text="Where the change was reported.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.target}: {self.from_status or '-'} -> {self.to_status}"
