"""After writing: reminders and expiry of unconfirmed letters, the two-week "Did your MP
reply?" question and its answers, and scrubbing text and addresses past retention."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from campaigns.letters import tasks
from campaigns.letters.models import (
    Letter,
    LetterBand,
)
from campaigns.letters.services.writing import _confirmation_email_allowed, _confirmation_message
from core.links import link_id, link_token
from volunteers.mail import MailDeferred, Outcome, email_send

logger = logging.getLogger(__name__)

REPLY_SALT = "letters.letter-reply"
REPLY_PATH = "/letters/reply/{token}/{answer}/"  # the page that calls letter_reply_record
REPLY_LINK_MAX_AGE = 60 * 60 * 24 * 120  # a follow-up's links work for 120 days


def _batch(limit: int | None) -> int:
    return limit if limit is not None else settings.LETTER_HOUSEKEEPING_BATCH


def letters_expire(*, limit: int | None = None) -> int:
    """Letters still AWAITING_CONFIRMATION LETTER_CONFIRMATION_MAX_AGE after they began
    waiting (written, or released from review) become EXPIRED (expired_at), oldest first,
    at most `limit` (LETTER_HOUSEKEEPING_BATCH) of them in one UPDATE; returns how many.
    Safe to run twice or at once (only letters still awaiting change)."""
    cutoff = timezone.now() - timedelta(seconds=settings.LETTER_CONFIRMATION_MAX_AGE)
    due = Letter.objects.filter(
        state=Letter.State.AWAITING_CONFIRMATION, awaiting_since__lt=cutoff
    ).order_by("awaiting_since")
    return Letter.objects.filter(
        pk__in=Subquery(due.values("pk")[: _batch(limit)]),
        state=Letter.State.AWAITING_CONFIRMATION,
    ).update(state=Letter.State.EXPIRED, expired_at=timezone.now())


def letter_reminders_enqueue(*, limit: int | None = None) -> int:
    """Enqueue the one reminder for letters awaiting confirmation for more than
    LETTER_REMINDER_AFTER seconds, not yet reminded and not yet expired: at most
    `limit` of them, oldest first, found in one query. Returns how many were enqueued.
    Enqueuing one twice sends one reminder (letter_reminder_send claims it)."""
    now = timezone.now()
    ids = list(
        Letter.objects.filter(
            state=Letter.State.AWAITING_CONFIRMATION,
            reminded_at__isnull=True,
            awaiting_since__lte=now - timedelta(seconds=settings.LETTER_REMINDER_AFTER),
            awaiting_since__gt=now - timedelta(seconds=settings.LETTER_CONFIRMATION_MAX_AGE),
        )
        .order_by("awaiting_since")
        .values_list("pk", flat=True)[: _batch(limit)]
    )
    for pk in ids:
        tasks.letter_reminder_send.delay_on_commit(pk)
    return len(ids)


def letter_reminder_send(*, letter_id: int) -> bool:
    """Email the writer of a letter still awaiting confirmation the one reminder, with a
    fresh confirmation link; True if the mail server took it. At most once: claimed by
    setting reminded_at (put back if the server defers it, for the retry). Within the
    per-address cap on confirmation emails, as the first email was."""
    letter = Letter.objects.select_related("representative").filter(pk=letter_id).first()
    if letter is None or letter.state != Letter.State.AWAITING_CONFIRMATION:
        return False
    claimed = Letter.objects.filter(
        pk=letter_id, state=Letter.State.AWAITING_CONFIRMATION, reminded_at__isnull=True
    ).update(reminded_at=timezone.now())
    if not claimed or not _confirmation_email_allowed(letter.writer_email):
        return False
    try:
        outcome = email_send(
            message=_confirmation_message(letter, reminder=True),
            source=f"letters:{letter.letter_campaign_id}",
        )
    except MailDeferred:
        Letter.objects.filter(pk=letter_id).update(reminded_at=None)
        raise
    return outcome is Outcome.SENT


def reply_token(letter: Letter) -> str:
    return link_token(letter.pk, salt=REPLY_SALT)


def reply_link(letter: Letter, answer: str) -> str:
    """The follow-up's link for one answer: REPLY_PATH, with answer one of Letter.Reply."""
    path = REPLY_PATH.format(token=reply_token(letter), answer=answer)
    return settings.SITE_URL.rstrip("/") + path


def letter_follow_ups_enqueue(*, limit: int | None = None) -> int:
    """Enqueue the "Did your MP reply?" email for letters SENT at least
    LETTER_FOLLOW_UP_DAYS ago, not yet asked and whose writer is not erased: at most
    `limit`, oldest first, one query. Enqueuing one twice asks once."""
    cutoff = timezone.now() - timedelta(days=settings.LETTER_FOLLOW_UP_DAYS)
    ids = list(
        Letter.objects.filter(
            state=Letter.State.SENT,
            sent_at__lte=cutoff,
            follow_up_sent_at__isnull=True,
            supporter__isnull=False,
        )
        .order_by("sent_at")
        .values_list("pk", flat=True)[: _batch(limit)]
    )
    for pk in ids:
        tasks.letter_follow_up_send.delay_on_commit(pk)
    return len(ids)


def letter_follow_up_send(*, letter_id: int) -> bool:
    """Ask the writer of a sent letter, once, whether their MP replied: three signed links
    (yes / no / not yet) to the page that calls letter_reply_record. Claimed by setting
    follow_up_sent_at (put back if the server defers it). True if the server took it."""
    letter = Letter.objects.select_related("representative").filter(pk=letter_id).first()
    if letter is None or letter.state != Letter.State.SENT or letter.supporter_id is None:
        return False
    claimed = Letter.objects.filter(
        pk=letter_id, state=Letter.State.SENT, follow_up_sent_at__isnull=True
    ).update(follow_up_sent_at=timezone.now())
    if not claimed:
        return False
    mp = letter.representative.name
    about = f' ("{letter.subject}")' if letter.subject else ""
    days = settings.LETTER_FOLLOW_UP_DAYS
    message = EmailMessage(
        subject=f"Did {mp} reply to your letter?",
        body=(
            f"Dear {letter.writer_name},\n\n"
            f"{days} days ago you wrote to {mp}{about}. Did they reply?\n\n"
            f"Yes, they replied:\n{reply_link(letter, Letter.Reply.YES)}\n\n"
            f"No, they did not:\n{reply_link(letter, Letter.Reply.NO)}\n\n"
            f"Not yet:\n{reply_link(letter, Letter.Reply.NOT_YET)}\n\n"
            "Your answer, with other writers', shows how often MPs answer their "
            "constituents. We only count it; we never ask what the reply said.\n\n"
            "Groundswell\n"
        ),
        to=[letter.writer_email],
    )
    try:
        outcome = email_send(message=message, source=f"letters:{letter.letter_campaign_id}")
    except MailDeferred:
        Letter.objects.filter(pk=letter_id).update(follow_up_sent_at=None)
        raise
    return outcome is Outcome.SENT


class ReplyInvalid(ValidationError):
    pass


def letter_reply_record(*, token: str, answer: str) -> Letter:
    """Record the writer's answer to "Did your MP reply?" from a follow-up link.

    Answered once: "yes" or "no" is final and a later answer changes nothing (the letter
    is returned as it is, so the page can say what was recorded); "not yet" may be
    replaced by a later answer. One conditional UPDATE, so two answers at once cannot both
    land on a final one. Raises ValidationError({"answer"}) for an answer that is not
    yes, no or not_yet, and ReplyInvalid({"token"}) for a link that is malformed, older
    than REPLY_LINK_MAX_AGE, or for a letter gone or never sent.
    """
    if answer not in Letter.Reply.values:
        raise ValidationError({"answer": "Answer yes, no or not yet."})
    pk = link_id(
        token,
        salt=REPLY_SALT,
        max_age=REPLY_LINK_MAX_AGE,
        expired="This link has expired. Thank you all the same.",
        error=ReplyInvalid,
    )
    letter = Letter.objects.filter(pk=pk).first()
    if letter is None or letter.state != Letter.State.SENT:
        raise ReplyInvalid({"token": "This letter was not delivered, so there is nothing to ask."})
    Letter.objects.filter(pk=pk, reply__in=["", Letter.Reply.NOT_YET]).update(
        reply=answer, replied_at=timezone.now()
    )
    letter.refresh_from_db()
    return letter


def letters_scrub(*, limit: int | None = None) -> int:
    """Remove the text and postal address of letters LETTER_RETENTION_DAYS after they were
    sent (or bounced), failed (or were rejected) or expired: subject, body, postal address
    and postcode, similarity signature and bands, IP and email hashes. The row stays with
    its MP, constituency, kind, state, times and reply answer, so counts and reply rates
    do not change; the writer's name and email stay for their own account and erasure.
    At most `limit` letters a run, in three statements; returns how many. Safe to repeat
    (scrubbed_at)."""
    cutoff = timezone.now() - timedelta(days=settings.LETTER_RETENTION_DAYS)
    due = (
        Q(state__in=[Letter.State.SENT, Letter.State.BOUNCED], sent_at__lt=cutoff)
        | Q(state=Letter.State.FAILED, failed_at__lt=cutoff)
        | Q(state=Letter.State.EXPIRED, expired_at__lt=cutoff)
    )
    with transaction.atomic():
        ids = list(
            Letter.objects.filter(due, scrubbed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[: _batch(limit)]
        )
        if not ids:
            return 0
        LetterBand.objects.filter(letter_id__in=ids).delete()
        return Letter.objects.filter(pk__in=ids).update(
            subject="",
            body="",
            writer_address="",
            writer_postcode="",
            signature=[],
            ip_hash="",
            email_hash="",
            scrubbed_at=timezone.now(),
        )


def letters_unconfirmed_purge(*, limit: int = 5000) -> int:
    """Delete letters their writer never confirmed (expired), made
    UNCONFIRMED_RETENTION_DAYS ago or more: they were never sent nor counted. At most
    `limit` a run; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.UNCONFIRMED_RETENTION_DAYS)
    ids = list(
        Letter.objects.filter(
            state=Letter.State.EXPIRED, confirmed_at__isnull=True, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:limit]
    )
    deleted = Letter.objects.filter(pk__in=ids).delete()[1].get("letters.Letter", 0)
    return deleted
