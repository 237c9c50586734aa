from rest_framework import serializers

from campaigns.petitions.models import Signature
from core.api import UTC_TIME
from core.forms import column_max_length
from volunteers.places import MAX_INPUT_LENGTH


class SeatCountOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    total = serializers.IntegerField()


class PetitionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    text = serializers.CharField()
    campaign = serializers.SlugField(source="campaign.slug")
    state = serializers.CharField()
    is_open = serializers.SerializerMethodField()
    goal = serializers.IntegerField()
    milestones = serializers.ListField(child=serializers.IntegerField())
    opens_at = serializers.DateTimeField(**UTC_TIME)
    closes_at = serializers.DateTimeField(allow_null=True, **UTC_TIME)
    confirmation_required = serializers.BooleanField()
    total = serializers.SerializerMethodField()

    def get_is_open(self, petition) -> bool:
        return petition.is_open()

    def get_total(self, petition) -> int:
        count = getattr(petition, "count", None)
        return count.total if count else 0


class PetitionDetailOutput(PetitionOutput):
    constituencies = serializers.SerializerMethodField()

    def get_constituencies(self, petition) -> list[dict]:
        return SeatCountOutput(self.context["constituencies"], many=True).data


class SignInput(serializers.Serializer):
    name = serializers.CharField(max_length=column_max_length(Signature, "name"), allow_blank=True)
    email = serializers.CharField(
        max_length=column_max_length(Signature, "email"), allow_blank=True
    )
    postcode = serializers.CharField(max_length=MAX_INPUT_LENGTH, allow_blank=True)
    campaign_email_opt_in = serializers.BooleanField(default=False)
    source = serializers.CharField(
        max_length=column_max_length(Signature, "source"), required=False, default="api"
    )
    ref = serializers.CharField(
        max_length=column_max_length(Signature, "referred_by"),
        required=False,
        default="",
        allow_blank=True,
    )


class SignOutput(serializers.Serializer):
    detail = serializers.CharField()
    confirmation_required = serializers.BooleanField()
    constituency_code = serializers.CharField()
    share_url = serializers.CharField()


class CountOutput(serializers.Serializer):
    total = serializers.IntegerField()
    goal = serializers.IntegerField()
    updated_at = serializers.DateTimeField(**UTC_TIME)


class ConfirmInput(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class ConfirmOutput(serializers.Serializer):
    petition = serializers.SlugField()
    confirmed = serializers.BooleanField()
