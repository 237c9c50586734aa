"""The storm page's forms. services.py is the authority on what a pledge, a post or a report
may be; these bound what the page reads and catch empty fields."""

from django import forms

from campaigns.storms import fits
from campaigns.storms.models import POST_MAX, URL_MAX


class PledgeForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label="Your email address",
        error_messages={"required": "Enter your email address."},
        help_text="We'll email you a link to confirm your pledge. Nothing else, unless you ask.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    name = forms.CharField(
        max_length=100,
        required=False,
        label="Your name (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class PostForm(forms.Form):
    post = forms.CharField(
        max_length=POST_MAX,
        label="Your post",
        error_messages={"required": "Write your post: in your own words."},
        help_text="Start from the idea, then say it your way: posts identical to other "
        "people's are dropped from Trends. We add the mention and the hashtag.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # The hand-out the post was written for, carried to the check step.
    storm_target = forms.IntegerField(required=False, widget=forms.HiddenInput)
    angle = forms.IntegerField(required=False, widget=forms.HiddenInput)
    starter_index = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class MastodonForm(forms.Form):
    server = forms.CharField(
        max_length=253,
        label="Your Mastodon server",
        error_messages={"required": "Enter your Mastodon server's name, such as mastodon.social."},
        help_text="Such as mastodon.social: we open the post on your own server.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    text = forms.CharField(max_length=POST_MAX * 2, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    network = forms.ChoiceField(
        required=False,
        label="Where did you post? (optional)",
        choices=[("", "Choose a network"), *fits.NETWORKS.items()],
    )
    post_url = forms.CharField(
        max_length=URL_MAX,
        required=False,
        label="Your post's address (optional)",
        help_text="Paste it if you like, starting https://. We never open it.",
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )

    def __init__(self, *args, networks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if networks:
            self.fields["network"].choices = [("", "Choose a network")] + [
                (n, fits.NETWORKS[n]) for n in networks
            ]
