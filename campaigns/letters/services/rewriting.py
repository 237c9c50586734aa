"""Making a held letter the writer's own: a letter held as too like another letter
(hold_reason SIMILAR) gets its writer an emailed link to rewrite it; a rewrite in their
own words is screened again and, if it passes, sent (the link came to their inbox, so it
confirms the letter too). Until then an organiser may still release or reject it."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from campaigns.letters import similarity, tasks
from campaigns.letters.models import BODY_MAX, SUBJECT_MAX, Letter, LetterBand
from core.fields import one_line
from core.links import link_id, link_token
from volunteers.mail import Outcome, email_send

logger = logging.getLogger(__name__)

REWRITE_SALT = "letters.letter-rewrite"
REWRITE_PATH = "/letters/rewrite/{token}/"  # the page that calls letter_rewrite


class RewriteInvalid(ValidationError):
    pass


def rewrite_token(letter: Letter) -> str:
    return link_token(letter.pk, salt=REWRITE_SALT)


def rewrite_link(letter: Letter) -> str:
    return settings.SITE_URL.rstrip("/") + REWRITE_PATH.format(token=rewrite_token(letter))


def _rewritable(letter: Letter | None) -> bool:
    return (
        letter is not None
        and letter.state == Letter.State.HELD_FOR_REVIEW
        and letter.hold_reason == Letter.HoldReason.SIMILAR
    )


def letter_rewrite_invite_send(*, letter_id: int) -> bool:
    """Email the writer of a letter held as too like another one the link to make it their
    own; True if the mail server took it. Nothing for a letter gone or no longer held so
    (an organiser may have acted first)."""
    letter = Letter.objects.select_related("representative").filter(pk=letter_id).first()
    if not _rewritable(letter):
        return False
    mp = letter.representative.name
    message = EmailMessage(
        subject=f"Make your letter to {mp} your own",
        body=(
            f"Dear {letter.writer_name},\n\nYour letter to {mp} reads very like letters "
            "other people have sent, and MPs' offices set aside letters that look copied. "
            "We have kept it back, so nothing has been sent.\n\nTo send it, say it in your "
            f"own words here:\n\n{rewrite_link(letter)}\n\nWho you are, why this matters to "
            "you and where you live is what gets an answer. If you leave it, one of our "
            "organisers will read it and either send it or tell you why not. If you did not "
            "write it, ignore this email.\n\nGroundswell\n"
        ),
        to=[letter.writer_email],
    )
    outcome = email_send(message=message, source=f"letters:{letter.letter_campaign_id}")
    return outcome is Outcome.SENT


def letter_for_rewrite(*, token: str) -> Letter:
    """The letter a rewrite link is for, with its MP and campaign; RewriteInvalid for a
    link malformed or expired, or a letter gone or no longer waiting to be rewritten."""
    pk = _token_id(token)
    letter = (
        Letter.objects.select_related("representative__constituency", "letter_campaign__campaign")
        .filter(pk=pk)
        .first()
    )
    _check_rewritable(letter)
    return letter


def letter_rewrite(*, token: str, subject: str, body: str) -> Letter:
    """Replace a held letter's subject and body with the writer's rewrite, from the link
    letter_rewrite_invite_send emailed them.

    Refuses with ValidationError naming each bad field, changing nothing: a subject with a
    line break or too long, an empty body or one over BODY_MAX characters, and a body still
    at least LETTER_SIMILARITY_HOLD like another letter in the campaign (the writer's own
    letters, this one included, do not count). RewriteInvalid for a bad link or a letter no
    longer held as similar. A rewrite that passes is QUEUED and confirmed (the link reached
    the writer's inbox) and its sending enqueued after commit; its similarity bands are
    replaced, so later letters are compared with what was sent."""
    pk = _token_id(token)
    errors: dict[str, str] = {}
    subject = one_line(subject, field="subject", label="subject", limit=SUBJECT_MAX, errors=errors)
    body = (body if isinstance(body, str) else "").replace("\r\n", "\n").strip()
    if not body:
        errors["body"] = "Write your letter: in your own words, to your MP."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Your letter must be at most {BODY_MAX:,} characters."
    if errors:
        raise ValidationError(errors)
    sig = similarity.signature(body)
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=pk).first()
        _check_rewritable(letter)
        match = similarity.most_similar(
            letter_campaign_id=letter.letter_campaign_id,
            sig=sig,
            exclude_id=letter.pk,
            writer_email_hash=letter.email_hash,
        )
        if match.letter_id is not None and match.similarity >= settings.LETTER_SIMILARITY_HOLD:
            raise ValidationError(
                {
                    "body": "Your letter still reads very like another letter. Say it your "
                    "way: who you are, why this matters to you, and what you ask your MP."
                }
            )
        letter.subject, letter.body, letter.signature = subject, body, sig
        letter.similarity, letter.similar_to_id = match.similarity, match.letter_id
        letter.hold_reason = ""
        letter.state = Letter.State.QUEUED
        letter.confirmed_at = timezone.now()
        letter.save(
            update_fields=[
                "subject",
                "body",
                "signature",
                "similarity",
                "similar_to",
                "hold_reason",
                "state",
                "confirmed_at",
            ]
        )
        LetterBand.objects.filter(letter=letter).delete()
        similarity.bands_store(letter)
        tasks.letter_send.delay_on_commit(letter.pk)
    logger.info("Held letter %s rewritten by its writer and queued", letter.pk)
    return letter


def _token_id(token: str) -> int:
    return link_id(
        token,
        salt=REWRITE_SALT,
        max_age=settings.LETTER_CONFIRMATION_MAX_AGE,
        expired="This link has expired. An organiser will read your letter.",
        error=RewriteInvalid,
    )


def _check_rewritable(letter: Letter | None) -> None:
    if letter is None:
        raise RewriteInvalid({"token": "This letter no longer exists."})
    if not _rewritable(letter):
        raise RewriteInvalid(
            {
                "token": "This letter is no longer waiting to be rewritten: it has been "
                "sent, released or turned down, and we email you when that happens."
            }
        )
