from django import forms

from campaigns.petitions.services import CAMPAIGN_EMAIL_WORDING, NAME_MAX


class SignForm(forms.Form):
    # Required-ness and shapes are checked by services.petition_sign, with the same messages
    # for the page and the API; the form only bounds what it will read.
    name = forms.CharField(max_length=NAME_MAX * 100, required=False, label="Your name")
    email = forms.CharField(
        max_length=320,
        required=False,
        label="Your email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text="We'll email you a link to confirm your signature.",
    )
    postcode = forms.CharField(
        max_length=20,
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
    source = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)
    ref = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))
