"""The letter page's forms: the postcode that finds the writer's MP, and the letter.

services.letter_write is the authority on what a letter may be; these forms only bound
what the page reads (maxlength from the columns) and catch the empty fields before the
preview, so "Check your letter" is never shown for a letter that cannot be sent.
"""

from django import forms

from campaigns.letters.models import ADDRESS_MAX, BODY_MAX, Letter
from core.forms import column_max_length
from volunteers.places import MAX_INPUT_LENGTH


class PostcodeForm(forms.Form):
    postcode = forms.CharField(
        max_length=MAX_INPUT_LENGTH,
        label="Your postcode",
        error_messages={"required": "Enter your postcode."},
        help_text="We use it to find your own MP: MPs act for the people who live in their "
        "constituency.",
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}
        ),
    )


class _Text(forms.CharField):
    """A textarea's text with the browser's CRLF line breaks as LF, before its length is
    checked: a textarea's maxlength counts a line break as one character."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class LetterForm(forms.Form):
    name = forms.CharField(
        max_length=column_max_length(Letter, "writer_name"),
        label="Your name",
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        max_length=column_max_length(Letter, "writer_email"),
        label="Your email address",
        error_messages={"required": "Enter your email address."},
        help_text="We'll email you a link to confirm your letter, and your MP's reply comes here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    address = _Text(
        max_length=ADDRESS_MAX,
        label="Your postal address",
        error_messages={
            "required": "Enter your postal address: MPs answer constituents by post too."
        },
        help_text="It goes at the end of your letter, so your MP's office can see you live in "
        "the constituency.",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
    )
    subject = forms.CharField(
        max_length=column_max_length(Letter, "subject"),
        label="Subject",
        error_messages={"required": "Enter a subject for your letter."},
    )
    body = _Text(
        max_length=BODY_MAX,
        label="Your letter",
        error_messages={"required": "Write your letter: in your own words, to your MP."},
        help_text="In your own words. We add “Dear …” and sign it with your name and address.",
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    postcode = forms.CharField(max_length=MAX_INPUT_LENGTH, widget=forms.HiddenInput)

    def __init__(self, *args, subject_suggestion: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if subject_suggestion:
            self.fields["subject"].widget.attrs["placeholder"] = subject_suggestion
            self.fields["subject"].help_text = f"For example: “{subject_suggestion}”."
        self.fields["postcode"].label = "Postcode"


class RewriteForm(forms.Form):
    """A held letter rewritten by its writer: its subject and body only (the rest stands)."""

    subject = LetterForm.base_fields["subject"]
    body = LetterForm.base_fields["body"]
