"""A person's briefs (volunteers.activity): open briefs asking for a skill they have, with a
place left, that they have not claimed; and their claims and submissions."""

from django.urls import reverse
from django.utils import timezone

from campaigns.briefs.models import Submission
from campaigns.briefs.selectors import open_briefs
from volunteers.activity import DoneAction, NextAction, Person


def briefs_to_take(person: Person) -> list[NextAction]:
    """Two queries."""
    if not person.skill_ids:
        return []
    claimed = set(
        Submission.objects.filter(supporter=person.supporter)
        .exclude(state=Submission.State.WITHDRAWN)
        .values_list("brief_id", flat=True)
    )
    return [
        NextAction(
            kind="brief",
            title=f"Make something: {brief.title}",
            why=f"Wants your skills; due {timezone.localtime(brief.due_at):%a %-d %b at %H:%M}",
            url=reverse("briefs:brief", args=[brief.pk]),
            due_at=brief.due_at,
        )
        for brief in open_briefs(skill_ids=person.skill_ids)
        if brief.pk not in claimed and brief.places_taken < brief.places
    ]


def submissions_done(supporter) -> list[DoneAction]:
    """One query."""
    return [
        DoneAction(
            kind="submission",
            title=f"Brief: {submission.brief.title}",
            state=submission.get_state_display(),
            at=submission.claimed_at,
            url=reverse("briefs:brief", args=[submission.brief_id]),
        )
        for submission in Submission.objects.filter(supporter=supporter).select_related("brief")
    ]
