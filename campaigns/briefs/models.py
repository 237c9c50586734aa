"""Creative briefs: organisers ask for a piece of work ("a meme for Thursday's storm, due
17:00"), volunteers with the skill claim it and submit their work (an image, a video link
or words), and organisers approve it (then it is share material on the campaign's pages
and its storm's) or return it with a note.

Uploaded images are kept in the "uploads" storage (STORAGES; the filesystem under var/ by
default, any django-storages backend in production), which nothing serves: the site
hands an image out itself (views.material_image), and only once it is approved.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from campaigns.targets.models import Campaign
from core.storage import NamedStorage
from core.sync import UpdatedAtField
from volunteers.models import Skill, Supporter

TITLE_MAX = 200
TEXT_MAX = 5000
NOTE_MAX = 1000


UPLOADS = NamedStorage("uploads")


def uploads_storage():
    return UPLOADS


def upload_path(submission, filename: str) -> str:
    """Never the uploader's file name (it may name them): the brief, and a random name
    given by the service."""
    return f"briefs/{submission.brief_id}/{filename}"


class Brief(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "An image (a meme, a graphic, a photo)"
        VIDEO = "video", "A video (a link to it)"
        TEXT = "text", "Words (a post, an article, a script)"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="briefs")
    storm = models.ForeignKey(
        "storms.Twitterstorm",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="briefs",
        help_text="Optional: a storm whose page shows the approved work.",
    )
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(help_text="What is wanted, for whom, and any rules.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    skills = models.ManyToManyField(
        Skill, related_name="briefs", help_text="Volunteers with any of these are asked."
    )
    due_at = models.DateTimeField(help_text="In UK time.")
    places = models.PositiveSmallIntegerField(
        default=1, help_text="How many people may work on it at once."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = UpdatedAtField()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(places__gte=1), name="brief_places")]

    def __str__(self):
        return self.title


class Submission(models.Model):
    """One volunteer's claim on a brief and, once they submit it, their work."""

    class State(models.TextChoices):
        CLAIMED = "claimed", "Claimed: working on it"
        SUBMITTED = "submitted", "Submitted: waiting for review"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned with a note"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Those that hold one of the brief's places.
    HOLDING = [State.CLAIMED, State.SUBMITTED, State.RETURNED, State.APPROVED]

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="submissions")
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.CLAIMED)
    image = models.FileField(storage=uploads_storage, upload_to=upload_path, blank=True)
    image_alt = models.CharField(
        "what the image shows", max_length=300, blank=True, help_text="For screen readers."
    )
    video_url = models.URLField(blank=True)
    text = models.TextField(blank=True)
    note = models.TextField(
        blank=True, help_text="The organiser's note to the volunteer when it is returned."
    )
    claimed_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = UpdatedAtField()

    class Meta:
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["brief", "supporter"],
                condition=~Q(state="withdrawn"),
                name="one_live_submission_per_person_per_brief",
            )
        ]
        indexes = [models.Index(fields=["brief", "state"])]

    def __str__(self):
        return f"Submission {self.pk} to {self.brief}"
