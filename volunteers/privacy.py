"""The registry that data export and erasure go through.

Every app that stores personal data registers one PrivacyProvider in its AppConfig.ready().
A provider names the models it covers, exports one supporter's rows from them and erases
them while keeping counts. Models that hold personal data a provider deliberately leaves
alone (an MP's published office email, an organiser's audit trail) are listed in `exempt`
with the reason. tests/volunteers/test_privacy_registry.py walks every installed model and
fails on a personal field that no provider covers or exempts.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from core.models import IdempotencyKey
from volunteers.mail import email_unsuppress, suppressions_for
from volunteers.models import Supporter, User, VolunteerProfile


@dataclass(frozen=True)
class PrivacyProvider:
    name: str
    covers: tuple[str, ...]  # "app_label.ModelName" of each model it exports and erases
    export: Callable[[Supporter], dict]
    erase: Callable[[Supporter], None]
    exempt: dict[str, str] = field(default_factory=dict)  # model -> why it is left alone


_providers: dict[str, PrivacyProvider] = {}


def register(provider: PrivacyProvider) -> None:
    _providers[provider.name] = provider


def providers() -> list[PrivacyProvider]:
    return list(_providers.values())


def supporter_export(*, supporter: Supporter) -> dict:
    """Everything the platform holds about one supporter, by app, as JSON-ready data."""
    return {provider.name: provider.export(supporter) for provider in providers()}


@transaction.atomic
def supporter_erase(*, supporter: Supporter) -> None:
    """Erase one supporter's personal data everywhere, keeping totals and counts intact.

    Providers registered later (campaign apps) run first, the volunteers provider last,
    since the others may still need the supporter's identity to find their rows.
    """
    for provider in reversed(providers()):
        provider.erase(supporter)


def _export_volunteers(supporter: Supporter) -> dict:
    data = {
        "supporter": {
            "email": supporter.email,
            "name": supporter.name,
            "postcode": supporter.postcode,
            "constituency_code": supporter.constituency_code,
            "created_at": supporter.created_at.isoformat(),
        },
        "consents": [
            {
                "purpose": consent.purpose,
                "wording": consent.wording,
                "source": consent.source,
                "given_at": consent.given_at.isoformat(),
                "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
            }
            for consent in supporter.consents.all()
        ],
        "account": None,
        "email_suppressions": [
            {
                "reason": entry.reason,
                "smtp_code": entry.smtp_code,
                "smtp_reply": entry.smtp_reply,
                "source": entry.source,
                "created_at": entry.created_at.isoformat(),
            }
            for entry in suppressions_for(emails=_addresses(supporter))
        ],
    }
    user = supporter.user
    profile = VolunteerProfile.objects.filter(user=user).first() if user is not None else None
    data["volunteer"] = None if profile is None else _export_profile(profile)
    if user is not None:
        data["account"] = {
            "email": user.email,
            "name": user.name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": [
                {"email": address.email, "verified": address.verified}
                for address in user.emailaddress_set.all()
            ],
            # The API's answers kept for the app's retries (core/idempotency.py).
            "api_answers_kept": [
                {
                    "idempotency_key": kept.key,
                    "status": kept.response_status,
                    "answer": kept.response_body,
                    "created_at": kept.created_at.isoformat(),
                }
                for kept in IdempotencyKey.objects.filter(user=user).order_by("created_at")
            ],
        }
    return data


def _export_profile(profile: VolunteerProfile) -> dict:
    return {
        "postcode": profile.postcode,
        "constituency_code": profile.constituency_code,
        "constituency_name": profile.constituency_name,
        "region": profile.region,
        "phone": profile.phone,
        "skills": [
            {"skill": entry.skill.name, "level": entry.get_level_display()}
            for entry in profile.skills.select_related("skill")
        ],
        "availability": {
            "weekday_daytime": profile.weekday_daytime,
            "weekday_evenings": profile.weekday_evenings,
            "weekends": profile.weekends,
            "hours_per_week": profile.hours_per_week,
        },
        "heard_from": profile.heard_from,
        "consents_awaiting_verification": profile.pending_consents,
        "tags": [tag.name for tag in profile.tags.all()],
        "teams": [team.name for team in profile.teams.all()],
        "teams_led": [team.name for team in profile.teams_led.all()],
        "created_at": profile.created_at.isoformat(),
    }


def _addresses(supporter: Supporter) -> set[str]:
    """Every address the supporter is known by: theirs, and their account's."""
    addresses = {supporter.email}
    if supporter.user is not None:
        addresses.add(supporter.user.email)
        addresses.update(a.email for a in supporter.user.emailaddress_set.all())
    return addresses


def _erase_volunteers(supporter: Supporter) -> None:
    for email in _addresses(supporter):
        # An unsubscribe is their wish not to be emailed: it stays (as a keyed hash).
        email_unsuppress(email=email, undeliverable_only=True)
    user = supporter.user
    if user is not None:
        # Their profile, skills, tags and team places go; organisers' access log keeps
        # only the profile's id.
        VolunteerProfile.objects.filter(user=user).delete()
        IdempotencyKey.objects.filter(user=user).delete()
        user.emailaddress_set.all().delete()
        user.email = f"erased-user-{user.pk}@erased.invalid"
        user.name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
    supporter.consents.all().delete()
    _admin_log_forget(supporter)
    supporter.email = f"erased-{supporter.pk}@erased.invalid"
    supporter.name = ""
    supporter.postcode = ""
    supporter.constituency_code = ""
    supporter.erased_at = timezone.now()
    supporter.save()


def _admin_log_forget(supporter: Supporter) -> None:
    """The admin's log keeps what organisers did to this person's records (their audit
    trail), but under a name that is not the person's: it showed their email."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    records = [(Supporter, supporter.pk)]
    if supporter.user_id:
        records.append((User, supporter.user_id))
    for model, pk in records:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
        ).update(object_repr=f"{model._meta.verbose_name} {pk} (erased)")


volunteers_provider = PrivacyProvider(
    name="volunteers",
    covers=(
        "volunteers.Supporter",
        "volunteers.User",
        "volunteers.ConsentRecord",
        "volunteers.EmailSuppression",
        "account.EmailAddress",
        "volunteers.VolunteerProfile",
        "volunteers.VolunteerSkill",
        "core.IdempotencyKey",
    ),
    export=_export_volunteers,
    erase=_erase_volunteers,
    exempt={
        "admin.LogEntry": (
            "organisers' audit trail of admin changes, kept as a legitimate interest; "
            "erasure renames the entries about the person, whose email was their name"
        ),
        "volunteers.OrganiserAccess": (
            "organisers' audit trail of their access to volunteers' data; it holds the "
            "organiser and a volunteer's id, never a volunteer's personal values"
        ),
        "volunteers.PostcodeFallback": (
            "reference data about places (postcodes and outcodes mapped to constituencies), "
            "not about any person"
        ),
    },
)
