from datetime import UTC

from rest_framework import serializers

from campaigns.events.models import NAME_MAX, PHONE_MAX, Event
from volunteers.places import MAX_INPUT_LENGTH

UTC_TIME = {"default_timezone": UTC}


class EventFilters(serializers.Serializer):
    """The list's query parameters: kind, from and to (UK dates), starts_after and
    starts_before (instants, as every time range of the API is named), near (a
    postcode), within_km and has_places."""

    kind = serializers.ChoiceField(choices=Event.Kind.choices, required=False)
    starts_after = serializers.DateTimeField(
        required=False,
        help_text="With a shift starting at or after this time (ISO 8601).",
        **UTC_TIME,
    )
    starts_before = serializers.DateTimeField(
        required=False,
        help_text="With a shift starting before this time (ISO 8601).",
        **UTC_TIME,
    )
    near = serializers.CharField(max_length=MAX_INPUT_LENGTH, required=False)
    within_km = serializers.FloatField(min_value=0.1, max_value=1000, required=False)
    has_places = serializers.BooleanField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        # "from" and "to" are Python keywords, so not attribute names.
        fields["from"] = serializers.DateField(required=False, help_text="Starting on or after.")
        fields["to"] = serializers.DateField(required=False, help_text="Starting on or before.")
        return fields

    def validate(self, data):
        after, before = data.get("starts_after"), data.get("starts_before")
        if after and before and before <= after:
            raise serializers.ValidationError(
                {"starts_before": ["Give a time after starts_after."]}
            )
        return data


class ShiftOutput(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField(**UTC_TIME)
    ends_at = serializers.DateTimeField(**UTC_TIME)
    capacity = serializers.IntegerField()
    places_left = serializers.IntegerField()


class EventOutput(serializers.Serializer):
    """An event; its address (or online link) only where the caller may see it."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    kind = serializers.CharField()
    campaign = serializers.SlugField(source="campaign.slug")
    description = serializers.CharField()
    host_name = serializers.CharField()
    next_starts_at = serializers.DateTimeField(**UTC_TIME, required=False)
    distance_km = serializers.SerializerMethodField()
    address_visible = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    postcode = serializers.SerializerMethodField()
    online_url = serializers.SerializerMethodField()
    shifts = ShiftOutput(many=True, source="shifts.all")

    def _visible(self, event) -> bool:
        return (
            event.address_visibility == Event.AddressVisibility.PUBLIC
            or event.pk in self.context.get("visible_ids", ())
        )

    def get_distance_km(self, event) -> float | None:
        distance = getattr(event, "distance_km", None)
        return round(distance, 2) if distance is not None else None

    def get_address_visible(self, event) -> bool:
        return self._visible(event)

    def get_address(self, event) -> str | None:
        return event.address if self._visible(event) else None

    def get_postcode(self, event) -> str | None:
        return event.postcode if self._visible(event) else None

    def get_online_url(self, event) -> str | None:
        return event.online_url if self._visible(event) else None


class RSVPInput(serializers.Serializer):
    """Signed in: the shift only (and a phone if you like). Otherwise a name and an email,
    confirmed by the emailed link."""

    shift = serializers.IntegerField()
    name = serializers.CharField(max_length=NAME_MAX, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=PHONE_MAX, required=False, allow_blank=True)
    share_contact = serializers.BooleanField(required=False, default=False)
    source = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text="Where the sign-up came from (a campaign's share code or channel); default api.",
    )


class RSVPOutput(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.IntegerField(source="shift.event_id")
    shift = serializers.IntegerField(source="shift_id")
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    code = serializers.CharField()
    created_at = serializers.DateTimeField(**UTC_TIME)
    offer_expires_at = serializers.DateTimeField(**UTC_TIME, allow_null=True)


class AcceptedOutput(serializers.Serializer):
    detail = serializers.CharField()


class TokenInput(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class CheckInInput(serializers.Serializer):
    code = serializers.CharField(max_length=20)


class CheckInOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    state = serializers.CharField()
    checked_in_at = serializers.DateTimeField(**UTC_TIME)
