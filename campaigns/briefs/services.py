"""Every write of creative briefs: claiming one, submitting work, withdrawing, and the
organisers' review (approve, or return with a note). Web pages, the API and the admin all
come here."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.briefs import tasks
from campaigns.briefs.models import NOTE_MAX, TEXT_MAX, Brief, Submission
from campaigns.briefs.uploads import image_checked
from core.db import insert_unless_exists
from volunteers.mail import Outcome, email_send
from volunteers.models import VolunteerProfile
from volunteers.services import supporter_link_user


def brief_takes_claims(brief: Brief) -> bool:
    return brief.state == Brief.State.OPEN and brief.due_at > timezone.now()


def brief_claim(*, brief: Brief, user) -> Submission:
    """A volunteer with one of the brief's skills takes one of its places. Claiming again
    returns the claim they have. Refused (ValidationError) when the brief is closed or
    past due, they lack the skills, or every place is taken: the brief's row lock makes
    the last place go to one person only."""
    supporter = supporter_link_user(user=user)
    with transaction.atomic():
        brief = Brief.objects.select_for_update().get(pk=brief.pk)
        mine = brief.submissions.filter(supporter=supporter).exclude(
            state=Submission.State.WITHDRAWN
        )
        if existing := mine.first():
            return existing
        if not brief_takes_claims(brief):
            raise ValidationError("This brief is closed.")
        skilled = VolunteerProfile.objects.filter(
            user=user, skills__skill__in=brief.skills.all()
        ).exists()
        if not skilled:
            raise ValidationError(
                "This brief asks for a skill your profile does not list. "
                "Add it to your profile if you have it."
            )
        taken = brief.submissions.filter(state__in=Submission.HOLDING).count()
        if taken >= brief.places:
            raise ValidationError("Every place on this brief is taken.")
        submission = Submission(brief=brief, supporter=supporter)
        if not insert_unless_exists(submission):  # a second tab raced the first
            return mine.get()
    return submission


def submission_submit(
    *, submission: Submission, user, image=None, image_alt: str = "", video_url: str = "",
    text: str = "",
) -> Submission:  # fmt: skip
    """The volunteer submits (or, after it was returned, resubmits) their work: an image
    (checked before anything is stored: type, size, dimensions), a video link or words,
    as the brief asks. ValidationError naming the field, and nothing stored, otherwise."""
    if submission.supporter is None or submission.supporter.user_id != user.pk:
        raise ValidationError("This is not your claim.")
    if submission.state not in (Submission.State.CLAIMED, Submission.State.RETURNED):
        raise ValidationError("This work has been submitted already.")
    kind = submission.brief.kind
    stored = None
    if kind == submission.brief.Kind.IMAGE:
        if image is None:
            raise ValidationError({"image": "Choose the image to send."})
        stored = image_checked(image)
        if not image_alt.strip():
            raise ValidationError({"image_alt": "Say in a few words what the image shows."})
    elif kind == submission.brief.Kind.VIDEO:
        if not video_url.startswith("https://"):
            raise ValidationError({"video_url": "Give the video's link, starting https://."})
    else:
        if not text.strip():
            raise ValidationError({"text": "Write your words here."})
        if len(text) > TEXT_MAX:
            raise ValidationError({"text": f"Keep it under {TEXT_MAX} characters."})
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        old_image = submission.image.name if submission.image else ""
        if stored is not None:
            submission.image.save(stored.name, stored, save=False)
        submission.image_alt = image_alt.strip()[:300]
        submission.video_url = video_url
        submission.text = text
        submission.state = Submission.State.SUBMITTED
        submission.submitted_at = timezone.now()
        submission.save()
    if old_image and old_image != submission.image.name:
        submission.image.storage.delete(old_image)
    return submission


def submission_withdraw(*, submission: Submission, user) -> None:
    """The volunteer gives their place back (and any image they sent is deleted)."""
    if submission.supporter is None or submission.supporter.user_id != user.pk:
        raise ValidationError("This is not your claim.")
    if submission.state == Submission.State.APPROVED:
        raise ValidationError("Approved work stays; ask an organiser to take it down.")
    submission_files_delete(submission)
    Submission.objects.filter(pk=submission.pk).update(
        state=Submission.State.WITHDRAWN, image="", image_alt="", video_url="", text=""
    )


def submission_approve(*, submission: Submission, organiser) -> Submission:
    """Submitted work becomes share material on the campaign's pages (and its storm's)."""
    return _review(submission, organiser, Submission.State.APPROVED, note="")


def submission_return(*, submission: Submission, organiser, note: str) -> Submission:
    """Back to the volunteer with a note saying what to change; they may resubmit."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say what to change."})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note under {NOTE_MAX} characters."})
    return _review(submission, organiser, Submission.State.RETURNED, note=note)


def _review(submission, organiser, state, *, note) -> Submission:
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.state != Submission.State.SUBMITTED:
            raise ValidationError("Only submitted work can be reviewed.")
        submission.state = state
        submission.note = note
        submission.reviewed_at = timezone.now()
        submission.reviewed_by = organiser
        submission.save(update_fields=["state", "note", "reviewed_at", "reviewed_by"])
        tasks.review_notice_send.delay_on_commit(submission.pk)
    return submission


def review_notice_send(*, submission_id: int) -> bool:
    """Email the volunteer the review of their work (approved, or returned with the note);
    True if the server took it. Nothing for work not reviewed or an erased person."""
    submission = (
        Submission.objects.select_related("brief", "supporter")
        .filter(pk=submission_id, state__in=[Submission.State.APPROVED, Submission.State.RETURNED])
        .first()
    )
    if submission is None or submission.supporter is None:
        return False
    brief = submission.brief
    link = settings.SITE_URL.rstrip("/") + reverse("briefs:brief", args=[brief.pk])
    if submission.state == Submission.State.APPROVED:
        subject = f"Approved: your work for {brief.title}"
        body = (
            f"Thank you: an organiser approved your work for {brief.title}. It is now on the "
            "campaign's pages for supporters to share."
        )
    else:
        subject = f"A note on your work for {brief.title}"
        body = (
            f"An organiser looked at your work for {brief.title} and asks for a change:\n\n"
            f"{submission.note}\n\nYou can send it again from the brief's page."
        )
    message = EmailMessage(
        subject=subject,
        body=f"{body}\n\n{link}\n\nGroundswell\n",
        to=[submission.supporter.email],
    )
    return email_send(message=message, source=f"brief:{brief.pk}") is Outcome.SENT


def submission_files_delete(submission: Submission) -> None:
    if submission.image:
        submission.image.storage.delete(submission.image.name)
