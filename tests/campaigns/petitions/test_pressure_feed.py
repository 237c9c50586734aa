"""A signature that counts is pressure on the signer's MP, when the petition's campaign
targets that MP: confirming (or restoring a confirmed one) records it, invalidating
withdraws it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.petitions import services, tasks
from campaigns.petitions.models import Signature
from campaigns.petitions.services import (
    confirmation_token,
    signature_confirm,
    signatures_invalidate,
    signatures_restore,
)
from campaigns.pressure.models import ActionRecord
from tests.campaigns.petitions.helpers import committed, sign
from tests.factories import PetitionFactory, RepresentativeFactory, TargetFactory

pytestmark = pytest.mark.django_db

CROWDED_IP = "203.0.113.7"


@pytest.fixture
def mp_target(petition, seats):
    """The petition's campaign targets the MP for ZA1 1AA."""
    mp = RepresentativeFactory(constituency=seats["ZA1 1AA"])
    return TargetFactory(campaign=petition.campaign, representative=mp)


@pytest.fixture
def one_per_ip(settings):
    settings.PETITION_RATE_LIMITS = {**settings.PETITION_RATE_LIMITS, "ip_burst": (1, 60)}


def confirm(email="signer0@example.org"):
    signature = Signature.objects.get(email=email)
    return signature_confirm(token=confirmation_token(signature))


def restore(signatures):
    with committed():
        return signatures_restore(signatures=signatures, reason="Signed at our stall")


def test_confirming_records_the_signature_against_the_signers_mp(petition, mp_target):
    sign(petition)

    signature = confirm()

    record = ActionRecord.objects.get()
    assert (record.target, record.kind, record.supporter_id) == (
        mp_target, "signature", signature.supporter_id,
    )  # fmt: skip
    assert (record.source, record.source_id) == ("petitions.signature", signature.pk)
    assert record.occurred_at == signature.confirmed_at


def test_confirming_twice_records_once(petition, mp_target):
    sign(petition)

    confirm()
    confirm()

    assert ActionRecord.objects.count() == 1


def test_confirming_adds_one_target_lookup_and_one_insert(petition, mp_target):
    sign(petition)

    with CaptureQueriesContext(connection) as queries:
        confirm()

    pressure = [q["sql"] for q in queries.captured_queries if "pressure_" in q["sql"]]
    lookups = [q["sql"] for q in queries.captured_queries if "targets_target" in q["sql"]]
    assert len(pressure) == 1 and pressure[0].startswith("INSERT")
    assert len(lookups) == 1 and lookups[0].startswith("SELECT")


def test_a_signature_from_a_constituency_with_no_target_records_nothing(petition, seats):
    other_campaign = TargetFactory(
        representative=RepresentativeFactory(constituency=seats["ZA1 1AA"])
    )
    TargetFactory(
        campaign=petition.campaign,
        representative=RepresentativeFactory(constituency=seats["ZA2 1AA"]),
    )
    sign(petition)

    confirm()

    assert Signature.objects.get().counted
    assert not ActionRecord.objects.exists()
    assert other_campaign.action_records.count() == 0


def test_a_former_mp_for_the_constituency_is_not_pressed(petition, seats):
    former = RepresentativeFactory(constituency=seats["ZA1 1AA"], is_current=False)
    TargetFactory(campaign=petition.campaign, representative=former)
    sign(petition)

    confirm()

    assert not ActionRecord.objects.exists()


def test_a_confirmed_suspect_signature_is_not_recorded(petition, mp_target, one_per_ip):
    sign(petition, 1, ip=CROWDED_IP)
    sign(petition, 2, ip=CROWDED_IP)  # suspect

    confirm("signer2@example.org")

    assert not ActionRecord.objects.exists()


def test_restoring_a_confirmed_suspect_signature_records_it(petition, mp_target, one_per_ip):
    sign(petition, 1, ip=CROWDED_IP)
    sign(petition, 2, ip=CROWDED_IP)  # suspect
    confirm("signer2@example.org")

    restore(Signature.objects.filter(is_suspect=True))

    record = ActionRecord.objects.get()
    signature = Signature.objects.get(email="signer2@example.org")
    assert (record.source_id, record.target, record.supporter_id) == (
        signature.pk, mp_target, signature.supporter_id,
    )  # fmt: skip
    assert record.occurred_at == signature.confirmed_at


def test_restoring_an_unconfirmed_suspect_signature_records_it_only_once_confirmed(
    petition, mp_target, one_per_ip
):
    sign(petition, 1, ip=CROWDED_IP)
    sign(petition, 2, ip=CROWDED_IP)  # suspect

    restore(Signature.objects.filter(is_suspect=True))
    assert not ActionRecord.objects.exists()
    confirm("signer2@example.org")

    assert (
        ActionRecord.objects.get().source_id
        == Signature.objects.get(email="signer2@example.org").pk
    )


def test_invalidating_withdraws_the_record(petition, mp_target):
    sign(petition, 1)
    sign(petition, 2)
    confirm("signer1@example.org")
    confirm("signer2@example.org")

    signatures_invalidate(
        signatures=Signature.objects.filter(email="signer1@example.org"), reason="Duplicate"
    )

    [kept] = ActionRecord.objects.all()
    assert kept.source_id == Signature.objects.get(email="signer2@example.org").pk


def test_a_signature_counting_without_confirmation_is_recorded_by_the_catch_up_task(seats):
    petition = PetitionFactory(confirmation_required=False)
    mp = RepresentativeFactory(constituency=seats["ZA1 1AA"])
    target = TargetFactory(campaign=petition.campaign, representative=mp)
    sign(petition)
    sign(petition, 1, postcode="ZA2 1AA")  # a seat the campaign does not target

    assert not ActionRecord.objects.exists()  # signing itself stays insert-only
    tasks.signatures_pressure_catch_up()
    tasks.signatures_pressure_catch_up()

    [record] = ActionRecord.objects.all()
    assert (record.target, record.kind) == (target, "signature")


def test_the_catch_up_leaves_invalidated_and_old_signatures_alone(seats):
    petition = PetitionFactory(confirmation_required=False)
    mp = RepresentativeFactory(constituency=seats["ZA1 1AA"])
    TargetFactory(campaign=petition.campaign, representative=mp)
    sign(petition)
    sign(petition, 1)
    first, second = Signature.objects.order_by("pk")
    signatures_invalidate(signatures=Signature.objects.filter(pk=first.pk), reason="Test")
    Signature.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(days=1))

    assert services.signatures_pressure_catch_up(within=timedelta(hours=1)) == 0
    assert not ActionRecord.objects.exists()


def test_the_catch_up_command_records_what_a_stalled_beat_missed(seats, monkeypatch):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from campaigns.petitions.management.commands import petition_pressure_catch_up

    monkeypatch.setattr(petition_pressure_catch_up, "BATCH", 2)  # several batches
    petition = PetitionFactory(confirmation_required=False)
    mp = RepresentativeFactory(constituency=seats["ZA1 1AA"])
    target = TargetFactory(campaign=petition.campaign, representative=mp)
    for n in range(5):
        sign(petition, n)
    # Signed three days ago, while beat was down: past the task's look-back.
    Signature.objects.update(created_at=timezone.now() - timedelta(days=3))
    tasks.signatures_pressure_catch_up()
    assert not ActionRecord.objects.exists()

    out = StringIO()
    call_command("petition_pressure_catch_up", "--days", "7", stdout=out)
    call_command("petition_pressure_catch_up", "--days", "7", stdout=StringIO())  # again

    assert ActionRecord.objects.filter(target=target).count() == 5
    assert out.getvalue().strip() == "Recorded 5 signatures of the last 7 days as pressure."
    with pytest.raises(CommandError, match="at least 1"):
        call_command("petition_pressure_catch_up", "--days", "0")
