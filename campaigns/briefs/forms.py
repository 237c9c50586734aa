from django import forms

from campaigns.briefs.models import TEXT_MAX, Brief


class SubmitForm(forms.Form):
    """The work, as the brief asks: an image with a description, a video link, or words."""

    image = forms.FileField(
        label="Your image",
        required=False,
        help_text="A JPEG, PNG, GIF or WebP.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
    image_alt = forms.CharField(
        label="What the image shows",
        required=False,
        max_length=300,
        help_text="A sentence for people who cannot see it.",
    )
    video_url = forms.URLField(
        label="Link to your video", required=False, max_length=500, assume_scheme="https"
    )
    text = forms.CharField(
        label="Your words",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    FIELDS = {
        Brief.Kind.IMAGE: ["image", "image_alt"],
        Brief.Kind.VIDEO: ["video_url"],
        Brief.Kind.TEXT: ["text"],
    }

    def __init__(self, *args, brief: Brief, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.FIELDS[brief.kind]:
                del self.fields[name]
