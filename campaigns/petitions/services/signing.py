"""Signing a petition and confirming a signature by its emailed link."""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from campaigns.petitions import abuse, tasks
from campaigns.petitions.models import (
    CountChange,
    Petition,
    Signature,
)
from campaigns.petitions.services.pressure import signatures_pressure_record
from core.db import insert_unless_exists
from core.http import client_ip_hash
from core.links import link_id, link_token
from volunteers.mail import Outcome, email_send
from volunteers.models import ConsentRecord, canonical_email, email_domain, normalise_email
from volunteers.places import LookupUnavailable, PlaceError, place_for_postcode
from volunteers.services import CONSENT_WORDING, consent_record, supporter_get_or_create

# The words the opt-in box shows and its consent record keeps: volunteers' own, so one
# consent reads the same wherever it is given.
CAMPAIGN_EMAIL_WORDING = CONSENT_WORDING[ConsentRecord.Purpose.CAMPAIGN_EMAIL]
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
        canonical_email=canonical_email(email),
        email_domain=email_domain(email),
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
    ip_hash = client_ip_hash(ip)
    domain = email_domain(email)
    suspect = abuse.signing_over_limit(ip_hash=ip_hash, domain=domain, petition_id=petition.pk)
    code = share_code(petition=petition, email=email)
    counts_now = not petition.confirmation_required and not suspect
    with transaction.atomic():
        supporter, _ = supporter_get_or_create(email=email, name=name, place=place)
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
    return link_token(signature.pk, salt=CONFIRM_SALT)


def signature_confirmation_send(*, signature_id: int) -> bool:
    """Email the link that confirms a signature; True if a mail was handed to the server.

    Sends nothing for a signature that is gone, already confirmed or invalidated, so a
    retry after a crash cannot send a useless mail; nor to an address on the suppression
    list. A mail server's final refusal (5xx) puts the address on that list and returns
    False; passing trouble (4xx, no connection) raises volunteers.mail.MailDeferred, which
    the task retries.
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
    outcome = email_send(message=message, source=f"petition:{signature.petition.slug}")
    return outcome is Outcome.SENT


class ConfirmationInvalid(ValidationError):
    pass


def signature_confirm(*, token: str) -> Signature:
    """Confirm the signature a link was sent for; safe to follow twice (counts once).

    When it starts to count, it is also recorded as pressure on its MP
    (pressure.signatures_pressure_record: two more statements) in the same transaction.

    Raises ConfirmationInvalid for a link that is malformed, expired or for a signature
    that no longer exists.
    """
    pk = link_id(
        token,
        salt=CONFIRM_SALT,
        max_age=settings.PETITION_CONFIRMATION_MAX_AGE,
        expired="This confirmation link has expired. Sign again to get a new one.",
        error=ConfirmationInvalid,
    )
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
            signatures_pressure_record(signature_ids=[pk])
        signature.refresh_from_db()
    return signature
