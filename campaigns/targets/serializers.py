from rest_framework import serializers

from campaigns.targets.models import NOTE_MAX_LENGTH, TargetStatus, TargetStatusChange
from core.api import UTC_TIME


class PartyOutput(serializers.Serializer):
    name = serializers.CharField()
    abbreviation = serializers.CharField()
    colour = serializers.CharField()


class ConstituencyOutput(serializers.Serializer):
    ons_code = serializers.CharField(allow_null=True)
    parliament_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    nation = serializers.CharField()
    region = serializers.CharField()
    electorate = serializers.IntegerField(allow_null=True)
    turnout = serializers.IntegerField(allow_null=True)
    majority = serializers.IntegerField(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


class ContactOutput(serializers.Serializer):
    email = serializers.CharField()
    phone = serializers.CharField()
    x_handle = serializers.CharField()
    x_url = serializers.CharField()
    website = serializers.CharField()


class RepresentativeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    parliament_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    address_as = serializers.CharField()
    party = PartyOutput(allow_null=True)
    constituency = ConstituencyOutput(allow_null=True)
    contact = ContactOutput(source="*")
    social_links = serializers.DictField(child=serializers.CharField())
    photo_url = serializers.CharField()
    is_current = serializers.BooleanField()


class TallyOutput(serializers.Serializer):
    threshold = serializers.IntegerField(allow_null=True)
    nominated = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    counts = serializers.SerializerMethodField()
    last_changed_at = serializers.DateTimeField(allow_null=True, **UTC_TIME)

    def get_counts(self, tally) -> dict[str, int]:
        return {status: count for status, _, count in tally.rows}


class CampaignOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    description = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    threshold = serializers.IntegerField(allow_null=True)
    is_demo = serializers.BooleanField()
    tally = serializers.SerializerMethodField()

    def get_tally(self, campaign) -> dict:
        return TallyOutput(self.context["tallies"][campaign.pk]).data


class TargetOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    status_changed_at = serializers.DateTimeField(allow_null=True, **UTC_TIME)
    party = PartyOutput(allow_null=True)
    constituency = ConstituencyOutput(allow_null=True)
    contact = ContactOutput(source="*")
    representative_id = serializers.IntegerField(allow_null=True)
    figures = serializers.SerializerMethodField()

    def get_figures(self, target) -> dict[str, dict]:
        """What other apps count for this target ({"letters_sent": {"label": "Letters
        sent", "value": 12}, ...}), from the page's figures in the context
        (campaigns.targets.figures), so each provider runs once a page."""
        figures = self.context.get("figures", {}).get(target.pk, {})
        return {
            key: {"label": figure.label, "value": figure.value, "display": str(figure)}
            for key, figure in figures.items()
        }


class TargetStatusInput(serializers.ModelSerializer):
    """A status change: the new status and the link where it was reported (required).
    Field bounds come from the history's columns, so a value too long is a 400."""

    status = serializers.ChoiceField(choices=TargetStatus.choices)

    class Meta:
        model = TargetStatusChange
        fields = ["status", "source_url", "note"]
        extra_kwargs = {
            "source_url": {"required": True, "allow_blank": False},
            "note": {"max_length": NOTE_MAX_LENGTH},
        }


class MarginalsQuery(serializers.Serializer):
    postcode = serializers.CharField(max_length=20)
    max_share = serializers.ChoiceField(
        choices=[str(share) for share in (0.05, 0.1, 0.15, 0.2)],
        default="0.1",
        help_text="Majority under this share of the vote: 0.05, 0.1, 0.15 or 0.2.",
    )


class LocalLinkOutput(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True, **UTC_TIME)


class MarginalSeatOutput(serializers.Serializer):
    constituency = ConstituencyOutput()
    mp = serializers.CharField(source="mp.name", allow_null=True, default=None)
    party = serializers.CharField(source="mp.party.name", allow_null=True, default=None)
    majority = serializers.IntegerField()
    majority_share = serializers.FloatField()
    distance_km = serializers.FloatField()
    events = LocalLinkOutput(source="local", many=True)
