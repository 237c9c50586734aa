from datetime import UTC

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.storms import fits
from campaigns.storms.models import POST_MAX, URL_MAX

# Times in the API are UTC instants ("...Z"); the pages show them in UK time.
UTC_TIME = {"default_timezone": UTC}


class AngleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    prompt = serializers.CharField()


class StormOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    campaign = serializers.SlugField(source="campaign.slug")
    hashtag = serializers.CharField()
    networks = serializers.ListField(child=serializers.ChoiceField(choices=list(fits.NETWORKS)))
    starts_at = serializers.DateTimeField(**UTC_TIME)
    ends_at = serializers.DateTimeField(**UTC_TIME)
    phase = serializers.SerializerMethodField()

    def get_phase(self, storm) -> str:
        return storm.phase()


class CountsOutput(serializers.Serializer):
    pledged = serializers.IntegerField()
    reported = serializers.IntegerField()


class TargetBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AssignmentOutput(serializers.Serializer):
    angle = serializers.SerializerMethodField()
    starter = serializers.CharField()
    target = serializers.SerializerMethodField()
    mentions = serializers.DictField(child=serializers.CharField())

    @extend_schema_field(AngleOutput(allow_null=True))
    def get_angle(self, assignment):
        if assignment.angle_id is None:
            return None
        return {"id": assignment.angle_id, "prompt": assignment.prompt}

    @extend_schema_field(TargetBriefOutput(allow_null=True))
    def get_target(self, assignment):
        if assignment.storm_target_id is None:
            return None
        return {"id": assignment.storm_target_id, "name": assignment.target_name}


class StormDetailOutput(StormOutput):
    briefing = serializers.CharField()
    link = serializers.CharField()
    angles = AngleOutput(many=True, source="angles.all")
    counts = serializers.SerializerMethodField()
    assignment = serializers.SerializerMethodField()

    @extend_schema_field(CountsOutput)
    def get_counts(self, storm):
        return CountsOutput(self.context["counts"]).data

    @extend_schema_field(AssignmentOutput(allow_null=True))
    def get_assignment(self, storm):
        assignment = self.context.get("assignment")
        return AssignmentOutput(assignment).data if assignment is not None else None


class PledgeInput(serializers.Serializer):
    """Signed in: no fields (the account pledges). Otherwise an email address, confirmed by
    the emailed link."""

    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class PledgeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    storm = serializers.IntegerField(source="storm_id")
    via = serializers.CharField()
    state = serializers.CharField()
    created_at = serializers.DateTimeField(**UTC_TIME)
    confirmed_at = serializers.DateTimeField(allow_null=True, **UTC_TIME)


class EmailPledgeOutput(serializers.Serializer):
    detail = serializers.CharField()


class PledgeConfirmInput(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class ReportInput(serializers.Serializer):
    network = serializers.CharField(max_length=10, required=False, allow_blank=True)
    post_url = serializers.CharField(max_length=URL_MAX, required=False, allow_blank=True)


class ReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    storm = serializers.IntegerField(source="storm_id")
    network = serializers.CharField()
    post_url = serializers.CharField()
    created_at = serializers.DateTimeField(**UTC_TIME)


class PostCheckInput(serializers.Serializer):
    post = serializers.CharField(max_length=POST_MAX, allow_blank=True, trim_whitespace=False)
    target = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The storm target the post is aimed at (its mention is counted); the "
        "signed-in pledger's own target when left out.",
    )


class FitOutput(serializers.Serializer):
    network = serializers.CharField()
    length = serializers.IntegerField()
    limit = serializers.IntegerField()
    fits = serializers.BooleanField()


class PostCheckOutput(serializers.Serializer):
    texts = serializers.DictField(child=serializers.CharField())
    fits = FitOutput(many=True)
    intents = serializers.DictField(child=serializers.CharField())
    is_starter = serializers.BooleanField()


class MyPledgeOutput(PledgeOutput):
    storm_slug = serializers.SlugField(source="storm.slug")
    hashtag = serializers.CharField(source="storm.hashtag")
    starts_at = serializers.DateTimeField(source="storm.starts_at", **UTC_TIME)
