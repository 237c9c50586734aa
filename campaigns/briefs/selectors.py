"""Reads of briefs: open briefs for a volunteer's skills, and approved work as share
material (campaigns.targets.materials)."""

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from campaigns.briefs.models import Brief, Submission
from campaigns.targets.materials import Material

MATERIAL_SHOWN = 12


def open_briefs(*, skill_ids=None) -> QuerySet[Brief]:
    """Briefs of published campaigns taking claims, due soonest first, each with
    `places_taken`; with `skill_ids`, only those asking for one of them. One query."""
    briefs = Brief.objects.filter(
        state=Brief.State.OPEN, due_at__gt=timezone.now(), campaign__is_published=True
    ).annotate(
        places_taken=Count("submissions", filter=Q(submissions__state__in=Submission.HOLDING))
    )
    if skill_ids is not None:
        briefs = briefs.filter(
            pk__in=Brief.skills.through.objects.filter(skill_id__in=skill_ids).values("brief_id")
        )
    return briefs.select_related("campaign").order_by("due_at", "pk")


def approved_material(campaign_id: int, storm_id: int | None = None) -> list[Material]:
    """Approved work of the campaign's briefs (of the storm's, given one), newest first.
    One query."""
    approved = Submission.objects.filter(
        state=Submission.State.APPROVED, brief__campaign_id=campaign_id, supporter__isnull=False
    )
    if storm_id is not None:
        approved = approved.filter(brief__storm_id=storm_id)
    return [
        Material(
            title=submission.brief.title,
            kind=submission.brief.kind,
            url=(
                reverse("briefs:image", args=[submission.pk])
                if submission.image
                else submission.video_url
            ),
            text=submission.text,
            alt=submission.image_alt,
        )
        for submission in approved.select_related("brief").order_by("-reviewed_at", "-pk")[
            :MATERIAL_SHOWN
        ]
    ]
