"""Every write of letters: writing one, confirming it by its emailed link, sending it to
the MP (at most once) and the writer's copy. The page, the API, the admin and the tasks
all come here.
"""

import hashlib
import hmac
import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from campaigns.letters import similarity, tasks
from campaigns.letters.models import (
    ADDRESS_MAX,
    BODY_MAX,
    NAME_MAX,
    SUBJECT_MAX,
    Letter,
    LetterCampaign,
)
from campaigns.targets.models import Representative, Target
from campaigns.targets.selectors import constituency_for_place
from core.db import insert_unless_exists
from core.http import client_ip_hash
from core.ratelimit import within_caps
from volunteers.mail import MailDeferred, Outcome, email_send
from volunteers.models import normalise_email
from volunteers.places import PlaceError, place_for_postcode
from volunteers.services import supporter_get_or_create

logger = logging.getLogger(__name__)

CONFIRM_SALT = "letters.letter-confirm"
CONFIRM_PATH = "/letters/confirm/{token}/"  # the page that calls letter_confirm
BOUNCE_PREFIX = "bounces+"
EMAIL_MAX = 254


class ConfirmationInvalid(ValidationError):
    pass


def _one_line(value, *, field, label, limit, errors, required=True) -> str:
    """A header-safe single line: refused (not silently joined) if it holds a line break,
    since a name or subject goes into an email header."""
    value = value if isinstance(value, str) else ""
    if any(c in value for c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
        errors[field] = f"Your {label} must be on one line."
        return ""
    value = " ".join(value.split())
    if required and not value:
        errors[field] = f"Enter your {label}."
    elif len(value) > limit:
        errors[field] = f"Your {label} must be at most {limit} characters."
    return value


def _check(*, letter_campaign, name, email, postcode, address, subject, body):
    """The writer's fields cleaned, their place and their own current MP; ValidationError
    naming every bad field (nothing looked up twice, nothing stored)."""
    if not letter_campaign.is_open():
        raise ValidationError(
            {NON_FIELD_ERRORS: "This letter campaign has closed; it takes no more letters."}
        )
    errors: dict[str, str] = {}
    name = _one_line(name, field="name", label="name", limit=NAME_MAX, errors=errors)
    subject = _one_line(subject, field="subject", label="subject", limit=SUBJECT_MAX, errors=errors)
    email = normalise_email(email if isinstance(email, str) else "")
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter a valid email address."
    body = (body if isinstance(body, str) else "").replace("\r\n", "\n").strip()
    if not body:
        errors["body"] = "Write your letter: in your own words, to your MP."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Your letter must be at most {BODY_MAX:,} characters."
    address = (address if isinstance(address, str) else "").replace("\r\n", "\n").strip()
    if not address:
        errors["address"] = "Enter your postal address: MPs answer constituents by post too."
    elif len(address) > ADDRESS_MAX:
        errors["address"] = f"Your address must be at most {ADDRESS_MAX} characters."
    place = representative = None
    try:
        place = place_for_postcode(postcode if isinstance(postcode, str) else "")
    except PlaceError as error:
        errors["postcode"] = error.message
    if place is not None:
        constituency = constituency_for_place(place)
        representative = (
            Representative.objects.filter(constituency=constituency, is_current=True).first()
            if constituency is not None
            else None
        )
        if representative is None:
            errors["postcode"] = (
                f"We don't have a current MP for {place.constituency_name or 'that postcode'}"
                ", so we can't send a letter there yet."
            )
    if errors:
        raise ValidationError(errors)
    return name, email, place, representative, address, subject, body


def letter_kind(*, letter_campaign: LetterCampaign, representative: Representative) -> str:
    """THANKS if the MP has already reached one of the campaign's goal statuses."""
    status = (
        Target.objects.filter(
            campaign_id=letter_campaign.campaign_id, representative=representative
        )
        .values_list("status", flat=True)
        .first()
    )
    goals = letter_campaign.goal_statuses or []
    return Letter.Kind.THANKS if status and status in goals else Letter.Kind.PRESSURE


def letter_write(
    *,
    letter_campaign: LetterCampaign,
    name: str,
    email: str,
    postcode: str,
    address: str,
    subject: str,
    body: str,
    ip: str = "",
) -> Letter:
    """Write a letter to the writer's own current MP (found by their postcode).

    Refuses with ValidationError naming each bad field, storing nothing: a closed campaign,
    a name or subject with a line break (header injection) or too long, an empty body or
    one over BODY_MAX characters, no postal address, a postcode that cannot be looked up
    or whose constituency has no current MP we know, and a second letter from the same
    writer to the same MP in the same campaign (decided by the database constraint, so it
    holds under concurrency). The body is kept exactly as plain text, never rendered.

    A letter whose text is at least LETTER_SIMILARITY_HOLD similar to an earlier letter in
    the campaign is stored HELD_FOR_REVIEW (with similar_to) and no email is sent; any
    other is AWAITING_CONFIRMATION and its confirmation email goes after commit (within
    the per-address cap LETTER_CONFIRMATION_EMAILS). Its kind is THANKS when the MP already
    stands at one of the campaign's goal_statuses.
    """
    name, email, place, representative, address, subject, body = _check(
        letter_campaign=letter_campaign,
        name=name,
        email=email,
        postcode=postcode,
        address=address,
        subject=subject,
        body=body,
    )
    kind = letter_kind(letter_campaign=letter_campaign, representative=representative)
    sig = similarity.signature(body)
    match = similarity.most_similar(letter_campaign_id=letter_campaign.pk, sig=sig)
    held = match.letter_id is not None and match.similarity >= settings.LETTER_SIMILARITY_HOLD
    with transaction.atomic():
        supporter, _ = supporter_get_or_create(email=email, name=name)
        letter = Letter(
            letter_campaign=letter_campaign,
            supporter=supporter,
            representative=representative,
            writer_name=name,
            writer_email=email,
            writer_postcode=place.postcode,
            writer_address=address,
            constituency_code=place.constituency_code,
            subject=subject,
            body=body,
            kind=kind,
            state=Letter.State.HELD_FOR_REVIEW if held else Letter.State.AWAITING_CONFIRMATION,
            ip_hash=client_ip_hash(ip),
            signature=sig,
            similarity=match.similarity,
            similar_to_id=match.letter_id,
        )
        if not insert_unless_exists(letter):
            raise ValidationError(
                {
                    "email": f"You have already written to {representative.name} in this "
                    "campaign: one letter per person per MP."
                }
            )
        similarity.bands_store(letter)
        if not held and _confirmation_email_allowed(email):
            tasks.letter_confirmation_send.delay_on_commit(letter.pk)
    return letter


def _confirmation_email_allowed(email: str) -> bool:
    [allowed] = within_caps(
        [f"letters:confirm-email:{hashlib.sha256(email.encode()).hexdigest()[:32]}"],
        settings.LETTER_CONFIRMATION_EMAILS,
    )
    return allowed


def confirmation_token(letter: Letter) -> str:
    return signing.dumps(letter.pk, salt=CONFIRM_SALT, compress=True)


def confirmation_link(letter: Letter) -> str:
    return settings.SITE_URL.rstrip("/") + CONFIRM_PATH.format(token=confirmation_token(letter))


def letter_confirmation_send(*, letter_id: int) -> bool:
    """Email the writer the link that confirms their letter; True if the mail server took
    it. Nothing for a letter gone or no longer awaiting confirmation."""
    letter = Letter.objects.select_related("representative").filter(pk=letter_id).first()
    if letter is None or letter.state != Letter.State.AWAITING_CONFIRMATION:
        return False
    days = settings.LETTER_CONFIRMATION_MAX_AGE // 86400
    message = EmailMessage(
        subject=f"Confirm your letter to {letter.representative.name}",
        body=(
            f"Dear {letter.writer_name},\n\n"
            f"Please confirm your letter to {letter.representative.name} by following this "
            f"link:\n\n{confirmation_link(letter)}\n\n"
            f"It is sent once you have confirmed it. Unconfirmed letters are deleted after "
            f"{days} days. If you did not write it, ignore this email.\n\nGroundswell\n"
        ),
        to=[letter.writer_email],
    )
    outcome = email_send(message=message, source=f"letters:{letter.letter_campaign_id}")
    return outcome is Outcome.SENT


def letter_confirm(*, token: str) -> Letter:
    """Confirm the letter a link was sent for: it is QUEUED and its sending is enqueued
    after commit. Safe to follow twice (sent once). Raises ConfirmationInvalid for a link
    that is malformed or expired, or for a letter gone, expired or held."""
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.LETTER_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ConfirmationInvalid(
            {"token": "This confirmation link has expired. Write your letter again."}
        ) from error
    except signing.BadSignature as error:
        raise ConfirmationInvalid(
            {"token": "This confirmation link is not valid. Check you copied all of it."}
        ) from error
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=pk).first()
        if letter is None or letter.state == Letter.State.EXPIRED:
            raise ConfirmationInvalid({"token": "This letter no longer exists."})
        if letter.state == Letter.State.HELD_FOR_REVIEW:
            raise ConfirmationInvalid({"token": "This letter is waiting for review."})
        if letter.state == Letter.State.AWAITING_CONFIRMATION:
            letter.state = Letter.State.QUEUED
            letter.confirmed_at = timezone.now()
            letter.save(update_fields=["state", "confirmed_at"])
            tasks.letter_send.delay_on_commit(letter.pk)
    return letter


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


def letter_text(letter: Letter) -> str:
    """The letter as the MP reads it: plain text, the writer's own words untouched, signed
    with their name and postal address (so the office can check they are a constituent)."""
    mp = letter.representative
    return (
        f"Dear {mp.address_as or mp.name},\n\n"
        f"{letter.body}\n\n"
        f"Yours sincerely,\n\n{letter.writer_name}\n{letter.writer_address}\n"
        f"{letter.writer_postcode}\n\n"
        "--\n"
        f"{letter.writer_name} is a constituent of yours and wrote this letter in their own "
        "words. Reply to this email to answer them directly; it was delivered by "
        "Groundswell, which does not read replies.\n"
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
    server's answer leaves the letter SENDING, for an organiser: never sent twice.
    """
    letter = Letter.objects.select_related("representative").filter(pk=letter_id).first()
    if letter is None or letter.state != Letter.State.QUEUED:
        return False
    if not letter.representative.email:
        Letter.objects.filter(pk=letter_id, state=Letter.State.QUEUED).update(needs_printing=True)
        return False
    claimed = Letter.objects.filter(pk=letter_id, state=Letter.State.QUEUED).update(
        state=Letter.State.SENDING
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
            tasks.letter_copy_send.delay_on_commit(letter_id)
        return True
    logger.warning(
        "Letter %s to MP %s was not delivered: %s", letter_id, letter.representative_id, outcome
    )
    Letter.objects.filter(pk=letter_id).update(state=Letter.State.FAILED, failed_at=now)
    return False


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
