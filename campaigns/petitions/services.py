"""Signing, confirming, invalidating, restoring and counting, and checking the counts. The
web page, the API, the admin, the commands and the Celery tasks all come here, so they
cannot drift apart."""

import hashlib
import hmac
import logging
from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Count, F, Sum, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from campaigns.petitions import abuse, tasks
from campaigns.petitions.models import (
    ConstituencyCount,
    CountChange,
    Petition,
    PetitionCount,
    Signature,
)
from core.db import insert_unless_exists
from volunteers.models import ConsentRecord, normalise_email
from volunteers.places import LookupUnavailable, PlaceError, place_for_postcode
from volunteers.services import consent_record, supporter_get_or_create

CAMPAIGN_EMAIL_WORDING = (
    "Yes, email me about this campaign and how I can help. I can unsubscribe at any time."
)
CONFIRM_SALT = "petitions.signature-confirm"
NAME_MAX = 100

logger = logging.getLogger(__name__)


class PetitionClosed(ValidationError):
    pass


@dataclass(frozen=True)
class Signing:
    """What a signer is told, the same whether or not the address had signed before."""

    petition: Petition
    constituency_code: str
    share_code: str
    confirmation_required: bool


def share_code(*, petition: Petition, email: str) -> str:
    """The code in a signer's share links: the same every time the same address signs, so
    a repeat answer looks exactly like a first one, and meaningless without the secret."""
    key = hashlib.sha256(f"petition-share:{settings.SECRET_KEY}".encode()).digest()
    message = f"{petition.pk}:{normalise_email(email)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:12]


def _check(*, petition, name, email, postcode):
    """The signer's fields, cleaned, and their place; ValidationError naming each bad field."""
    errors = {}
    if not petition.is_open():
        raise PetitionClosed(
            {
                NON_FIELD_ERRORS: "This petition is not open for signatures."
                if petition.state == Petition.State.DRAFT
                else "This petition has closed; signatures are no longer accepted."
            }
        )
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Your name must be at most {NAME_MAX} characters."
    email = normalise_email(email)
    try:
        if not email:
            raise ValidationError("Enter your email address.")
        if len(email) > 254:
            raise ValidationError("That email address is too long.")
        validate_email(email)
    except ValidationError:
        errors["email"] = (
            "Enter your email address."
            if not email
            else "Enter a valid email address, like name@example.com."
        )
    place = None
    try:
        place = place_for_postcode(postcode or "")
    except LookupUnavailable as error:
        errors["postcode"] = error.message
    except PlaceError as error:
        errors["postcode"] = error.message
    if errors:
        raise ValidationError(errors)
    return name, email, place


def _signature_build(
    *,
    petition,
    supporter,
    name,
    email,
    place,
    source,
    referred_by,
    share_code,
    ip_hash,
    suspect,
    counted,
) -> Signature:
    """The Signature row for a checked signer (not yet stored)."""
    return Signature(
        petition=petition,
        supporter=supporter,
        name=name,
        email=email,
        canonical_email=abuse.canonical_email(email),
        email_domain=abuse.email_domain(email),
        postcode=place.postcode,
        constituency_code=place.constituency_code,
        source=(source or "")[:50],
        referred_by=(referred_by or "")[:16],
        share_code=share_code,
        ip_hash=ip_hash,
        is_suspect=suspect,
        counted=counted,
        confirmed_at=None if petition.confirmation_required else timezone.now(),
    )


def petition_sign(
    *,
    petition: Petition,
    name: str,
    email: str,
    postcode: str,
    campaign_email_opt_in: bool = False,
    source: str = "web",
    referred_by: str = "",
    ip: str = "",
) -> Signing:
    """Sign a petition: at most one signature per normalised email, under any concurrency.

    Insert-only: a new signature row (and its supporter and consent rows when new); no shared
    row is updated. With confirmation required the signature counts once its emailed link is
    followed; otherwise at once. A repeat gets the same answer and, if still unconfirmed, at
    most one more confirmation email (and never more than the per-address cap). A signing
    over a rate limit is kept as suspect and never counted. Raises ValidationError naming
    each bad field, or PetitionClosed; nothing is stored then.
    """
    name, email, place = _check(petition=petition, name=name, email=email, postcode=postcode)
    ip_hash = abuse.client_ip_hash(ip)
    domain = abuse.email_domain(email)
    suspect = abuse.signing_over_limit(ip_hash=ip_hash, domain=domain, petition_id=petition.pk)
    code = share_code(petition=petition, email=email)
    counts_now = not petition.confirmation_required and not suspect
    with transaction.atomic():
        supporter, _ = supporter_get_or_create(email=email, name=name)
        if campaign_email_opt_in:
            consent_record(
                supporter=supporter,
                purpose=ConsentRecord.Purpose.CAMPAIGN_EMAIL,
                wording=CAMPAIGN_EMAIL_WORDING,
                source=f"petition:{petition.slug}",
            )
        signature = _signature_build(
            petition=petition,
            supporter=supporter,
            name=name,
            email=email,
            place=place,
            source=source,
            referred_by=referred_by,
            share_code=code,
            ip_hash=ip_hash,
            suspect=suspect,
            counted=counts_now,
        )
        # The unique constraint (petition, email) decides a race; the loser reads the row.
        count = (
            CountChange(petition=petition, constituency_code=place.constituency_code, delta=1)
            if counts_now
            else None
        )
        if not insert_unless_exists(signature, then=count):
            signature = Signature.objects.filter(petition=petition, email=email).first()
            if signature is None:  # a conflict on something else: not a repeat
                raise IntegrityError("The signature could not be stored.")
        needs_email = (
            petition.confirmation_required
            and signature.confirmed_at is None
            and signature.invalidated_at is None
            and not signature.is_suspect
        )
        if needs_email and abuse.confirmation_email_allowed(email):
            tasks.signature_confirmation_send.delay_on_commit(signature.pk)
    return Signing(
        petition=petition,
        constituency_code=place.constituency_code,
        share_code=code,
        confirmation_required=petition.confirmation_required,
    )


def confirmation_token(signature: Signature) -> str:
    return signing.dumps(signature.pk, salt=CONFIRM_SALT, compress=True)


def signature_confirmation_send(*, signature_id: int) -> bool:
    """Email the link that confirms a signature; True if a mail was handed to the server.

    Sends nothing for a signature that is gone, already confirmed or invalidated, so a
    retry after a crash cannot send a useless mail; nor to an address on the suppression
    list. A mail server's final refusal (5xx) puts the address on that list and returns
    False; passing trouble (4xx, no connection) raises volunteers.mail.MailDeferred, which
    the task retries.
    """
    # Here rather than at the top of the module only because that part is edited by others.
    from volunteers.mail import Outcome, email_send

    signature = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if signature is None or signature.confirmed_at or signature.invalidated_at:
        return False
    path = reverse(
        "petitions:confirm", args=[signature.petition.slug, confirmation_token(signature)]
    )
    context = {
        "signature": signature,
        "petition": signature.petition,
        "link": settings.SITE_URL.rstrip("/") + path,
    }
    message = EmailMultiAlternatives(
        subject=f"Confirm your signature: {signature.petition.title}",
        body=render_to_string("petitions/email/confirm.txt", context),
        to=[signature.email],
    )
    outcome = email_send(message=message, source=f"petition:{signature.petition.slug}")
    return outcome is Outcome.SENT


class ConfirmationInvalid(ValidationError):
    pass


def signature_confirm(*, token: str) -> Signature:
    """Confirm the signature a link was sent for; safe to follow twice (counts once).

    Raises ConfirmationInvalid for a link that is malformed, expired or for a signature
    that no longer exists.
    """
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.PETITION_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ConfirmationInvalid(
            {"token": "This confirmation link has expired. Sign again to get a new one."}
        ) from error
    except signing.BadSignature as error:
        raise ConfirmationInvalid(
            {"token": "This confirmation link is not valid. Check you copied all of it."}
        ) from error
    with transaction.atomic():
        # Locked (only this row, not its petition), so an invalidation cannot slip in
        # between reading the signature and counting it: invalidation locks it too.
        signature = Signature.objects.select_for_update().filter(pk=pk).first()
        if signature is None:
            raise ConfirmationInvalid({"token": "This signature no longer exists."})
        counts = not signature.is_suspect and signature.invalidated_at is None
        confirmed = Signature.objects.filter(pk=pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now(), counted=counts
        )
        if confirmed and counts:
            CountChange.objects.create(
                petition_id=signature.petition_id,
                constituency_code=signature.constituency_code,
                delta=1,
            )
        signature.refresh_from_db()
    return signature


def signatures_invalidate(*, signatures, reason: str) -> int:
    """Invalidate signatures with a reason; counted ones leave the totals exactly.

    `signatures` is a queryset (by IP hash, domain, postcode, time range or ids); those
    already invalidated are left as they were. Returns how many were invalidated.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for invalidating signatures."})
    with transaction.atomic():
        # Locked in primary key order, as signatures_restore locks them, so the two
        # running at once on overlapping rows wait for one another instead of deadlocking.
        pending = signatures.filter(invalidated_at__isnull=True).order_by("pk").select_for_update()
        rows = list(pending.values_list("pk", "petition_id", "constituency_code", "counted"))
        if not rows:
            return 0
        Signature.objects.filter(pk__in=[r[0] for r in rows]).update(
            invalidated_at=timezone.now(), invalidation_reason=reason.strip()[:200], counted=False
        )
        CountChange.objects.bulk_create(
            [
                CountChange(petition_id=petition_id, constituency_code=code, delta=-1)
                for _, petition_id, code, counted in rows
                if counted
            ]
        )
    return len(rows)


@dataclass(frozen=True)
class Restoration:
    """What signatures_restore did: how many it restored, how many of them count now, and
    how many were sent a confirmation email (the rest count once they confirm)."""

    restored: int
    counted: int
    emailed: int


def signatures_restore(*, signatures, reason: str, by=None) -> Restoration:
    """Clear the suspicion on suspect signatures, with a reason, so genuine signers count.

    `signatures` is a queryset; only those suspect and not invalidated are restored (an
    invalidated signature stays out, and restoring twice does nothing the second time).
    Each is locked (in primary key order, as signatures_invalidate locks them) and marked
    with who restored it, when and why. A confirmed one counts at once: counted is set and
    exactly one CountChange +1 written, in this transaction. An unconfirmed one is sent
    its confirmation email after commit (within abuse's cap per address), and counts
    once, through signature_confirm, when the link is followed. Raises ValidationError
    for an empty reason; nothing is changed then.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for restoring signatures."})
    with transaction.atomic():
        suspects = (
            signatures.filter(is_suspect=True, invalidated_at__isnull=True)
            .order_by("pk")
            .select_for_update()
        )
        rows = list(
            suspects.values_list(
                "pk", "petition_id", "constituency_code", "confirmed_at", "counted", "email"
            )
        )
        if not rows:
            return Restoration(restored=0, counted=0, emailed=0)
        now = timezone.now()
        marks = {
            "is_suspect": False,
            "restored_at": now,
            "restoration_reason": reason[:200],
            "restored_by": by,
        }
        confirmed = [row for row in rows if row[3] is not None]
        unconfirmed = [row for row in rows if row[3] is None]
        Signature.objects.filter(pk__in=[row[0] for row in confirmed]).update(counted=True, **marks)
        Signature.objects.filter(pk__in=[row[0] for row in unconfirmed]).update(**marks)
        now_counting = CountChange.objects.bulk_create(
            [
                CountChange(petition_id=petition_id, constituency_code=code, delta=1)
                for _, petition_id, code, _, counted, _ in confirmed
                if not counted
            ]
        )
        allowed = abuse.confirmation_emails_allowed([row[5] for row in unconfirmed])
        emailed = [row[0] for row, ok in zip(unconfirmed, allowed, strict=True) if ok]
        for pk in emailed:
            tasks.signature_confirmation_send.delay_on_commit(pk)
    return Restoration(restored=len(rows), counted=len(now_counting), emailed=len(emailed))


def petition_counts_apply(*, batch: int = 10_000) -> int:
    """Fold waiting CountChanges into the counts; returns how many were applied.

    Each change is read, added to PetitionCount and ConstituencyCount, and deleted in one
    transaction, so it is applied exactly once even if two of these run at once (the second
    skips the rows the first has locked) or the worker dies half-way (nothing is kept).
    """
    with transaction.atomic():
        changes = CountChange.objects.order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            changes = changes.select_for_update(skip_locked=True)
        rows = list(changes.values_list("pk", "petition_id", "constituency_code", "delta")[:batch])
        if not rows:
            return 0
        totals: dict[int, int] = defaultdict(int)
        by_seat: dict[tuple[int, str], int] = defaultdict(int)
        for _, petition_id, code, delta in rows:
            totals[petition_id] += delta
            by_seat[petition_id, code] += delta
        now = timezone.now()
        PetitionCount.objects.bulk_create(
            [PetitionCount(petition_id=p) for p in totals], ignore_conflicts=True
        )
        for petition_id, delta in totals.items():
            PetitionCount.objects.filter(petition_id=petition_id).update(
                total=F("total") + delta, updated_at=now
            )
        ConstituencyCount.objects.bulk_create(
            [ConstituencyCount(petition_id=p, constituency_code=c) for p, c in by_seat],
            ignore_conflicts=True,
        )
        # One read and one write for all seats, not an UPDATE per seat: the rows are locked
        # (in a fixed order) so a concurrent run waits rather than losing an addition, then
        # written back by one INSERT ... ON CONFLICT DO UPDATE (bulk_update's CASE would
        # grow with the square of the number of seats).
        seats = (
            ConstituencyCount.objects.select_for_update()
            .filter(petition_id__in=totals, constituency_code__in={code for _, code in by_seat})
            .order_by("pk")
        )
        changed = []
        for seat in seats:
            delta = by_seat.get((seat.petition_id, seat.constituency_code))
            if delta:
                seat.total += delta
                changed.append(seat)
        ConstituencyCount.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["petition", "constituency_code"],
            update_fields=["total"],
            batch_size=1000,
        )
        CountChange.objects.filter(pk__in=[r[0] for r in rows]).delete()
    return len(rows)


SEATS_SHOWN = 10  # constituencies named in a report line; the rest are counted


@dataclass(frozen=True)
class SeatDifference:
    constituency_code: str
    published: int
    expected: int


@dataclass(frozen=True)
class CountCheck:
    """What petition_counts_check found for one petition: the published total and what it
    should be, the constituencies whose published totals differ, and whether it repaired
    them (it does not with repair=False, nor a count that would have to go below zero)."""

    petition_id: int
    slug: str
    published: int
    expected: int
    seats: tuple[SeatDifference, ...] = ()
    repaired: bool = False

    @property
    def differs(self) -> bool:
        return self.published != self.expected or bool(self.seats)

    @property
    def repairable(self) -> bool:
        """A count below zero would mean the journal takes away more than was ever counted:
        a fault to look into, not one to paper over."""
        return self.expected >= 0 and all(seat.expected >= 0 for seat in self.seats)

    def __str__(self) -> str:
        if not self.differs:
            return f"{self.slug}: {self.published}, as expected"
        parts = []
        if self.published != self.expected:
            parts.append(f"total {self.published} published, {self.expected} expected")
        parts += [
            f"{seat.constituency_code or '(no constituency)'} {seat.published} published, "
            f"{seat.expected} expected"
            for seat in self.seats[:SEATS_SHOWN]
        ]
        if len(self.seats) > SEATS_SHOWN:
            parts.append(f"{len(self.seats) - SEATS_SHOWN} more constituencies")
        outcome = "repaired" if self.repaired else "not repaired"
        return f"{self.slug}: {'; '.join(parts)}: {outcome}"


def _count_sources(petition_id: int):
    """One statement: per constituency, the counted signatures ("signed"), the journal rows
    not yet folded ("pending") and the published total ("published")."""

    def kind(name):
        return Value(name, output_field=CharField())

    signed = (
        Signature.objects.filter(petition_id=petition_id, counted=True)
        .order_by()
        .values("constituency_code")
        .annotate(kind=kind("signed"), n=Count("pk"))
        .values_list("kind", "constituency_code", "n")
    )
    pending = (
        CountChange.objects.filter(petition_id=petition_id)
        .order_by()
        .values("constituency_code")
        .annotate(kind=kind("pending"), n=Sum("delta"))
        .values_list("kind", "constituency_code", "n")
    )
    published = (
        ConstituencyCount.objects.filter(petition_id=petition_id)
        .order_by()
        .annotate(kind=kind("published"))
        .values_list("kind", "constituency_code", "total")
    )
    return signed.union(pending, published, all=True)


def _published_total_locked(petition_id: int):
    return (
        PetitionCount.objects.select_for_update(of=("self",))
        .filter(petition_id=petition_id)
        .values_list("total", "petition__slug")
        .first()
    )


def petition_counts_check(*, petition_id: int, repair: bool = True) -> CountCheck:
    """Compare a petition's published counts with its counted signatures; repair them.

    What is published should be the counted signatures less the journal rows (CountChange)
    not yet folded in: per petition (PetitionCount.total) and per constituency
    (ConstituencyCount). A difference is logged (the petition's slug and the numbers,
    nothing about any signer) and, with repair, the published totals are set to what they
    should be. Safe to run at any time, beside signing and beside petition_counts_apply:

    - The petition's PetitionCount row is locked first (FOR UPDATE). Every fold that takes
      in a change for this petition updates that row before it touches the constituency
      rows, and deletes the journal rows it folded in the same transaction. So a fold that
      has already updated it has committed by the time the lock is granted (and the next
      statement sees all of it: totals raised, journal rows gone), and one that has not
      waits until this check commits (its journal rows, locked but not deleted, are seen
      as pending, which is what they still are). The published counts of this petition
      cannot change while the check holds the lock, and two checks take turns.
    - Then the counted signatures, the pending journal and the published constituency
      totals are read in ONE statement. Under READ COMMITTED each statement sees one
      snapshot; signing, confirming, invalidating and restoring change a signature's
      counted flag and insert its journal row in one transaction, so that snapshot has
      both or neither, and counted minus pending is exact. Read in two statements, a
      transaction committing between them would show as a difference that is not there,
      and "repairing" it would break a right count.
    - Nothing here locks a signature or a journal row, so signers never wait for it. A
      repaired total is what the published count should be before the pending journal is
      folded, so the fold that runs next adds its changes to the right number.

    The check costs the same few queries whatever the number of constituencies. With
    repair=False it changes nothing (even the empty PetitionCount row it may make for a
    petition never counted is rolled back).
    """
    with transaction.atomic():
        check = _counts_compare(petition_id)
        if repair and check.differs and check.repairable:
            _counts_repair(check)
            check = replace(check, repaired=True)
        if not repair:
            transaction.set_rollback(True)
    if check.differs:
        # Repair asked for but impossible is an error; otherwise a difference is a warning.
        level = logging.ERROR if repair and not check.repaired else logging.WARNING
        logger.log(level, "Petition counts differed: %s", check)
    return check


def _counts_compare(petition_id: int) -> CountCheck:
    """The lock, then the one statement (see petition_counts_check)."""
    locked = _published_total_locked(petition_id)
    if locked is None:  # never folded: make the row (as the fold would) and lock it
        if not Petition.objects.filter(pk=petition_id).exists():
            raise Petition.DoesNotExist(f"No petition {petition_id}.")
        PetitionCount.objects.bulk_create(
            [PetitionCount(petition_id=petition_id)], ignore_conflicts=True
        )
        locked = _published_total_locked(petition_id)
    published_total, slug = locked
    signed: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    published: dict[str, int] = {}
    for kind, code, n in _count_sources(petition_id):
        if kind == "signed":
            signed[code] += n
        elif kind == "pending":
            pending[code] += n
        else:
            published[code] = n
    seats = tuple(
        SeatDifference(code, published.get(code, 0), signed[code] - pending[code])
        for code in sorted({*signed, *pending, *published})
        if published.get(code, 0) != signed[code] - pending[code]
    )
    expected_total = sum(signed.values()) - sum(pending.values())
    return CountCheck(petition_id, slug, published_total, expected_total, seats)


def _counts_repair(check: CountCheck) -> None:
    """Set the published counts to what they should be: at most two statements."""
    if check.published != check.expected:
        PetitionCount.objects.filter(petition_id=check.petition_id).update(
            total=check.expected, updated_at=timezone.now()
        )
    ConstituencyCount.objects.bulk_create(
        [
            ConstituencyCount(
                petition_id=check.petition_id,
                constituency_code=seat.constituency_code,
                total=seat.expected,
            )
            for seat in check.seats
        ],
        update_conflicts=True,
        unique_fields=["petition", "constituency_code"],
        update_fields=["total"],
        batch_size=1000,
    )


def petition_counts_check_all(*, repair: bool = True) -> list[CountCheck]:
    """petition_counts_check for every petition that is not a draft, each in a transaction
    of its own (so a lock is held for one petition at a time)."""
    ids = Petition.objects.exclude(state=Petition.State.DRAFT).order_by("pk")
    return [
        petition_counts_check(petition_id=pk, repair=repair)
        for pk in ids.values_list("pk", flat=True)
    ]
