"""Sending a confirmed letter to the MP (at most once) and the writer's copy, its bounce
address and bounces, and the pressure a sent letter is."""

import hashlib
import hmac
import logging
from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from campaigns.letters import tasks
from campaigns.letters.models import (
    Letter,
    LetterCampaign,
)
from campaigns.pressure.models import ActionKind
from campaigns.pressure.services import Action, actions_record, actions_withdraw
from campaigns.targets.models import Target
from volunteers.mail import MailDeferred, Outcome, email_send

logger = logging.getLogger(__name__)


BOUNCE_PREFIX = "bounces+"
LETTER_SOURCE = "letters.letter"  # what letters record pressure under


def _bounce_mac(letter_id: int) -> str:
    key = hashlib.sha256(f"letter-bounce:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, str(letter_id).encode(), hashlib.sha256).hexdigest()[:12]


def bounce_address(letter: Letter) -> str:
    """The letter's own envelope sender (Return-Path): a bounce sent to it, days later,
    says which letter it is about. bounces+<id>-<hmac>@<the sender's domain>."""
    domain = (
        settings.LETTER_BOUNCE_DOMAIN or parseaddr(settings.LETTER_FROM_EMAIL)[1].rpartition("@")[2]
    )
    return f"{BOUNCE_PREFIX}{letter.pk}-{_bounce_mac(letter.pk)}@{domain}"


def letter_for_bounce_address(address: str) -> Letter | None:
    """The letter a bounce address was made for, or None if it is not one of ours (its
    code does not match: anyone can write to bounces+1-x@)."""
    local = parseaddr(address)[1].rpartition("@")[0].lower()
    if not local.startswith(BOUNCE_PREFIX):
        return None
    pk, _, mac = local[len(BOUNCE_PREFIX) :].partition("-")
    if not pk.isdigit() or not hmac.compare_digest(mac, _bounce_mac(int(pk))):
        return None
    return Letter.objects.filter(pk=int(pk)).first()


def letter_text(letter: Letter, *, by_post: bool = False) -> str:
    """The letter as the MP reads it: plain text, the writer's own words untouched, signed
    with their name and postal address (so the office can check they are a constituent).
    `by_post`: for a printed letter, which is answered by post, not by replying."""
    mp = letter.representative
    answer = (
        "Please answer them at the address above; Groundswell printed and posted it for them."
        if by_post
        else "Reply to this email to answer them directly; it was delivered by Groundswell, "
        "which does not read replies."
    )
    return (
        f"Dear {mp.address_as or mp.name},\n\n"
        f"{letter.body}\n\n"
        f"Yours sincerely,\n\n{letter.writer_name}\n{letter.writer_address}\n"
        f"{letter.writer_postcode}\n\n"
        "--\n"
        f"{letter.writer_name} is a constituent of yours and wrote this letter in their own "
        f"words. {answer}\n"
    )


def letter_message(letter: Letter) -> EmailMessage:
    """The email to the MP: From the site's one fixed sender address with the writer's
    name as display name, Reply-To the writer, plain text only (HTML in a letter is sent as
    the characters typed), and the letter's own bounce address as envelope sender: Django's
    SMTP backend gives from_email as MAIL FROM, while the From header is set apart."""
    sender = parseaddr(settings.LETTER_FROM_EMAIL)[1]
    return EmailMessage(
        subject=letter.subject,
        body=letter_text(letter),
        from_email=bounce_address(letter),
        to=[letter.representative.email],
        reply_to=[formataddr((letter.writer_name, letter.writer_email))],
        headers={
            "From": formataddr((letter.writer_name, sender)),
            "X-Groundswell-Letter": str(letter.pk),
        },
    )


def letter_send(*, letter_id: int) -> bool:
    """Send a QUEUED letter to its MP, at most once; True if this call sent it.

    The letter is claimed by one conditional UPDATE (QUEUED -> SENDING, committed before
    anything is sent), so a second run, or a second worker at the same moment, finds it
    claimed and sends nothing. The mail server taking it makes it SENT (sent_at) and the
    writer's copy is enqueued; a final refusal (5xx) or a suppressed MP address makes it
    FAILED. Passing trouble (4xx, no connection) puts it back to QUEUED and raises
    MailDeferred for the task to retry. An MP with no email address leaves it QUEUED and
    marks it for printing: nothing is sent. A worker dying between the claim and the
    server's answer leaves the letter SENDING (sending_since), for an organiser to send
    again once they know it did not arrive (letter_send_again): never sent twice on its own.
    Becoming SENT records the letter as pressure on the campaign's target for its MP
    (letter_pressure_record), in the same transaction.
    """
    letter = (
        Letter.objects.select_related("representative", "letter_campaign")
        .filter(pk=letter_id)
        .first()
    )
    if letter is None or letter.state != Letter.State.QUEUED:
        return False
    if not letter.representative.email:
        Letter.objects.filter(pk=letter_id, state=Letter.State.QUEUED).update(needs_printing=True)
        return False
    claimed = Letter.objects.filter(pk=letter_id, state=Letter.State.QUEUED).update(
        state=Letter.State.SENDING, sending_since=timezone.now()
    )
    if not claimed:
        return False
    source = f"letters:{letter.letter_campaign_id}"
    try:
        outcome = email_send(message=letter_message(letter), source=source)
    except MailDeferred:
        Letter.objects.filter(pk=letter_id, state=Letter.State.SENDING).update(
            state=Letter.State.QUEUED
        )
        raise
    now = timezone.now()
    if outcome is Outcome.SENT:
        with transaction.atomic():
            Letter.objects.filter(pk=letter_id).update(state=Letter.State.SENT, sent_at=now)
            letter_pressure_record(letter=letter, occurred_at=now)
            tasks.letter_copy_send.delay_on_commit(letter_id)
        return True
    logger.warning(
        "Letter %s to MP %s was not delivered: %s", letter_id, letter.representative_id, outcome
    )
    Letter.objects.filter(pk=letter_id).update(state=Letter.State.FAILED, failed_at=now)
    return False


def letter_send_again(*, letter_id: int) -> bool:
    """An organiser sends again a letter left SENDING for LETTER_SENDING_STUCK_AFTER seconds
    or more (its worker stopped between claiming it and the mail server's answer, so it
    may or may not have arrived: they have checked it did not). It goes back to QUEUED and
    its sending is enqueued after commit. True if this call did so; False for any other
    letter, including one claimed more recently (it may be sending right now)."""
    stuck_since = timezone.now() - timedelta(seconds=settings.LETTER_SENDING_STUCK_AFTER)
    with transaction.atomic():
        requeued = Letter.objects.filter(
            pk=letter_id, state=Letter.State.SENDING, sending_since__lte=stuck_since
        ).update(state=Letter.State.QUEUED)
        if requeued:
            logger.warning(
                "Letter %s left sending since before %s: sent again", letter_id, stuck_since
            )
            tasks.letter_send.delay_on_commit(letter_id)
    return bool(requeued)


def letter_copy_send(*, letter_id: int) -> bool:
    """Email the writer a copy of their sent letter, at most once (claimed by setting
    copy_sent_at; put back if the server defers it, so the retry sends it)."""
    letter = Letter.objects.select_related("representative").filter(pk=letter_id).first()
    if letter is None or letter.state != Letter.State.SENT:
        return False
    claimed = Letter.objects.filter(pk=letter_id, copy_sent_at__isnull=True).update(
        copy_sent_at=timezone.now()
    )
    if not claimed:
        return False
    message = EmailMessage(
        subject=f"Your letter to {letter.representative.name}: {letter.subject}",
        body=(
            f"Dear {letter.writer_name},\n\nThis is the letter you sent to "
            f"{letter.representative.name}. Their reply will come to this address.\n\n"
            "------------------------------------------------------------\n\n"
            f"{letter_text(letter)}"
        ),
        to=[letter.writer_email],
    )
    try:
        outcome = email_send(message=message, source=f"letters:{letter.letter_campaign_id}")
    except MailDeferred:
        Letter.objects.filter(pk=letter_id).update(copy_sent_at=None)
        raise
    return outcome is Outcome.SENT


def letter_outcome_notice_send(*, letter_id: int) -> bool:
    """Tell a letter's writer, once, that it did not reach their MP: it BOUNCED, or an
    organiser turned it down after review (FAILED with a rejection_reason, which the email
    gives). True if the mail server took it. Claimed by setting writer_told_at (put back if
    the server defers it, for the task's retry); nothing for any other letter, or one whose
    writer has been erased."""
    letter = Letter.objects.select_related("representative").filter(pk=letter_id).first()
    if letter is None or not letter.writer_email:
        return False
    mp = letter.representative.name
    if letter.state == Letter.State.BOUNCED:
        subject = f"Your letter to {mp} did not arrive"
        said = (
            f"Your letter to {mp} ({letter.subject}) was sent, but their office's mail "
            "server sent it back: it did not arrive. We have told the campaign's organisers "
            "so they can check the address we have for your MP.\n\nYou could send it "
            "yourself, by post or from your own email, from the copy we sent you."
        )
    elif letter.state == Letter.State.FAILED and letter.rejection_reason:
        subject = f"Your letter to {mp} was not sent"
        said = (
            f"We read your letter to {mp} and did not send it:\n\n"
            f"{letter.rejection_reason}\n\nMPs answer letters written in their "
            "constituents' own words. You are welcome to write again."
        )
    else:
        return False
    claimed = Letter.objects.filter(pk=letter_id, writer_told_at__isnull=True).update(
        writer_told_at=timezone.now()
    )
    if not claimed:
        return False
    message = EmailMessage(
        subject=subject,
        body=f"Dear {letter.writer_name},\n\n{said}\n\nGroundswell\n",
        to=[letter.writer_email],
    )
    try:
        outcome = email_send(message=message, source=f"letters:{letter.letter_campaign_id}")
    except MailDeferred:
        Letter.objects.filter(pk=letter_id).update(writer_told_at=None)
        raise
    return outcome is Outcome.SENT


def letter_bounce(*, address: str, reason: str = "") -> Letter | None:
    """A bounce came back to `address`, a letter's own envelope sender (bounce_address):
    the letter becomes BOUNCED (bounced_at) once, its pressure record (if any) is
    withdrawn, and its writer is told it did not arrive (letter_outcome_notice_send, a
    task enqueued after commit, so a deferring mail server delays it but does not lose
    it). The MP's address shows in the
    organisers' bounce report (selectors.bounce_report). Returns the letter (unchanged if
    it had already bounced, or was never sent: nothing emailed then), or None if the
    address is not one of ours."""
    letter = letter_for_bounce_address(address)
    if letter is None:
        return None
    with transaction.atomic():
        bounced = Letter.objects.filter(
            pk=letter.pk, state__in=[Letter.State.SENT, Letter.State.SENDING]
        ).update(state=Letter.State.BOUNCED, bounced_at=timezone.now())
        if bounced:
            actions_withdraw(source=LETTER_SOURCE, source_ids=[letter.pk])
            tasks.letter_outcome_notice_send.delay_on_commit(letter.pk)
    letter.refresh_from_db()
    if bounced:
        mp = letter.representative
        logger.warning(
            "Letter %s to MP %s (%s) bounced: %s",
            letter.pk,
            mp.pk,
            mp.email,
            reason or "no reason",
        )
    return letter


# --- Pressure, reminders, expiry, follow-up and retention (issue #16 parts 2, 5, 7, 8) ---


def letter_posted(*, letter_id: int) -> bool:
    """An organiser has printed and posted a letter to an MP we have no email address for:
    a QUEUED letter marked needs_printing becomes SENT now and is recorded as pressure, in
    one transaction. True if this call marked it; False for any other letter (so marking
    twice posts once)."""
    with transaction.atomic():
        now = timezone.now()
        posted = Letter.objects.filter(
            pk=letter_id, state=Letter.State.QUEUED, needs_printing=True
        ).update(state=Letter.State.SENT, sent_at=now)
        if posted:
            letter_pressure_record(letter=Letter.objects.get(pk=letter_id), occurred_at=now)
    return bool(posted)


def letter_pressure_record(*, letter: Letter, occurred_at=None) -> bool:
    """Record a sent letter as a "letter" action against its campaign's target for its MP
    (one SELECT for the target, one INSERT), at the time it was sent; nothing if the
    campaign does not target that MP. Safe to repeat (pressure records a letter once).
    Call it inside the transaction that marks the letter SENT. True if a target exists."""
    campaign_id = LetterCampaign.objects.filter(pk=letter.letter_campaign_id).values("campaign_id")
    target_id = (
        Target.objects.filter(
            campaign_id=Subquery(campaign_id), representative_id=letter.representative_id
        )
        .values_list("pk", flat=True)
        .first()
    )
    if target_id is None:
        return False
    actions_record(
        kind=ActionKind.LETTER,
        source=LETTER_SOURCE,
        actions=[
            Action(
                target_id=target_id,
                source_id=letter.pk,
                supporter_id=letter.supporter_id,
                occurred_at=occurred_at or letter.sent_at,
            )
        ],
    )
    return True
