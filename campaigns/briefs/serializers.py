from rest_framework import serializers

from campaigns.briefs.models import TEXT_MAX
from core.api import UTC_TIME


class BriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.CharField(source="campaign.slug")
    title = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField()
    skills = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField(**UTC_TIME)
    places = serializers.IntegerField()
    places_taken = serializers.IntegerField()

    def get_skills(self, brief) -> list[str]:
        return [skill.slug for skill in brief.skills.all()]


class SubmissionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    brief = serializers.IntegerField(source="brief_id")
    brief_title = serializers.CharField(source="brief.title")
    state = serializers.CharField()
    has_image = serializers.SerializerMethodField()
    image_alt = serializers.CharField()
    video_url = serializers.CharField()
    text = serializers.CharField()
    note = serializers.CharField(help_text="The organiser's note, when it was returned.")
    claimed_at = serializers.DateTimeField(**UTC_TIME)
    submitted_at = serializers.DateTimeField(allow_null=True, **UTC_TIME)

    def get_has_image(self, submission) -> bool:
        return bool(submission.image)


class SubmitInput(serializers.Serializer):
    image = serializers.FileField(required=False)
    image_alt = serializers.CharField(required=False, allow_blank=True, max_length=300)
    video_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    text = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
