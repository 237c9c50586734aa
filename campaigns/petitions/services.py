"""Signing, confirming, invalidating and counting. The web page, the API, the admin and the
Celery tasks all come here, so they cannot drift apart."""

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
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
    suspect = abuse.signing_over_limit(ip_hash=ip_hash, domain=domain)
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
    retry after a crash cannot send a useless mail.
    """
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
    message.send()
    return True


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
        pending = signatures.filter(invalidated_at__isnull=True).select_for_update()
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
