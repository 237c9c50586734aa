from rest_framework import serializers

from campaigns.letters.models import ADDRESS_MAX, BODY_MAX, Letter
from core.api import UTC_TIME
from core.forms import column_max_length
from volunteers.places import MAX_INPUT_LENGTH


class LetterCampaignOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    campaign = serializers.SlugField(source="campaign.slug")
    guidance = serializers.CharField()
    talking_points = serializers.ListField(child=serializers.CharField())
    subject_suggestion = serializers.CharField()
    state = serializers.CharField()
    is_open = serializers.BooleanField()
    created_at = serializers.DateTimeField(**UTC_TIME)


class LetterInput(serializers.Serializer):
    """A letter as the writer gives it. Bounds come from the columns; blank values pass, so
    the service says what is missing in its own words (and checks everything else)."""

    name = serializers.CharField(
        max_length=column_max_length(Letter, "writer_name"), allow_blank=True, trim_whitespace=False
    )
    email = serializers.CharField(
        max_length=column_max_length(Letter, "writer_email"), allow_blank=True
    )
    postcode = serializers.CharField(max_length=MAX_INPUT_LENGTH, allow_blank=True)
    address = serializers.CharField(max_length=ADDRESS_MAX, allow_blank=True)
    subject = serializers.CharField(
        max_length=column_max_length(Letter, "subject"), allow_blank=True, trim_whitespace=False
    )
    body = serializers.CharField(max_length=BODY_MAX, allow_blank=True)
    sent_from_own_email = serializers.BooleanField(
        default=False,
        help_text="The writer has sent this letter to their MP from their own email (the "
        "app's mailto link): record it once they confirm it by the emailed link; we send "
        "nothing to the MP.",
    )


class RepresentativeBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    constituency = serializers.CharField(source="constituency.name", default="")


class LetterOutput(serializers.Serializer):
    """One letter, for its own writer: where it is, never anyone else's data (not the
    similar letter, not other writers), and not its text or address."""

    id = serializers.IntegerField()
    letter_campaign = serializers.SlugField(source="letter_campaign.slug")
    representative = RepresentativeBrief()
    kind = serializers.CharField()
    subject = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    sent_from_own_email = serializers.BooleanField(source="sent_by_writer")
    created_at = serializers.DateTimeField(**UTC_TIME)
    confirmed_at = serializers.DateTimeField(allow_null=True, **UTC_TIME)
    sent_at = serializers.DateTimeField(allow_null=True, **UTC_TIME)


class LetterWritten(serializers.Serializer):
    detail = serializers.CharField()
    letter = LetterOutput()


class LetterConfirmInput(serializers.Serializer):
    token = serializers.CharField(max_length=500)
