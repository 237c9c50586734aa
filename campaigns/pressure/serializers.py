from datetime import UTC

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.pressure.models import URL_MAX, ActionKind, ReportedKind

# Times in the API are UTC instants ("...Z").
UTC_TIME = {"default_timezone": UTC}


class ActionReportInput(serializers.Serializer):
    """An action taken outside the platform. Only these fields are read: who reported it
    is the signed-in account, never a field."""

    target = serializers.IntegerField(
        help_text="The target's id (campaigns/{slug}/targets/); its campaign is published."
    )
    kind = serializers.ChoiceField(choices=ReportedKind.choices)
    url = serializers.CharField(
        max_length=URL_MAX,
        required=False,
        allow_blank=True,
        help_text="The post's address, http or https (posts only, and required for them).",
    )
    occurred_at = serializers.DateTimeField(
        required=False,
        help_text="When you did it (now if left out): not in the future, and at most "
        "REPORTED_ACTION_MAX_AGE_DAYS (30) days ago.",
        **UTC_TIME,
    )


class ActionReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    target = serializers.IntegerField(source="target_id")
    target_name = serializers.CharField(source="target.name")
    campaign = serializers.SlugField(source="target.campaign.slug")
    url = serializers.CharField()
    occurred_at = serializers.DateTimeField(**UTC_TIME)
    created_at = serializers.DateTimeField(**UTC_TIME)


class ActionsQuery(serializers.Serializer):
    all = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Organisers: everyone's actions, each with who acted (a supporter id). "
        "Anyone else gets 403. Without it, your own actions.",
    )
    campaign = serializers.SlugField(required=False, help_text="A campaign's slug.")
    target = serializers.IntegerField(required=False, help_text="A target's id.")
    kind = serializers.ChoiceField(choices=ActionKind.choices, required=False)
    occurred_after = serializers.DateTimeField(
        required=False,
        help_text="Actions at or after this time.",
        **UTC_TIME,
    )
    occurred_before = serializers.DateTimeField(
        required=False,
        help_text="Actions before this time.",
        **UTC_TIME,
    )

    def filters(self) -> dict:
        data = self.validated_data
        return {
            "campaign_slug": data.get("campaign", ""),
            "target_id": data.get("target"),
            "kind": data.get("kind", ""),
            "occurred_after": data.get("occurred_after"),
            "occurred_before": data.get("occurred_before"),
        }


class ActionOutput(serializers.Serializer):
    """One action against a target (a signature, a letter, a storm post, an event attended,
    or a call, post or surgery visit reported here), newest first."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    occurred_at = serializers.DateTimeField(**UTC_TIME)
    target = serializers.IntegerField(source="target_id")
    target_name = serializers.CharField(source="target.name")
    campaign = serializers.SlugField(source="target.campaign.slug")
    source = serializers.CharField(
        help_text="What produced it, as app.thing: petitions.signature, letters.letter, "
        "storms.report, events.rsvp, pressure.reported (a report made here: source_id is "
        "its id)."
    )
    source_id = serializers.IntegerField()
    supporter = serializers.SerializerMethodField()

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True,
            help_text="Who acted, as a supporter id: in organisers' lists (all=1) only, and "
            "null there once they are erased.",
        )
    )
    def get_supporter(self, record):
        return record.supporter_id if self.context.get("everyone") else None
