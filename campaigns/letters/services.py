"""Every write of letters: writing one, confirming it by its emailed link, sending it to
the MP (at most once) and the writer's copy. The page, the API, the admin and the tasks
all come here.
"""

import hashlib
import hmac
import logging
from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone

from campaigns.letters import similarity, tasks
from campaigns.letters.models import (
    ADDRESS_MAX,
    BODY_MAX,
    NAME_MAX,
    SUBJECT_MAX,
    Letter,
    LetterBand,
    LetterCampaign,
    LetterDayCount,
)
from campaigns.pressure.models import ActionKind
from campaigns.pressure.services import Action, actions_record, actions_withdraw
from campaigns.targets.models import Representative, Target
from campaigns.targets.selectors import constituency_for_place
from core.db import insert_unless_exists
from core.http import client_ip_hash
from core.ratelimit import limits_exceeded, within_caps
from volunteers.mail import MailDeferred, Outcome, email_send
from volunteers.models import canonical_email, email_domain, normalise_email
from volunteers.places import PlaceError, place_for_postcode
from volunteers.services import supporter_get_or_create

logger = logging.getLogger(__name__)

CONFIRM_SALT = "letters.letter-confirm"
CONFIRM_PATH = "/letters/confirm/{token}/"  # the page that calls letter_confirm
REPLY_SALT = "letters.letter-reply"
REPLY_PATH = "/letters/reply/{token}/{answer}/"  # the page that calls letter_reply_record
REPLY_LINK_MAX_AGE = 60 * 60 * 24 * 120  # a follow-up's links work for 120 days
RATE_LIMIT_PREFIX = "letters:rl"
BOUNCE_PREFIX = "bounces+"
EMAIL_MAX = 254
LETTER_SOURCE = "letters.letter"  # what letters record pressure under


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

    Limits (issue #16, part 6). A letter past a per-IP or per-email-domain limit
    (LETTER_RATE_LIMITS) is HELD_FOR_REVIEW with hold_reason RATE_LIMIT, not refused: one
    network or domain writing a lot is often a street stall or an office, and holding
    keeps everything from reaching an MP until an organiser has looked. A letter from an
    email (canonical form) that wrote from a postcode in another constituency in the last
    day is flagged (other_constituency) and held too. Past LETTER_DAILY_CAP_PER_MP letters
    to its MP today (all letter campaigns), a letter is refused with a non-field error;
    the cap is counted in a database row in this transaction, so it holds under any
    concurrency.
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
    screening = _screen(
        letter_campaign=letter_campaign,
        email=email,
        body=body,
        ip=ip,
        constituency_code=place.constituency_code,
    )
    held = bool(screening["hold_reason"])
    with transaction.atomic():
        letter = _letter_store(
            letter_campaign=letter_campaign,
            name=name,
            email=email,
            place=place,
            representative=representative,
            address=address,
            subject=subject,
            body=body,
            state=Letter.State.HELD_FOR_REVIEW if held else Letter.State.AWAITING_CONFIRMATION,
            **screening,
        )
        if not held and _confirmation_email_allowed(email):
            tasks.letter_confirmation_send.delay_on_commit(letter.pk)
    return letter


def _screen(*, letter_campaign, email, body, ip, constituency_code) -> dict:
    """What letter_write decides about a checked letter before storing it, as Letter
    fields: its similarity signature and closest earlier letter in the campaign, its IP and
    email hashes, whether its email wrote from another constituency in the last day, and
    why it would be held ("" for not held): SIMILAR at LETTER_SIMILARITY_HOLD or above,
    else OTHER_CONSTITUENCY, else RATE_LIMIT past a per-IP or per-domain limit (this call
    counts the letter against those limits)."""
    email_hash = _email_hash(email)
    sig = similarity.signature(body)
    match = similarity.most_similar(
        letter_campaign_id=letter_campaign.pk, sig=sig, writer_email_hash=email_hash
    )
    similar = match.letter_id is not None and match.similarity >= settings.LETTER_SIMILARITY_HOLD
    ip_hash = client_ip_hash(ip)
    over_limit = _writing_over_limit(ip_hash=ip_hash, email=email)
    elsewhere = _wrote_from_another_constituency(
        email_hash=email_hash, constituency_code=constituency_code
    )
    hold_reason = (
        Letter.HoldReason.SIMILAR
        if similar
        else Letter.HoldReason.OTHER_CONSTITUENCY
        if elsewhere
        else Letter.HoldReason.RATE_LIMIT
        if over_limit
        else ""
    )
    return {
        "hold_reason": hold_reason,
        "other_constituency": elsewhere,
        "ip_hash": ip_hash,
        "email_hash": email_hash,
        "signature": sig,
        "similarity": match.similarity,
        "similar_to_id": match.letter_id,
    }


def _already_written(representative: Representative) -> ValidationError:
    return ValidationError(
        {
            "email": f"You have already written to {representative.name} in this "
            "campaign: one letter per person per MP."
        }
    )


def letter_sent_by_writer(
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
    """Record a letter the writer says they sent to their own current MP from their own
    email (the page's mailto link): stored SENT now (sent_at), with sent_by_writer set.

    We did not send it and cannot see it: its text is what the writer says they sent, and
    no email goes anywhere (no confirmation, no copy: their own mail client has it).
    Refuses exactly as letter_write does, storing nothing (the same _check, the one letter
    per writer per MP per campaign, whichever way either was sent, and the daily cap per
    MP, counted in the same row), and also when we have no email address for the MP (the
    page offers no mailto link then).

    It is screened as letter_write screens (_screen) but cannot be held: it has already
    gone. A letter letter_write would have held (a near-copy of an earlier letter, one
    from an email that wrote from another constituency within a day, or one past the
    per-IP or per-domain limits) is stored SENT with its hold_reason and similarity
    figures, for organisers to see, and is not recorded as pressure; any other is recorded
    as pressure (letter_pressure_record) in the same transaction.
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
    if not representative.email:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: f"We don't have an email address for {representative.name}, "
                "so press Send instead: we'll print your letter and post it."
            }
        )
    screening = _screen(
        letter_campaign=letter_campaign,
        email=email,
        body=body,
        ip=ip,
        constituency_code=place.constituency_code,
    )
    now = timezone.now()
    with transaction.atomic():
        letter = _letter_store(
            letter_campaign=letter_campaign,
            name=name,
            email=email,
            place=place,
            representative=representative,
            address=address,
            subject=subject,
            body=body,
            state=Letter.State.SENT,
            sent_at=now,
            sent_by_writer=True,
            **screening,
        )
        if not letter.hold_reason:
            letter_pressure_record(letter=letter, occurred_at=now)
    return letter


def _letter_store(
    *, letter_campaign, name, email, place, representative, address, subject, body, **fields
) -> Letter:
    """Store a checked letter inside the caller's transaction: its writer as a Supporter,
    the letter (the database's one-per-writer-per-MP constraint decides a race), its
    similarity bands, and one letter taken from the MP's daily cap (refused past it)."""
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
        kind=letter_kind(letter_campaign=letter_campaign, representative=representative),
        **fields,
    )
    if not insert_unless_exists(letter):
        raise _already_written(representative)
    similarity.bands_store(letter)
    _daily_cap_take(representative=representative)
    return letter


def _writing_over_limit(*, ip_hash: str, email: str) -> bool:
    """Count this letter against its IP and email domain (one round trip to the cache);
    True if either is over a burst or sustained limit."""
    limits = settings.LETTER_RATE_LIMITS
    checks = []
    if ip_hash:
        checks += [("ip", ip_hash, limits["ip_burst"]), ("ip", ip_hash, limits["ip_sustained"])]
    domain = email_domain(email)
    if domain and domain not in settings.LETTER_DOMAIN_LIMIT_EXEMPT:
        checks += [
            ("domain", domain, limits["domain_burst"]),
            ("domain", domain, limits["domain_sustained"]),
        ]
    return bool(limits_exceeded(checks, prefix=RATE_LIMIT_PREFIX))


def _email_hash(email: str) -> str:
    """A keyed hash of the address's canonical form (plus-tags and Gmail dots removed)."""
    key = hashlib.sha256(f"letter-email:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, canonical_email(email).encode(), hashlib.sha256).hexdigest()[:32]


def _wrote_from_another_constituency(*, email_hash: str, constituency_code: str) -> bool:
    """Whether this address wrote a letter from a postcode in another constituency in the
    last day (any letter campaign). One indexed query."""
    return (
        Letter.objects.filter(
            email_hash=email_hash, created_at__gte=timezone.now() - timedelta(days=1)
        )
        .exclude(constituency_code=constituency_code)
        .exists()
    )


def _daily_cap_take(*, representative: Representative) -> None:
    """Take one of today's LETTER_DAILY_CAP_PER_MP letters to this MP, or refuse.

    The day's row is made if missing (INSERT ... ON CONFLICT DO NOTHING), then one
    conditional UPDATE adds one only below the cap: concurrent writers queue on the row
    lock and each sees the count the one before it left, so exactly the cap gets through.
    Held until the caller's transaction ends, and undone with it.
    """
    cap = settings.LETTER_DAILY_CAP_PER_MP
    day = timezone.localdate()
    insert_unless_exists(LetterDayCount(representative=representative, day=day, count=0))
    taken = LetterDayCount.objects.filter(
        representative=representative, day=day, count__lt=cap
    ).update(count=F("count") + 1)
    if not taken:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: f"{representative.name} has been sent as many letters today "
                "as we send any MP in one day, so their office can read each one. Please "
                "come back tomorrow to send yours."
            }
        )


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
    message = _confirmation_message(letter)
    outcome = email_send(message=message, source=f"letters:{letter.letter_campaign_id}")
    return outcome is Outcome.SENT


def _confirmation_message(letter: Letter, *, reminder: bool = False) -> EmailMessage:
    days = settings.LETTER_CONFIRMATION_MAX_AGE // 86400
    mp = letter.representative.name
    opening = (
        f"Yesterday you wrote a letter to {mp}, and it has not been sent yet: it goes only "
        "once you confirm it. To send it, follow this link"
        if reminder
        else f"Please confirm your letter to {mp} by following this link"
    )
    return EmailMessage(
        subject=f"{'Reminder: c' if reminder else 'C'}onfirm your letter to {mp}",
        body=(
            f"Dear {letter.writer_name},\n\n{opening}:\n\n{confirmation_link(letter)}\n\n"
            f"It is sent once you have confirmed it. Unconfirmed letters expire {days} days "
            "after they were written. If you did not write it, ignore this email"
            f"{'; this is the only reminder' if reminder else ''}.\n\nGroundswell\n"
        ),
        to=[letter.writer_email],
    )


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
        if letter is None:
            raise ConfirmationInvalid({"token": "This letter no longer exists."})
        too_old = timezone.now() - timedelta(seconds=settings.LETTER_CONFIRMATION_MAX_AGE)
        if letter.state == Letter.State.EXPIRED or (
            letter.state == Letter.State.AWAITING_CONFIRMATION and letter.created_at < too_old
        ):
            raise ConfirmationInvalid(
                {"token": "This letter has expired, unconfirmed. Write your letter again."}
            )
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
            letter_pressure_record(letter=letter, occurred_at=now)
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


def letter_release(*, letter_id: int) -> bool:
    """An organiser releases a letter HELD_FOR_REVIEW: it becomes AWAITING_CONFIRMATION
    and its confirmation email goes after commit (an organiser's decision, so outside the
    per-address cap). True if this call released it; False for a letter gone or not held
    (released twice, one email)."""
    with transaction.atomic():
        held = Letter.objects.filter(pk=letter_id, state=Letter.State.HELD_FOR_REVIEW)
        released = held.update(state=Letter.State.AWAITING_CONFIRMATION)
        if released:
            tasks.letter_confirmation_send.delay_on_commit(letter_id)
    return bool(released)


def letter_reject(*, letter_id: int, reason: str) -> bool:
    """An organiser rejects a letter HELD_FOR_REVIEW, saying why: it becomes FAILED
    (failed_at) and is never sent, and the writer is told why by email. True if this call
    rejected it; False for a letter gone or not held. ValidationError({"reason"}) for an
    empty reason. The reason is stored on the letter (rejection_reason) and emailed."""
    reason = " ".join((reason if isinstance(reason, str) else "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the letter is rejected: the writer is told."})
    letter = Letter.objects.select_related("representative").filter(pk=letter_id).first()
    if letter is None:
        return False
    rejected = Letter.objects.filter(pk=letter_id, state=Letter.State.HELD_FOR_REVIEW).update(
        state=Letter.State.FAILED,
        failed_at=timezone.now(),
        rejection_reason=reason[: Letter._meta.get_field("rejection_reason").max_length],
    )
    if not rejected:
        return False
    logger.info("Letter %s rejected after review: %s", letter_id, reason)
    if letter.writer_email:
        message = EmailMessage(
            subject=f"Your letter to {letter.representative.name} was not sent",
            body=(
                f"Dear {letter.writer_name},\n\n"
                f"We read your letter to {letter.representative.name} and did not send it:"
                f"\n\n{reason}\n\nMPs answer letters written in their constituents' own "
                "words. You are welcome to write again.\n\nGroundswell\n"
            ),
            to=[letter.writer_email],
        )
        _email_writer(message, letter)
    return True


def _email_writer(message: EmailMessage, letter: Letter) -> None:
    """Send an email to a letter's writer now; a mail server deferring it is logged, not
    raised (what happened to the letter is already recorded)."""
    try:
        email_send(message=message, source=f"letters:{letter.letter_campaign_id}")
    except MailDeferred:
        logger.warning("Email to the writer of letter %s was deferred", letter.pk)


def letter_bounce(*, address: str, reason: str = "") -> Letter | None:
    """A bounce came back to `address`, a letter's own envelope sender (bounce_address):
    the letter becomes BOUNCED (bounced_at) once, its pressure record (if any) is
    withdrawn, and its writer is told it did not arrive. The MP's address shows in the
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
    letter.refresh_from_db()
    if not bounced:
        return letter
    mp = letter.representative
    logger.warning(
        "Letter %s to MP %s (%s) bounced: %s", letter.pk, mp.pk, mp.email, reason or "no reason"
    )
    if letter.writer_email:
        message = EmailMessage(
            subject=f"Your letter to {mp.name} did not arrive",
            body=(
                f"Dear {letter.writer_name},\n\n"
                f"Your letter to {mp.name} ({letter.subject}) was sent, but their office's "
                "mail server sent it back: it did not arrive. We have told the campaign's "
                "organisers so they can check the address we have for your MP.\n\n"
                "You could send it yourself, by post or from your own email, from the copy "
                "we sent you.\n\nGroundswell\n"
            ),
            to=[letter.writer_email],
        )
        _email_writer(message, letter)
    return letter


# --- Pressure, reminders, expiry, follow-up and retention (issue #16 parts 2, 5, 7, 8) ---


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


def _batch(limit: int | None) -> int:
    return limit if limit is not None else settings.LETTER_HOUSEKEEPING_BATCH


def letters_expire(*, limit: int | None = None) -> int:
    """Letters still AWAITING_CONFIRMATION LETTER_CONFIRMATION_MAX_AGE after they were
    written become EXPIRED (expired_at), oldest first, at most `limit`
    (LETTER_HOUSEKEEPING_BATCH) of them in one UPDATE; returns how many. Safe to run twice
    or at once (only letters still awaiting change)."""
    cutoff = timezone.now() - timedelta(seconds=settings.LETTER_CONFIRMATION_MAX_AGE)
    due = Letter.objects.filter(
        state=Letter.State.AWAITING_CONFIRMATION, created_at__lt=cutoff
    ).order_by("created_at")
    return Letter.objects.filter(
        pk__in=Subquery(due.values("pk")[: _batch(limit)]),
        state=Letter.State.AWAITING_CONFIRMATION,
    ).update(state=Letter.State.EXPIRED, expired_at=timezone.now())


def letter_reminders_enqueue(*, limit: int | None = None) -> int:
    """Enqueue the one reminder for letters awaiting confirmation, written more than
    LETTER_REMINDER_AFTER seconds ago, not yet reminded and not yet expired: at most
    `limit` of them, oldest first, found in one query. Returns how many were enqueued.
    Enqueuing one twice sends one reminder (letter_reminder_send claims it)."""
    now = timezone.now()
    ids = list(
        Letter.objects.filter(
            state=Letter.State.AWAITING_CONFIRMATION,
            reminded_at__isnull=True,
            created_at__lte=now - timedelta(seconds=settings.LETTER_REMINDER_AFTER),
            created_at__gt=now - timedelta(seconds=settings.LETTER_CONFIRMATION_MAX_AGE),
        )
        .order_by("created_at")
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
    return signing.dumps(letter.pk, salt=REPLY_SALT, compress=True)


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
    try:
        pk = signing.loads(token, salt=REPLY_SALT, max_age=REPLY_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ReplyInvalid({"token": "This link has expired. Thank you all the same."}) from error
    except signing.BadSignature as error:
        raise ReplyInvalid(
            {"token": "This link is not valid. Check you copied all of it."}
        ) from error
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
