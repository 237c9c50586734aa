from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.petitions.models import Signature, VenueAllowance
from campaigns.petitions.services import signatures_restore
from core.http import client_ip_hash
from tests.campaigns.petitions.helpers import counted_total, sign
from tests.factories import PetitionFactory, VolunteerFactory
from volunteers import privacy
from volunteers.models import Supporter

pytestmark = pytest.mark.django_db


def test_export_lists_the_supporters_signatures(seats):
    petition = PetitionFactory(confirmation_required=False)
    sign(petition, email="jo@example.org", campaign_email_opt_in=True)

    export = privacy.supporter_export(supporter=Supporter.objects.get(email="jo@example.org"))

    assert export["petitions"]["signatures"][0]["petition"] == petition.slug
    assert export["petitions"]["signatures"][0]["postcode"] == "ZA1 1AA"
    assert export["volunteers"]["consents"][0]["purpose"] == "campaign-email"


def test_erasure_removes_the_signer_but_keeps_the_count(seats):
    petition = PetitionFactory(confirmation_required=False)
    sign(petition, 1, email="jo@example.org")
    sign(petition, 2)
    assert counted_total(petition) == 2

    privacy.supporter_erase(supporter=Supporter.objects.get(email="jo@example.org"))

    erased = petition.signatures.get(name="")
    assert "jo@example.org" not in (erased.email, erased.canonical_email)
    assert (erased.postcode, erased.ip_hash, erased.supporter) == ("", "", None)
    assert erased.counted
    assert counted_total(petition) == 2


def test_an_organisers_restorations_and_venue_allowances_are_exported_and_unnamed_on_erasure(
    seats, settings
):
    settings.PETITION_RATE_LIMITS = {**settings.PETITION_RATE_LIMITS, "ip_burst": (0, 60)}
    petition = PetitionFactory(confirmation_required=False)
    sign(petition, 1, email="signer@example.org", ip="203.0.113.7")
    organiser = VolunteerFactory(email="org@example.org")
    signatures_restore(signatures=Signature.objects.all(), reason="Known to us", by=organiser.user)
    VenueAllowance.objects.create(
        label="Town hall", ip_hash=client_ip_hash("203.0.113.7"), petition=petition,
        starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=2),
        created_by=organiser.user,
    )  # fmt: skip

    export = privacy.supporter_export(supporter=organiser)["petitions"]
    privacy.supporter_erase(supporter=organiser)

    assert export["signatures_restored"][0]["reason"] == "Known to us"
    assert export["venue_allowances_made"][0]["label"] == "Town hall"
    signature = Signature.objects.get()
    assert (signature.restored_by, signature.restoration_reason) == (None, "Known to us")
    assert VenueAllowance.objects.get().created_by is None
    assert counted_total(petition) == 1


def test_erasing_a_restored_signer_removes_the_note_about_them(seats, settings):
    settings.PETITION_RATE_LIMITS = {**settings.PETITION_RATE_LIMITS, "ip_burst": (0, 60)}
    petition = PetitionFactory(confirmation_required=False)
    sign(petition, 1, email="jo@example.org", ip="203.0.113.7")
    signatures_restore(signatures=Signature.objects.all(), reason="Jo Bloggs phoned us")
    jo = Supporter.objects.get(email="jo@example.org")
    assert (
        privacy.supporter_export(supporter=jo)["petitions"]["signatures"][0]["restoration_reason"]
        == "Jo Bloggs phoned us"
    )

    privacy.supporter_erase(supporter=jo)

    erased = Signature.objects.get()
    assert (erased.restoration_reason, erased.counted) == ("", True)
