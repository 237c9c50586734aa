"""Briefs' privacy provider: a person's claims and submissions. Erasure deletes their
uploaded images and the words and links they sent, and leaves each claim in its state,
without them, so the counts of work claimed and approved stay (approved work of an erased
person is no longer shown)."""

from campaigns.briefs.models import Submission
from campaigns.briefs.services import submission_files_delete
from volunteers.privacy import PrivacyProvider


def _export(supporter) -> dict:
    return {
        "submissions": [
            {
                "brief": submission.brief.title,
                "state": submission.state,
                "image": submission.image.name or None,
                "image_alt": submission.image_alt,
                "video_url": submission.video_url,
                "text": submission.text,
                "note": submission.note,
                "claimed_at": submission.claimed_at.isoformat(),
                "submitted_at": (
                    submission.submitted_at.isoformat() if submission.submitted_at else None
                ),
            }
            for submission in Submission.objects.filter(supporter=supporter).select_related("brief")
        ]
    }


def _erase(supporter) -> None:
    submissions = Submission.objects.filter(supporter=supporter)
    for submission in submissions:
        submission_files_delete(submission)
    submissions.update(
        supporter=None,
        image="",
        image_alt="",
        video_url="",
        text="",
        note="",
    )


briefs_provider = PrivacyProvider(
    name="briefs",
    covers=("briefs.Submission",),
    export=_export,
    erase=_erase,
    exempt={
        "briefs.Brief": "organisers' briefs; created_by is the organiser's audit trail",
    },
)
