"""The volunteer's own forms: sign-up (web, and allauth's app API through the same form)
and their profile on /me/. Both check input into a services.ProfileDetails."""

from django import forms

from volunteers import services
from volunteers.models import HOURS_MAX, ConsentRecord, HeardFrom, Skill, User, VolunteerSkill
from volunteers.phones import PHONE_INPUT_MAX, phone_checked
from volunteers.places import MAX_INPUT_LENGTH, PlaceError, place_for_postcode
from volunteers.selectors import live_consents

LEVELS = [("", "No")] + [(str(value), label) for value, label in VolunteerSkill.Level.choices]
CONSENT_FIELDS = {
    "consent_volunteering": ConsentRecord.Purpose.VOLUNTEERING,
    "consent_campaign_email": ConsentRecord.Purpose.CAMPAIGN_EMAIL,
}


def skill_field_name(skill: Skill) -> str:
    return f"skill-{skill.slug}"


def skills_as_fields(skills) -> dict:
    """The app's form of skills, a list of {"skill": slug, "level": 1-3 or "expert"}, as
    the web form's fields (skill-<slug>: level); anything else is left for the form to
    refuse."""
    fields = {}
    for entry in skills if isinstance(skills, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("skill"), str):
            level = entry.get("level")
            known = VolunteerSkill.level_of(level)
            fields[f"skill-{entry['skill']}"] = str(known if known is not None else level)
    return fields


class ProfileForm(forms.Form):
    """Name, postcode, phone, skills with a level, availability, how they heard of us."""

    name = forms.CharField(
        label="Your name",
        max_length=User._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    postcode = forms.CharField(
        label="Your postcode",
        help_text="So we can suggest actions, events and your MP near you.",
        max_length=MAX_INPUT_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "short"}),
    )
    phone = forms.CharField(
        label="Your phone number (optional)",
        help_text="Only organisers see it, and only call if you agree below.",
        required=False,
        max_length=PHONE_INPUT_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    weekday_daytime = forms.BooleanField(label="Weekday daytime", required=False)
    weekday_evenings = forms.BooleanField(label="Weekday evenings", required=False)
    weekends = forms.BooleanField(label="Weekends", required=False)
    hours_per_week = forms.IntegerField(
        label="Hours a week you could give (optional)",
        required=False,
        min_value=0,
        max_value=HOURS_MAX,
        widget=forms.NumberInput(attrs={"class": "short", "inputmode": "numeric"}),
    )
    heard_from = forms.ChoiceField(
        label="How did you hear of the campaign? (optional)",
        required=False,
        choices=[("", "Choose one"), *HeardFrom.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and "skills" in self.data:
            self.data = {**self.data, **skills_as_fields(self.data["skills"])}
        self.skills = list(Skill.objects.all())
        for skill in self.skills:
            self.fields[skill_field_name(skill)] = forms.TypedChoiceField(
                label=skill.name, choices=LEVELS, required=False, coerce=int, empty_value=None
            )
        known = {skill_field_name(skill) for skill in self.skills}
        self.unknown_skills = sorted(
            key[len("skill-") :]
            for key in (self.data if self.is_bound else {})
            if key.startswith("skill-") and key not in known
        )

    def skill_fields(self):
        return [self[skill_field_name(skill)] for skill in self.skills]

    def availability_fields(self):
        return [self[name] for name in services.ProfileDetails.AVAILABILITY]

    def clean_postcode(self):
        try:
            self.place = place_for_postcode(self.cleaned_data["postcode"])
        except PlaceError as error:
            raise forms.ValidationError(error.message) from None
        return self.place.postcode

    def clean_phone(self):
        errors = {}
        phone = phone_checked(self.cleaned_data["phone"], errors=errors)
        if errors:
            raise forms.ValidationError(errors["phone"])
        return phone

    def clean(self):
        cleaned = super().clean()
        if self.unknown_skills:
            self.add_error(None, f"Unknown skill: {', '.join(self.unknown_skills)}.")
        return cleaned

    def details(self) -> services.ProfileDetails:
        data = self.cleaned_data
        return services.ProfileDetails(
            name=data["name"],
            place=self.place,
            phone=data["phone"],
            skills={
                skill: level
                for skill in self.skills
                if (level := data.get(skill_field_name(skill))) is not None
            },
            weekday_daytime=data["weekday_daytime"],
            weekday_evenings=data["weekday_evenings"],
            weekends=data["weekends"],
            hours_per_week=data["hours_per_week"] or 0,
            heard_from=data["heard_from"],
            consents={
                purpose: data[name] for name, purpose in CONSENT_FIELDS.items() if name in data
            },
        )


class ConsentFields(forms.Form):
    """The two consents, each its own unticked box, labelled with the words recorded."""

    consent_volunteering = forms.BooleanField(
        label=services.CONSENT_WORDING[ConsentRecord.Purpose.VOLUNTEERING], required=False
    )
    consent_campaign_email = forms.BooleanField(
        label=services.CONSENT_WORDING[ConsentRecord.Purpose.CAMPAIGN_EMAIL], required=False
    )

    def consent_fields(self):
        return [self[name] for name in CONSENT_FIELDS]


class SignupForm(ProfileForm, ConsentFields):
    """allauth's ACCOUNT_SIGNUP_FORM_CLASS: the volunteer's profile asked for with the email
    and password, on the web page and in the app API (/_allauth/app/v1/auth/signup, where
    skills may also come as "skills": [{"skill": "design", "level": "expert"}])."""

    field_order = ["name", "email", "password1", "password2", "password", "postcode", "phone"]

    def signup(self, request, user) -> None:
        services.volunteer_sign_up(user=user, details=self.details())


class MyProfileForm(ProfileForm, ConsentFields):
    """The volunteer's profile on /me/, with their consents as they stand now."""

    @classmethod
    def initial_for(cls, user) -> dict:
        profile = getattr(user, "volunteer", None)
        initial = {"name": user.name}
        if profile is not None:
            initial |= {
                "postcode": profile.postcode,
                "phone": profile.phone,
                "weekday_daytime": profile.weekday_daytime,
                "weekday_evenings": profile.weekday_evenings,
                "weekends": profile.weekends,
                "hours_per_week": profile.hours_per_week,
                "heard_from": profile.heard_from,
            }
            initial |= {
                f"skill-{entry.skill.slug}": entry.level
                for entry in profile.skills.select_related("skill")
            }
        live = live_consents(getattr(user, "supporter", None))
        initial |= {name: purpose in live for name, purpose in CONSENT_FIELDS.items()}
        return initial
