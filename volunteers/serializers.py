from rest_framework import serializers

from core.api import UTC_TIME
from volunteers import services
from volunteers.models import HOURS_MAX, ConsentRecord, HeardFrom, Skill, User, VolunteerSkill
from volunteers.phones import PHONE_INPUT_MAX, phone_checked
from volunteers.places import MAX_INPUT_LENGTH, PlaceError, place_for_postcode
from volunteers.selectors import live_consents

CONSENT_KEYS = {
    "volunteering": ConsentRecord.Purpose.VOLUNTEERING,
    "campaign_email": ConsentRecord.Purpose.CAMPAIGN_EMAIL,
}


class SkillLevelOutput(serializers.Serializer):
    skill = serializers.CharField(source="skill.slug")
    name = serializers.CharField(source="skill.name")
    level = serializers.IntegerField()
    level_name = serializers.CharField(source="get_level_display")


class AvailabilitySerializer(serializers.Serializer):
    weekday_daytime = serializers.BooleanField(required=False)
    weekday_evenings = serializers.BooleanField(required=False)
    weekends = serializers.BooleanField(required=False)
    hours_per_week = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=HOURS_MAX
    )


class ConsentsSerializer(serializers.Serializer):
    """Whether each consent is given now (its history is in the export and on /me/)."""

    volunteering = serializers.BooleanField(required=False)
    campaign_email = serializers.BooleanField(required=False)


class ProfileOutput(serializers.Serializer):
    postcode = serializers.CharField()
    constituency_code = serializers.CharField()
    constituency_name = serializers.CharField()
    region = serializers.CharField()
    phone = serializers.CharField()
    skills = SkillLevelOutput(many=True)
    availability = AvailabilitySerializer(source="*")
    heard_from = serializers.CharField()


class MeOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    is_organiser = serializers.BooleanField(source="is_staff")
    is_volunteer = serializers.SerializerMethodField()
    profile = serializers.SerializerMethodField()
    consents = serializers.SerializerMethodField()

    def get_is_volunteer(self, user) -> bool:
        return hasattr(user, "supporter")

    def get_profile(self, user) -> ProfileOutput(allow_null=True):
        profile = getattr(user, "volunteer", None)
        return None if profile is None else ProfileOutput(profile).data

    def get_consents(self, user) -> ConsentsSerializer:
        live = live_consents(getattr(user, "supporter", None))
        return {key: purpose in live for key, purpose in CONSENT_KEYS.items()}


class SkillSlugField(serializers.SlugRelatedField):
    """A skill, by its slug. DRF's field would look a value holding a NUL character up in
    the database, which PostgreSQL refuses with an error (a 500): no skill has one."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Skill.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class SkillLevelInput(serializers.Serializer):
    skill = SkillSlugField()
    level = serializers.CharField(help_text='1, 2 or 3; or "learning", "confident", "expert".')

    def validate_level(self, value) -> int:
        level = VolunteerSkill.level_of(value)
        if level is None:
            raise serializers.ValidationError(
                'Choose 1, 2 or 3 (or "learning", "confident", "expert").'
            )
        return level


class MeUpdateSerializer(serializers.Serializer):
    """PATCH /api/v1/me/: only what is given changes. `skills` replaces the whole list."""

    name = serializers.CharField(required=False, max_length=User._meta.get_field("name").max_length)
    postcode = serializers.CharField(required=False, max_length=MAX_INPUT_LENGTH)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=PHONE_INPUT_MAX)
    skills = SkillLevelInput(many=True, required=False)
    availability = AvailabilitySerializer(required=False)
    heard_from = serializers.ChoiceField(
        required=False, allow_blank=True, choices=HeardFrom.choices
    )
    consents = ConsentsSerializer(required=False)

    def validate_postcode(self, value):
        try:
            return place_for_postcode(value)
        except PlaceError as error:
            raise serializers.ValidationError(error.message) from None

    def validate_phone(self, value) -> str:
        errors = {}
        phone = phone_checked(value, errors=errors)
        if errors:
            raise serializers.ValidationError(errors["phone"])
        return phone

    def validate_skills(self, value):
        skills = {entry["skill"]: entry["level"] for entry in value}
        if len(skills) != len(value):
            raise serializers.ValidationError("Give each skill once.")
        return skills

    def details(self) -> services.ProfileDetails:
        data = self.validated_data
        availability = data.get("availability", {})
        hours = availability.get("hours_per_week", None)
        return services.ProfileDetails(
            name=data.get("name"),
            place=data.get("postcode"),
            phone=data.get("phone"),
            skills=data.get("skills"),
            weekday_daytime=availability.get("weekday_daytime"),
            weekday_evenings=availability.get("weekday_evenings"),
            weekends=availability.get("weekends"),
            hours_per_week=(hours or 0) if "hours_per_week" in availability else None,
            heard_from=data.get("heard_from"),
            consents={
                CONSENT_KEYS[key]: wanted for key, wanted in data.get("consents", {}).items()
            },
        )


class EraseInputSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, max_length=4096)


class NextActionOutput(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    why = serializers.CharField()
    url = serializers.CharField(help_text="A path on this site.")
    due_at = serializers.DateTimeField(allow_null=True, **UTC_TIME)


class DoneActionOutput(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    at = serializers.DateTimeField(**UTC_TIME)
    url = serializers.CharField()


class DirectoryQuery(serializers.Serializer):
    """GET /api/v1/volunteers/ filters."""

    skill = SkillSlugField(required=False)
    min_level = serializers.IntegerField(required=False, min_value=1, max_value=3)
    region = serializers.CharField(required=False, max_length=60)
    constituency = serializers.CharField(
        required=False, max_length=9, help_text="An ONS constituency code."
    )
    available = serializers.MultipleChoiceField(
        required=False, choices=["weekday_daytime", "weekday_evenings", "weekends"]
    )
    active_since = serializers.DateTimeField(required=False, **UTC_TIME)
    tag = serializers.CharField(required=False, max_length=60)
    team = serializers.CharField(required=False, max_length=100)

    def directory_filters(self) -> dict:
        data = self.validated_data
        return {
            "skill": data["skill"].slug if data.get("skill") else "",
            "min_level": data.get("min_level"),
            "region": data.get("region", ""),
            "constituency_code": data.get("constituency", "").upper(),
            "available": tuple(sorted(data.get("available", ()))),
            "active_since": data.get("active_since"),
            "tag": data.get("tag", ""),
            "team": data.get("team", ""),
        }


class VolunteerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="user.name")
    email = serializers.EmailField(source="user.email")
    phone = serializers.CharField()
    postcode = serializers.CharField()
    constituency_code = serializers.CharField()
    constituency_name = serializers.CharField()
    region = serializers.CharField()
    skills = SkillLevelOutput(many=True)
    availability = AvailabilitySerializer(source="*")
    tags = serializers.SerializerMethodField()
    teams = serializers.SerializerMethodField()
    last_active_at = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(**UTC_TIME)

    def get_tags(self, profile) -> list[str]:
        return [tag.name for tag in profile.tags.all()]

    def get_teams(self, profile) -> list[str]:
        return [team.name for team in profile.teams.all()]

    def get_last_active_at(self, profile) -> serializers.DateTimeField(allow_null=True, **UTC_TIME):
        supporter = getattr(profile.user, "supporter", None)
        return None if supporter is None else supporter.last_active_at
