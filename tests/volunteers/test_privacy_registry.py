"""Every model with personal data is covered by a privacy provider, and export and erasure
through the registry reach it."""

import pytest
from django.apps import apps
from django.db import models

from campaigns.targets.services import target_status_set
from tests.factories import OrganiserFactory, SupporterFactory, TargetFactory, VolunteerFactory
from volunteers import privacy
from volunteers.mail import email_is_suppressed, email_suppress
from volunteers.models import Supporter, User

PERSONAL_FIELD_NAMES = {"postcode", "phone", "address", "ip_address", "ip_hash", "date_of_birth"}
PERSONAL_FIELD_TYPES = (models.EmailField, models.GenericIPAddressField)


def personal_fields(model) -> list[str]:
    """Fields that hold or point at a person: addresses, phone numbers, IPs, and links to
    a User or Supporter."""
    found = []
    for field in model._meta.get_fields():
        if not field.concrete:
            continue
        if (
            isinstance(field, PERSONAL_FIELD_TYPES)
            or field.name in PERSONAL_FIELD_NAMES
            or (field.is_relation and field.related_model in (User, Supporter))
        ):
            found.append(field.name)
    return found


def test_every_model_with_personal_data_has_a_provider():
    accounted = set()
    for provider in privacy.providers():
        accounted.update(provider.covers, provider.exempt)

    uncovered = {
        model._meta.label: fields
        for model in apps.get_models()
        if (fields := personal_fields(model)) and model._meta.label not in accounted
    }

    assert uncovered == {}, "add these models to their app's privacy provider"


def test_providers_name_only_models_that_exist():
    for provider in privacy.providers():
        for label in [*provider.covers, *provider.exempt]:
            apps.get_model(label)  # raises LookupError for a stale name


@pytest.mark.django_db
def test_export_holds_the_supporters_own_data():
    volunteer = VolunteerFactory(email="jo@example.org", name="Jo Bloggs")

    export = privacy.supporter_export(supporter=volunteer)

    assert export["volunteers"]["supporter"]["email"] == "jo@example.org"
    assert export["volunteers"]["account"]["email_addresses"] == [
        {"email": "jo@example.org", "verified": True}
    ]
    assert "targets" in export


@pytest.mark.django_db
def test_erasure_removes_identity_and_keeps_the_tally():
    organiser = OrganiserFactory(email="org@example.org")
    supporter = SupporterFactory(email="org@example.org", user=organiser, postcode="SW1A 1AA")
    target = TargetFactory()
    target_status_set(
        target=target, status="pledged", changed_by=organiser, source_url="https://example.org/s"
    )
    other = SupporterFactory()

    privacy.supporter_erase(supporter=supporter)

    supporter.refresh_from_db()
    organiser.refresh_from_db()
    assert "org@example.org" not in (supporter.email, organiser.email)
    assert (supporter.name, supporter.postcode) == ("", "")
    assert supporter.erased_at is not None
    assert not organiser.is_active and not organiser.has_usable_password()
    assert not organiser.emailaddress_set.exists()
    change = target.status_changes.get()
    assert (change.to_status, change.changed_by) == ("pledged", None)
    other.refresh_from_db()
    assert other.erased_at is None


@pytest.mark.django_db
def test_export_holds_the_supporters_email_suppression():
    supporter = SupporterFactory(email="bounced@example.org")
    email_suppress(email="bounced@example.org", reason="refused", smtp_code=550, source="test")

    export = privacy.supporter_export(supporter=supporter)

    [entry] = export["volunteers"]["email_suppressions"]
    assert (entry["reason"], entry["smtp_code"], entry["source"]) == ("refused", 550, "test")


@pytest.mark.django_db
def test_erasure_removes_the_supporters_email_suppression():
    volunteer = VolunteerFactory(email="bounced@example.org")
    email_suppress(email="bounced@example.org", reason="refused")
    email_suppress(email="someone-else@example.org", reason="refused")

    privacy.supporter_erase(supporter=volunteer)

    assert not email_is_suppressed(email="bounced@example.org")
    assert email_is_suppressed(email="someone-else@example.org")
