from django import forms

from campaigns.targets.models import NOTE_MAX_LENGTH, Target, TargetStatus, TargetStatusChange
from campaigns.targets.selectors import point_for_postcode
from campaigns.targets.services import SOURCE_NEEDED
from volunteers.places import PlaceError

SOURCE_HELP = "Where the change was reported: a tweet, a statement, a news story."


def source_url_field(*, required: bool) -> forms.URLField:
    """The source link of a status change, bounded by the history's column."""
    return TargetStatusChange._meta.get_field("source_url").formfield(
        label="Source link", required=required, assume_scheme="https", help_text=SOURCE_HELP
    )


def note_field() -> forms.CharField:
    return forms.CharField(
        required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class BulkStatusForm(forms.Form):
    """Organisers set many targets' status at once, citing where the news came from."""

    status = forms.ChoiceField(choices=TargetStatus.choices)
    source_url = source_url_field(required=True)
    note = note_field()


class TargetAdminForm(forms.ModelForm):
    """One target in the admin. A status set here must cite its source, as everywhere; the
    source and note go into the history row, written by the service (see TargetAdmin)."""

    source_url = source_url_field(required=False)
    note = note_field()

    class Meta:
        model = Target
        fields = ["campaign", "representative", "organisation", "status"]

    def clean(self):
        cleaned = super().clean()
        status_changed = "status" in self.changed_data
        if status_changed and not cleaned.get("source_url") and "source_url" not in self.errors:
            self.add_error("source_url", SOURCE_NEEDED)
        elif not status_changed and (cleaned.get("source_url") or cleaned.get("note")):
            self.add_error(
                "source_url" if cleaned.get("source_url") else "note",
                "The status has not changed, so there is no change to record this with.",
            )
        return cleaned


class MarginalsForm(forms.Form):
    """The nearest marginal seats page: a postcode, and how marginal."""

    postcode = forms.CharField(
        label="Your postcode",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "short"}),
    )
    max_share = forms.TypedChoiceField(
        label="Majority under",
        choices=[("0.05", "5% of the vote"), ("0.1", "10% of the vote"),
                 ("0.15", "15% of the vote"), ("0.2", "20% of the vote")],
        coerce=float,
        initial="0.1",
    )  # fmt: skip

    def clean_postcode(self):
        try:
            self.point = point_for_postcode(self.cleaned_data["postcode"])
        except PlaceError as error:
            raise forms.ValidationError(error.message) from None
        return self.cleaned_data["postcode"]
