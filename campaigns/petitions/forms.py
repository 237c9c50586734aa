from django import forms

from campaigns.petitions.models import Signature
from campaigns.petitions.services import CAMPAIGN_EMAIL_WORDING
from core.forms import column_max_length
from volunteers.places import (
    MAX_INPUT_LENGTH,
    InvalidPostcode,
    normalise_outcode,
    normalise_postcode,
)


class SignForm(forms.Form):
    # Required-ness and shapes are checked by services.petition_sign, with the same messages
    # for the page and the API; the form only bounds what it will read, by the columns.
    name = forms.CharField(
        max_length=column_max_length(Signature, "name"), required=False, label="Your name"
    )
    email = forms.CharField(
        max_length=column_max_length(Signature, "email"),
        required=False,
        label="Your email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text="We'll email you a link to confirm your signature.",
    )
    postcode = forms.CharField(
        max_length=MAX_INPUT_LENGTH,
        required=False,
        label="Your postcode",
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}
        ),
        help_text="So we can count signatures in your constituency and tell you who your MP is.",
    )
    campaign_email = forms.BooleanField(required=False, label=CAMPAIGN_EMAIL_WORDING)
    # Humans never see this field; bots that fill in every field do.
    website = forms.CharField(required=False, label="Leave this empty")
    source = forms.CharField(
        required=False, max_length=column_max_length(Signature, "source"), widget=forms.HiddenInput
    )
    ref = forms.CharField(
        required=False,
        max_length=column_max_length(Signature, "referred_by"),
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


REASON_HELP = "Kept with each signature, so anyone can see later why it stopped counting."


class InvalidateReasonForm(forms.Form):
    """Organisers say why they are invalidating the signatures they picked."""

    reason = forms.CharField(max_length=200, help_text=REASON_HELP)


class InvalidateByCriteriaForm(forms.Form):
    """Which of a petition's signatures to invalidate: all that meet every criterion given."""

    ip_hash = forms.CharField(label="IP hash", max_length=32, required=False)
    email_domain = forms.CharField(
        max_length=254, required=False, help_text="The part after the @, e.g. example.org."
    )
    canonical_email = forms.CharField(
        label="Canonical email",
        max_length=254,
        required=False,
        help_text="Without plus-tags or Gmail dots: every variant of one address.",
    )
    postcode = forms.CharField(
        max_length=20,
        required=False,
        help_text="A full postcode (SW1A 1AA), or its first half (SW1A) for the whole district.",
    )
    signed_from = forms.DateTimeField(
        label="Signed at or after",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    signed_to = forms.DateTimeField(
        label="Signed before",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(max_length=200, help_text=REASON_HELP)

    CRITERIA = [
        "ip_hash",
        "email_domain",
        "canonical_email",
        "postcode",
        "signed_from",
        "signed_to",
    ]

    def clean_ip_hash(self):
        return self.cleaned_data["ip_hash"].strip().lower()

    def clean_email_domain(self):
        return self.cleaned_data["email_domain"].strip().lower().lstrip("@")

    def clean_canonical_email(self):
        return self.cleaned_data["canonical_email"].strip().lower()

    def clean_postcode(self):
        raw = self.cleaned_data["postcode"]
        if not raw.strip():
            return ""
        for normalise in (normalise_postcode, normalise_outcode):
            try:
                return normalise(raw)
            except InvalidPostcode:
                continue
        raise forms.ValidationError("Enter a full postcode (SW1A 1AA) or its first half (SW1A).")

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(field) for field in self.CRITERIA) and not any(
            field in self.errors for field in self.CRITERIA
        ):
            raise forms.ValidationError(
                "Give at least one of IP hash, email domain, canonical email, postcode or time."
            )
        start, end = cleaned.get("signed_from"), cleaned.get("signed_to")
        if start and end and start >= end:
            self.add_error("signed_to", "This must be later than “Signed at or after”.")
        return cleaned

    def criteria(self) -> dict:
        """The cleaned criteria as keyword arguments for selectors.signatures_matching."""
        data = self.cleaned_data
        postcode = data["postcode"]
        full = " " in postcode
        return {
            "ip_hash": data["ip_hash"],
            "email_domain": data["email_domain"],
            "canonical_email": data["canonical_email"],
            "postcode": postcode if full else "",
            "outcode": "" if full else postcode,
            "signed_from": data["signed_from"],
            "signed_before": data["signed_to"],
        }
