"""Writing a letter: the writer's checks, the own-words and abuse screening, the daily cap
per MP, the confirmation email and link, and a letter the writer sent themselves."""

import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns.letters import similarity, tasks
from campaigns.letters.models import (
    ADDRESS_MAX,
    BODY_MAX,
    NAME_MAX,
    SUBJECT_MAX,
    Letter,
    LetterCampaign,
    LetterDayCount,
)
from campaigns.letters.services.sending import letter_pressure_record
from campaigns.targets.models import Representative, Target
from campaigns.targets.selectors import constituency_for_place
from core.db import insert_unless_exists
from core.fields import one_line
from core.http import client_ip_hash
from core.links import link_id, link_token
from core.ratelimit import limits_exceeded, within_cap_for
from volunteers.mail import Outcome, email_send
from volunteers.models import canonical_email, email_checked, email_domain
from volunteers.places import PlaceError, place_for_postcode
from volunteers.services import supporter_get_or_create

logger = logging.getLogger(__name__)


CONFIRM_SALT = "letters.letter-confirm"
CONFIRM_PATH = "/letters/confirm/{token}/"  # the page that calls letter_confirm
RATE_LIMIT_PREFIX = "letters:rl"


class ConfirmationInvalid(ValidationError):
    pass


def _check(*, letter_campaign, name, email, postcode, address, subject, body):
    """The writer's fields cleaned, their place and their own current MP; ValidationError
    naming every bad field (nothing looked up twice, nothing stored)."""
    if not letter_campaign.is_open():
        raise ValidationError(
            {NON_FIELD_ERRORS: "This letter campaign has closed; it takes no more letters."}
        )
    errors: dict[str, str] = {}
    name = one_line(name, field="name", label="name", limit=NAME_MAX, errors=errors)
    subject = one_line(subject, field="subject", label="subject", limit=SUBJECT_MAX, errors=errors)
    email = email_checked(email, errors=errors)
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
    the campaign is stored HELD_FOR_REVIEW (with similar_to) and its writer is emailed a
    link to make it their own (rewriting.py); any other is AWAITING_CONFIRMATION and its
    confirmation email goes. Either email goes after commit, within the per-address cap
    LETTER_CONFIRMATION_EMAILS. Its kind is THANKS when the MP already
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
    draft = _draft(
        letter_campaign=letter_campaign,
        name=name,
        email=email,
        postcode=postcode,
        address=address,
        subject=subject,
        body=body,
        ip=ip,
    )
    held = bool(draft["hold_reason"])
    with transaction.atomic():
        letter = _letter_store(
            **draft,
            state=Letter.State.HELD_FOR_REVIEW if held else Letter.State.AWAITING_CONFIRMATION,
        )
        if _confirmation_email_allowed(draft["email"]):
            if not held:
                tasks.letter_confirmation_send.delay_on_commit(letter.pk)
            elif letter.hold_reason == Letter.HoldReason.SIMILAR:
                tasks.letter_rewrite_invite_send.delay_on_commit(letter.pk)
    return letter


def _draft(*, letter_campaign, ip, mp_email_needed=False, **fields) -> dict:
    """A letter checked (_check) and screened (_screen), as the keywords _letter_store
    takes; nothing stored. With mp_email_needed, a letter to an MP we hold no email
    address for is refused before any limit is counted."""
    name, email, place, representative, address, subject, body = _check(
        letter_campaign=letter_campaign, **fields
    )
    if mp_email_needed and not representative.email:
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
    return {
        "letter_campaign": letter_campaign,
        "name": name,
        "email": email,
        "place": place,
        "representative": representative,
        "address": address,
        "subject": subject,
        "body": body,
        **screening,
    }


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
    email (the page's mailto link), once they confirm it was them: stored
    AWAITING_CONFIRMATION with sent_by_writer set, and the confirmation email goes after
    commit (within the per-address cap, as for any letter). letter_confirm then makes it
    SENT and pressure. Unconfirmed, it counts for nothing and expires as any letter does:
    nobody can record a letter in someone else's name.

    We did not send it and cannot see it: its text is what the writer says they sent, and
    nothing goes to the MP and no copy is sent (their own mail client has it). Refuses
    exactly as letter_write does, storing nothing (the same _check, the one letter per
    writer per MP per campaign, whichever way either was sent, and the daily cap per MP,
    counted in the same row), and also when we have no email address for the MP (the
    page offers no mailto link then).

    It is screened as letter_write screens (_screen) but cannot be held: it has already
    gone. A letter letter_write would have held (a near-copy of an earlier letter, one
    from an email that wrote from another constituency within a day, or one past the
    per-IP or per-domain limits) keeps its hold_reason and similarity figures, for
    organisers to see, and is not recorded as pressure when confirmed.
    """
    draft = _draft(
        letter_campaign=letter_campaign,
        name=name,
        email=email,
        postcode=postcode,
        address=address,
        subject=subject,
        body=body,
        ip=ip,
        mp_email_needed=True,
    )
    with transaction.atomic():
        letter = _letter_store(
            **draft, state=Letter.State.AWAITING_CONFIRMATION, sent_by_writer=True
        )
        if _confirmation_email_allowed(draft["email"]):
            tasks.letter_confirmation_send.delay_on_commit(letter.pk)
    return letter


def _letter_store(
    *, letter_campaign, name, email, place, representative, address, subject, body, **fields
) -> Letter:
    """Store a checked letter inside the caller's transaction: its writer as a Supporter,
    the letter (the database's one-per-writer-per-MP constraint decides a race), its
    similarity bands, and one letter taken from the MP's daily cap (refused past it)."""
    supporter, _ = supporter_get_or_create(email=email, name=name, place=place)
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
    return within_cap_for("letters:confirm-email", email, settings.LETTER_CONFIRMATION_EMAILS)


def confirmation_token(letter: Letter) -> str:
    return link_token(letter.pk, salt=CONFIRM_SALT)


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
    if letter.sent_by_writer:
        return _sent_by_writer_confirmation_message(letter, reminder=reminder)
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


def _sent_by_writer_confirmation_message(letter: Letter, *, reminder: bool) -> EmailMessage:
    days = settings.LETTER_CONFIRMATION_MAX_AGE // 86400
    mp = letter.representative.name
    return EmailMessage(
        subject=f"{'Reminder: c' if reminder else 'C'}onfirm the letter you sent to {mp}",
        body=(
            f"Dear {letter.writer_name},\n\nYou told us you sent a letter to {mp} from your "
            "own email. To have it counted on the campaign, confirm it was you by following "
            f"this link:\n\n{confirmation_link(letter)}\n\nUnconfirmed, it is forgotten "
            f"{days} days after you told us. If you did not send it, ignore this email"
            f"{'; this is the only reminder' if reminder else ''}.\n\nGroundswell\n"
        ),
        to=[letter.writer_email],
    )


def letter_confirm(*, token: str) -> Letter:
    """Confirm the letter a link was sent for: it is QUEUED and its sending is enqueued
    after commit; or, for a letter its writer sent from their own email, it is SENT now
    and recorded as pressure (unless screening would have held it). Safe to follow twice
    (sent once, counted once). Raises ConfirmationInvalid for a link that is malformed or
    expired, or for a letter gone, expired or held."""
    pk = link_id(
        token,
        salt=CONFIRM_SALT,
        max_age=settings.LETTER_CONFIRMATION_MAX_AGE,
        expired="This confirmation link has expired. Write your letter again.",
        error=ConfirmationInvalid,
    )
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=pk).first()
        if letter is None:
            raise ConfirmationInvalid({"token": "This letter no longer exists."})
        too_old = timezone.now() - timedelta(seconds=settings.LETTER_CONFIRMATION_MAX_AGE)
        if letter.state == Letter.State.EXPIRED or (
            letter.state == Letter.State.AWAITING_CONFIRMATION and letter.awaiting_since < too_old
        ):
            raise ConfirmationInvalid(
                {"token": "This letter has expired, unconfirmed. Write your letter again."}
            )
        if letter.state == Letter.State.HELD_FOR_REVIEW:
            raise ConfirmationInvalid({"token": "This letter is waiting for review."})
        if letter.state == Letter.State.AWAITING_CONFIRMATION and letter.sent_by_writer:
            # Already gone from the writer's own email: now it counts.
            now = timezone.now()
            letter.state = Letter.State.SENT
            letter.confirmed_at = letter.sent_at = now
            letter.save(update_fields=["state", "confirmed_at", "sent_at"])
            if not letter.hold_reason:
                letter_pressure_record(letter=letter, occurred_at=now)
        elif letter.state == Letter.State.AWAITING_CONFIRMATION:
            letter.state = Letter.State.QUEUED
            letter.confirmed_at = timezone.now()
            letter.save(update_fields=["state", "confirmed_at"])
            tasks.letter_send.delay_on_commit(letter.pk)
    return letter
