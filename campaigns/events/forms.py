"""The events pages' forms: the list's filters and a sign-up. services.py decides what a
sign-up may be; these bound what the page reads."""

from django import forms
from django.utils import timezone

from campaigns.events.models import NAME_MAX, PHONE_MAX, RSVP, Event
from core.forms import column_max_length
from volunteers.places import MAX_INPUT_LENGTH

DISTANCES = [("", "Any distance"), ("5", "Within 5 km"), ("10", "Within 10 km"),
             ("25", "Within 25 km"), ("50", "Within 50 km")]  # fmt: skip


class EventFilterForm(forms.Form):
    near = forms.CharField(
        max_length=MAX_INPUT_LENGTH,
        required=False,
        label="Near postcode",
        help_text="The nearest first, with how far each is.",
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}
        ),
    )
    within_km = forms.ChoiceField(choices=DISTANCES, required=False, label="How far")
    kind = forms.ChoiceField(
        choices=[("", "Any kind"), *Event.Kind.choices], required=False, label="Kind"
    )
    starts_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )


class SignUpForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX,
        label="Your name",
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        max_length=254,
        label="Your email address",
        error_messages={"required": "Enter your email address."},
        help_text="We'll email you a link to confirm your place.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    phone = forms.CharField(
        max_length=PHONE_MAX,
        required=False,
        label="Your phone number (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    share_contact = forms.BooleanField(
        required=False,
        label="The host may see my email and phone number, to reach me about this event",
    )
    shift = forms.IntegerField(widget=forms.HiddenInput)
    source = forms.CharField(
        required=False, max_length=column_max_length(RSVP, "source"), widget=forms.HiddenInput
    )

    def __init__(self, *args, signed_in=False, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:  # the account's name and verified address
            del self.fields["email"]
            self.fields["name"].required = False


class CheckInForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Check-in code",
        error_messages={"required": "Enter the code from their email."},
        help_text="From their email, typed or scanned.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )


class WalkInForm(forms.Form):
    shift = forms.TypedChoiceField(coerce=int, label="Shift")
    name = forms.CharField(
        max_length=NAME_MAX, label="Their name", error_messages={"required": "Enter their name."}
    )
    email = forms.EmailField(
        max_length=254,
        label="Their email address",
        error_messages={"required": "Enter their email address."},
        widget=forms.EmailInput(attrs={"inputmode": "email", "autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        required=False,
        label="They agree that the campaign may email them about events",
    )

    def __init__(self, *args, shifts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].choices = [
            (shift.pk, f"{timezone.localtime(shift.starts_at):%a %-d %b, %H:%M}")
            for shift in shifts
        ]


class ProposeForm(forms.Form):
    """A volunteer's proposed event, with its one shift (times in UK time)."""

    campaign = forms.ModelChoiceField(queryset=None, label="Campaign", empty_label=None)
    kind = forms.ChoiceField(choices=Event.Kind.choices, label="Kind of event")
    title = forms.CharField(
        max_length=200, label="Title", error_messages={"required": "Give it a title."}
    )
    description = forms.CharField(
        max_length=5000,
        required=False,
        label="What happens (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(
        max_length=500,
        required=False,
        label="Address",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    postcode = forms.CharField(max_length=MAX_INPUT_LENGTH, required=False, label="Postcode")
    online_url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        label="Online link (for an online event)",
    )
    address_visibility = forms.ChoiceField(
        choices=Event.AddressVisibility.choices,
        initial=Event.AddressVisibility.ATTENDEES,
        label="Who sees the address",
    )
    starts_at = forms.DateTimeField(
        label="Starts (UK time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"required": "Say when it starts."},
    )
    ends_at = forms.DateTimeField(
        label="Ends (UK time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"required": "Say when it ends."},
    )
    capacity = forms.IntegerField(
        min_value=1,
        max_value=10_000,
        label="How many can come",
        error_messages={"required": "Say how many people can come."},
    )
    phone = forms.CharField(
        max_length=PHONE_MAX,
        required=False,
        label="Your phone number, for organisers (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        from campaigns.targets.models import Campaign

        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(is_published=True)
