"""Writes about people: finding supporters by email, linking them to accounts, consent,
unsubscribing, and a person's own export and erasure."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.db import insert_unless_exists
from core.ratelimit import within_cap_for
from volunteers.mail import email_suppress
from volunteers.models import ConsentRecord, EmailSuppression, Supporter, User, normalise_email
from volunteers.privacy import supporter_erase, supporter_export


def supporter_get_or_create(*, email: str, name: str = "") -> tuple[Supporter, bool]:
    """The one Supporter for this address, created if new; safe under concurrency.

    Two requests with the same address (in any case or spacing) end with one row: the
    unique constraint decides, and the loser reads the winner's row. One statement for a
    new address, two for a known one, and no savepoint: it sits on the signing hot path.
    """
    email = normalise_email(email)
    if not email:
        raise ValueError("An email address is required.")
    supporter = Supporter(email=email, name=name)
    if insert_unless_exists(supporter):
        return supporter, True
    return Supporter.objects.get(email=email), False


def supporter_link_user(*, user: User) -> Supporter:
    """Attach the account to the Supporter with its (now verified) address.

    Called once the address is verified: before that, linking would let anyone who
    signs up with someone else's address see that person's record.
    """
    supporter, _ = supporter_get_or_create(email=user.email, name=user.name)
    if supporter.user_id != user.pk:
        Supporter.objects.filter(user=user).exclude(pk=supporter.pk).update(user=None)
        supporter.user = user
        supporter.save(update_fields=["user", "updated_at"])
    return supporter


def consent_record(
    *, supporter: Supporter, purpose: str, wording: str, source: str
) -> ConsentRecord:
    """Record that the supporter agreed to `wording` for `purpose`, now."""
    return ConsentRecord.objects.create(
        supporter=supporter, purpose=purpose, wording=wording, source=source
    )


def email_unsubscribe(*, email: str, source: str, by_organiser: bool = False) -> bool:
    """Stop all mass email to this address, now: it goes on the suppression list (as a
    keyed hash, so the wish outlives the person's other data) and every campaign-email
    consent of its supporter is withdrawn. Mail the person asks for themselves
    (confirmation links, their letters) still goes. True if it was not unsubscribed yet.
    Safe to repeat."""
    reason = (
        EmailSuppression.Reason.UNSUBSCRIBED_BY_ORGANISER
        if by_organiser
        else EmailSuppression.Reason.UNSUBSCRIBED
    )
    with transaction.atomic():
        new = email_suppress(email=email, reason=reason, source=source)
        ConsentRecord.objects.filter(
            supporter__email=normalise_email(email),
            purpose=ConsentRecord.Purpose.CAMPAIGN_EMAIL,
            withdrawn_at__isnull=True,
        ).update(withdrawn_at=timezone.now())
    return new


# Tries at the password that confirms "delete me": count per seconds, per account.
ERASE_TRIES = (5, 15 * 60)


def account_export(*, user: User) -> dict:
    """Everything the platform holds about the account's person, from every provider."""
    return supporter_export(supporter=supporter_link_user(user=user))


def account_erase(*, user: User, password: str) -> None:
    """The person's own "delete me": their password again (so a borrowed, signed-in phone
    cannot do it), then their personal data is erased everywhere through the registry,
    every count kept, and their address kept on the suppression list (as a keyed hash)
    so they are never emailed again. ValidationError({"password"}) if it is wrong, or after
    ERASE_TRIES wrong tries."""
    if not within_cap_for("erase-tries", str(user.pk), ERASE_TRIES):
        raise ValidationError({"password": "Too many tries. Wait 15 minutes and try again."})
    if not isinstance(password, str) or not user.check_password(password):
        raise ValidationError({"password": "That is not your password."})
    supporter = supporter_link_user(user=user)
    with transaction.atomic():
        email_unsubscribe(email=supporter.email, source="erased")
        supporter_erase(supporter=supporter)
