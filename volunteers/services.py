"""Writes about people: finding supporters by email, linking them to accounts, consent,
unsubscribing, and a person's own export and erasure."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.db import insert_unless_exists
from core.ratelimit import within_cap_for
from volunteers.mail import email_suppress, email_unsuppress
from volunteers.models import (
    ConsentRecord,
    EmailSuppression,
    OrganiserAccess,
    Skill,
    Supporter,
    User,
    VolunteerProfile,
    VolunteerSkill,
    normalise_email,
)
from volunteers.places import Place
from volunteers.privacy import supporter_erase, supporter_export


def supporter_get_or_create(*, email: str, name: str = "", place=None) -> tuple[Supporter, bool]:
    """The one Supporter for this address, created if new; safe under concurrency. Called
    for each action a person takes: it marks them active now and, given the `place` of the
    action (a volunteers.places.Place), keeps it as their latest postcode and constituency,
    so organisers can group supporters by seat.

    Two requests with the same address (in any case or spacing) end with one row: the
    unique constraint decides, and the loser reads the winner's row. One statement for a
    new address, three for a known one, and no savepoint: it sits on the signing hot path.
    """
    email = normalise_email(email)
    if not email:
        raise ValueError("An email address is required.")
    now = timezone.now()
    latest = {"last_active_at": now}
    if place is not None:
        latest |= {"postcode": place.postcode, "constituency_code": place.constituency_code}
    supporter = Supporter(email=email, name=name, **latest)
    if insert_unless_exists(supporter):
        return supporter, True
    Supporter.objects.filter(email=email, erased_at__isnull=True).update(**latest, updated_at=now)
    return Supporter.objects.get(email=email), False


def supporter_link_user(*, user: User) -> Supporter:
    """Attach the account to the Supporter with its (now verified) address.

    Called once the address is verified: before that, linking would let anyone who
    signs up with someone else's address see that person's record. A volunteer's
    profile joins the record then: its postcode becomes the supporter's latest, and the
    consents they ticked at sign-up are recorded, with the time they ticked them.
    """
    supporter, _ = supporter_get_or_create(email=user.email, name=user.name)
    if supporter.user_id != user.pk:
        Supporter.objects.filter(user=user).exclude(pk=supporter.pk).update(user=None)
        supporter.user = user
        supporter.save(update_fields=["user", "updated_at"])
        profile = VolunteerProfile.objects.filter(user=user).first()
        if profile is not None:
            _profile_join(profile=profile, supporter=supporter)
    return supporter


def _profile_join(*, profile: VolunteerProfile, supporter: Supporter) -> None:
    with transaction.atomic():
        for consent in profile.pending_consents:
            ConsentRecord.objects.create(
                supporter=supporter,
                purpose=consent["purpose"],
                wording=consent["wording"],
                source=consent["source"],
                given_at=consent["given_at"],
            )
        profile.pending_consents = []
        profile.save(update_fields=["pending_consents", "updated_at"])
        _supporter_place_keep(supporter=supporter, profile=profile)


def _supporter_place_keep(*, supporter: Supporter, profile: VolunteerProfile) -> None:
    supporter.postcode = profile.postcode
    supporter.constituency_code = profile.constituency_code
    supporter.name = supporter.name or profile.user.name
    supporter.save(update_fields=["postcode", "constituency_code", "name", "updated_at"])


@dataclass(kw_only=True)
class ProfileDetails:
    """What a volunteer says about themselves (sign-up, /me/, PATCH /api/v1/me/), checked:
    None for what is left as it is. `skills` maps each Skill to a VolunteerSkill.Level and
    replaces the volunteer's skills when given."""

    name: str | None = None
    place: Place | None = None
    phone: str | None = None
    skills: dict[Skill, int] | None = None
    weekday_daytime: bool | None = None
    weekday_evenings: bool | None = None
    weekends: bool | None = None
    hours_per_week: int | None = None  # 0 clears it
    heard_from: str | None = None
    consents: dict[str, bool] | None = None  # purpose -> wanted

    AVAILABILITY = ("weekday_daytime", "weekday_evenings", "weekends")


# The words each consent is asked for with (sign-up, /me/, the API); recorded with it.
CONSENT_WORDING = {
    ConsentRecord.Purpose.VOLUNTEERING: (
        "Yes, organisers may contact me by email or phone about volunteering: tasks, "
        "shifts and events that suit my skills and time. I can withdraw this at any time."
    ),
    ConsentRecord.Purpose.CAMPAIGN_EMAIL: (
        "Yes, email me about this campaign and how I can help. I can unsubscribe at any time."
    ),
}


def volunteer_sign_up(*, user: User, details: ProfileDetails) -> VolunteerProfile:
    """A new account's volunteer profile, from the sign-up form (web or app). The address
    is not verified yet: the consents wait on the profile and the profile joins the
    person's Supporter record once it is (supporter_link_user)."""
    place = details.place
    now = timezone.now().isoformat()
    with transaction.atomic():
        if details.name is not None and details.name != user.name:
            user.name = details.name
            user.save(update_fields=["name"])
        profile = VolunteerProfile.objects.create(
            user=user,
            postcode=place.postcode,
            constituency_code=place.constituency_code,
            constituency_name=place.constituency_name,
            region=place.region,
            latitude=place.latitude,
            longitude=place.longitude,
            pending_consents=[
                {
                    "purpose": purpose,
                    "wording": CONSENT_WORDING[purpose],
                    "source": "sign-up",
                    "given_at": now,
                }
                for purpose, wanted in (details.consents or {}).items()
                if wanted
            ],
            **_profile_fields(details),
        )
        if details.skills:
            _skills_set(profile, details.skills)
    return profile


def volunteer_profile_update(*, user: User, details: ProfileDetails) -> VolunteerProfile:
    """Change what the volunteer says about themselves; only what `details` gives. An
    account made before profiles existed (or by an organiser) gets one once it has a
    postcode. A new postcode becomes their supporter record's latest, and consents given
    or withdrawn are recorded as such (see consent_set)."""
    supporter = supporter_link_user(user=user)
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            if details.place is None:
                raise ValidationError({"postcode": "Enter your postcode."})
            profile = VolunteerProfile(user=user)
        if details.name is not None:
            user.name = supporter.name = details.name
            user.save(update_fields=["name"])
            supporter.save(update_fields=["name", "updated_at"])
        if details.place is not None:
            place = details.place
            profile.postcode = place.postcode
            profile.constituency_code = place.constituency_code
            profile.constituency_name = place.constituency_name
            profile.region = place.region
            profile.latitude, profile.longitude = place.latitude, place.longitude
        for field, value in _profile_fields(details).items():
            setattr(profile, field, value)
        profile.save()
        if details.skills is not None:
            _skills_set(profile, details.skills)
        if details.place is not None:
            _supporter_place_keep(supporter=supporter, profile=profile)
        for purpose, wanted in (details.consents or {}).items():
            consent_set(supporter=supporter, purpose=purpose, wanted=wanted, source="profile")
    return profile


def _profile_fields(details: ProfileDetails) -> dict:
    fields = {
        name: getattr(details, name)
        for name in ("phone", "heard_from", *ProfileDetails.AVAILABILITY)
        if getattr(details, name) is not None
    }
    if details.hours_per_week is not None:
        fields["hours_per_week"] = details.hours_per_week or None
    return fields


def _skills_set(profile: VolunteerProfile, skills: dict[Skill, int]) -> None:
    profile.skills.exclude(skill__in=list(skills)).delete()
    VolunteerSkill.objects.bulk_create(
        [
            VolunteerSkill(volunteer=profile, skill=skill, level=level)
            for skill, level in skills.items()
        ],
        update_conflicts=True,
        unique_fields=["volunteer", "skill"],
        update_fields=["level"],
    )


def consent_set(*, supporter: Supporter, purpose: str, wanted: bool, source: str) -> bool:
    """Give (with the purpose's CONSENT_WORDING) or withdraw consent for `purpose`; True if
    that changed anything. Each change is kept: the history per purpose is the records,
    given and withdrawn, in order."""
    live = supporter.consents.filter(purpose=purpose, withdrawn_at__isnull=True)
    if wanted:
        if live.exists():
            return False
        consent_record(
            supporter=supporter, purpose=purpose, wording=CONSENT_WORDING[purpose], source=source
        )
        if purpose == ConsentRecord.Purpose.CAMPAIGN_EMAIL:
            # They ask for campaign email again: their own earlier unsubscribe is undone
            # (never a bounce, a complaint or an organiser's unsubscribe).
            email_unsuppress(email=supporter.email, reasons=(EmailSuppression.Reason.UNSUBSCRIBED,))
        return True
    return live.update(withdrawn_at=timezone.now()) > 0


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


def organiser_access_record(
    *, organiser: User, action: str, volunteer_id: int | None = None, detail: str = ""
) -> OrganiserAccess:
    """Write one line of the audit log of organisers' access to volunteers' data (a view
    of a record, an export, a list through the API). `detail` names filters and sizes,
    never a person's values."""
    return OrganiserAccess.objects.create(
        organiser=organiser, action=action, volunteer_id=volunteer_id, detail=detail[:300]
    )
