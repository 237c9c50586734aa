from django import forms

from campaigns.targets.models import TargetStatus


class BulkStatusForm(forms.Form):
    """Organisers set many targets' status at once, citing where the news came from."""

    status = forms.ChoiceField(choices=TargetStatus.choices)
    source_url = forms.URLField(
        label="Source link",
        assume_scheme="https",
        help_text="Where the change was reported: a tweet, a statement, a news story.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
