"""Events: rallies, phone banks, street stalls, canvasses, meetings and online calls.

An Event belongs to a campaign, has a place (a postcode resolved to a location, or an
online link) and one or more Shifts, each with its own start, end and capacity. An RSVP is
one person's place on a shift, or their place in its waiting list: a shift's
places_taken counts the places held (signed up, confirmed, attended, no-show, and offered
to someone from the waiting list), and is only ever changed by one conditional UPDATE, so
capacity holds under any concurrency.
"""

from django.db import models
from django.db.models import F, Q

from campaigns.targets.models import Campaign, Target
from core.sync import UpdatedAtField
from volunteers.models import Supporter, User

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
ADDRESS_MAX = 500
NAME_MAX = 100
PHONE_MAX = 30
CODE_LENGTH = 6
RESERVED_SLUGS = ["confirm", "rsvp", "feed", "propose"]


class Event(models.Model):
    class Kind(models.TextChoices):
        RALLY = "rally", "Rally"
        PHONE_BANK = "phone_bank", "Phone bank"
        STREET_STALL = "street_stall", "Street stall"
        CANVASS = "canvass", "Canvass"
        MEETING = "meeting", "Meeting"
        ONLINE = "online", "Online"

    class AddressVisibility(models.TextChoices):
        PUBLIC = "public", "Everyone"
        ATTENDEES = "attendees", "Only people who have signed up"

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed by a volunteer, waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=TITLE_MAX)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    # Where: an address with its postcode (resolved to a location), or an online link.
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    constituency_code = models.CharField(max_length=9, blank=True)
    online_url = models.URLField(max_length=500, blank=True)
    address_visibility = models.CharField(
        max_length=10, choices=AddressVisibility.choices, default=AddressVisibility.PUBLIC
    )
    target = models.ForeignKey(
        Target,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A target the event presses (a lobby of an MP's surgery): attending it "
        "is an action against them.",
    )
    # Who runs it on the day: shown to organisers; to the public only as a name.
    host = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="hosted_events"
    )
    host_name = models.CharField(max_length=NAME_MAX, blank=True)
    host_email = models.EmailField(blank=True)
    host_phone = models.CharField(max_length=PHONE_MAX, blank=True)
    min_attendance = models.PositiveIntegerField(default=0)
    max_attendance = models.PositiveIntegerField(
        null=True, blank=True, help_text="Across all shifts; empty for no limit beyond them."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.APPROVED)
    sign_ups_closed_at = models.DateTimeField(
        null=True, blank=True, help_text="No new sign-ups from then (set by hand or by a schedule)."
    )
    decline_reason = models.CharField(max_length=500, blank=True)
    proposed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = UpdatedAtField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_SLUGS),
                name="event_slug_not_reserved",
                violation_error_message="That address is taken by the site; choose another.",
            ),
            models.CheckConstraint(
                condition=Q(max_attendance__isnull=True)
                | Q(max_attendance__gte=F("min_attendance")),
                name="event_max_at_least_min",
                violation_error_message="The most who may come must be at least the fewest.",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "kind"]),
            models.Index(fields=["latitude", "longitude"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_online(self) -> bool:
        return self.kind == self.Kind.ONLINE


class Shift(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(help_text="In UK time (stored in UTC).")
    ends_at = models.DateTimeField(help_text="In UK time (stored in UTC).")
    capacity = models.PositiveIntegerField()
    # Places held (signed up, confirmed, attended, no-show, or offered from the waiting
    # list): changed only by services, by one conditional UPDATE.
    places_taken = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="shift_ends_after_it_starts",
                violation_error_message="A shift must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(places_taken__lte=F("capacity")),
                name="shift_never_over_capacity",
                violation_error_message="More places are taken than the shift has.",
            ),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self):
        return f"{self.event} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.places_taken)


HOLDING_STATES = ["signed_up", "confirmed", "offered", "attended", "no_show"]


class RSVP(models.Model):
    class State(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting email confirmation"
        SIGNED_UP = "signed_up", "Signed up"
        CONFIRMED = "confirmed", "Confirmed"  # said the day before they are still coming
        WAITING = "waiting", "Waiting list"
        OFFERED = "offered", "Offered a freed place"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "No-show"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="rsvps")
    # The person; null once erased (the row stays, so the counts do not change).
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="rsvps"
    )
    name = models.CharField(max_length=NAME_MAX)
    email = models.EmailField()
    phone = models.CharField(max_length=PHONE_MAX, blank=True)
    share_contact = models.BooleanField(
        default=False, help_text="Agreed that the host may see their email and phone."
    )
    state = models.CharField(max_length=25, choices=State.choices)
    code = models.CharField(max_length=CODE_LENGTH, help_text="Check-in code.")
    source = models.CharField(
        max_length=50,
        blank=True,
        help_text="Where the sign-up came from: web, api, or a shared link's ?source= or ?ref=.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = UpdatedAtField()
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "supporter"],
                condition=~Q(state="cancelled"),
                name="one_rsvp_per_person_per_shift",
            ),
            models.UniqueConstraint(fields=["shift", "code"], name="rsvp_code_unique_in_shift"),
        ]
        indexes = [
            models.Index(fields=["shift", "state", "waiting_since"]),
            models.Index(fields=["state", "offer_expires_at"]),
        ]

    def __str__(self):
        return f"RSVP {self.pk} to {self.shift_id}"
