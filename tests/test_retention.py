"""Retention jobs (Celery beat, daily): signatures, letters and pledges never confirmed go
after UNCONFIRMED_RETENTION_DAYS; signers are anonymised SIGNER_RETENTION_MONTHS after
their petition closed; each job reports what it removed, and no count changes."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from campaigns.letters import tasks as letter_tasks
from campaigns.letters.models import Letter
from campaigns.petitions import tasks as petition_tasks
from campaigns.petitions.models import ConstituencyCount, PetitionCount, Signature
from campaigns.petitions.services import petition_counts_apply, petition_sign
from campaigns.storms import tasks as storm_tasks
from campaigns.storms.models import Pledge
from tests.factories import (
    LetterFactory,
    PetitionFactory,
    PostcodeFallbackFactory,
    StormFactory,
    SupporterFactory,
)
from tests.harness.personal_data import columns_holding

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _place(settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    PostcodeFallbackFactory(code="ZA1 1AA", constituency_code="E14000001")


def sign(petition, email, *, ago=timedelta(0)):
    with time_machine.travel(timezone.now() - ago):
        petition_sign(petition=petition, name=f"Name of {email}", email=email, postcode="ZA1 1AA")
    return Signature.objects.get(petition=petition, email=email)


def confirmed(signature):
    Signature.objects.filter(pk=signature.pk).update(confirmed_at=signature.created_at)
    return signature


def test_unconfirmed_signatures_go_after_the_retention_days_and_the_job_says_so(settings, caplog):
    settings.UNCONFIRMED_RETENTION_DAYS = 30
    petition = PetitionFactory(opens_at=timezone.now() - 100 * DAY)
    old = sign(petition, "old@example.org", ago=31 * DAY)
    recent = sign(petition, "recent@example.org", ago=29 * DAY)
    kept = confirmed(sign(petition, "confirmed@example.org", ago=40 * DAY))

    with caplog.at_level(logging.INFO, logger="campaigns.petitions.tasks"):
        report = petition_tasks.petitions_retention.delay().get()

    assert report == {"unconfirmed signatures deleted": 1, "signers anonymised": 0}
    assert "Petitions retention: 1 unconfirmed signatures deleted, 0 signers anonymised" in (
        caplog.text
    )
    assert set(Signature.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}
    assert not Signature.objects.filter(pk=old.pk).exists()


def test_the_retention_days_are_configurable(settings):
    petition = PetitionFactory(opens_at=timezone.now() - 100 * DAY)
    sign(petition, "week-old@example.org", ago=8 * DAY)
    settings.UNCONFIRMED_RETENTION_DAYS = 7

    assert petition_tasks.petitions_retention.delay().get()["unconfirmed signatures deleted"] == 1


def test_signers_are_anonymised_months_after_the_petition_closed_and_counts_stay(settings):
    settings.SIGNER_RETENTION_MONTHS = 6
    long_closed = PetitionFactory(
        opens_at=timezone.now() - 400 * DAY, closes_at=timezone.now() - 181 * DAY
    )
    lately_closed = PetitionFactory(
        opens_at=timezone.now() - 400 * DAY, closes_at=timezone.now() - 179 * DAY
    )
    SupporterFactory(email="jo@example.org", name="Jo Bloggs")
    for petition in (long_closed, lately_closed):
        Signature.objects.create(
            petition=petition,
            name="Jo Bloggs",
            email="jo@example.org",
            canonical_email="jo@example.org",
            email_domain="example.org",
            postcode="ZA1 1AA",
            constituency_code="E14000001",
            created_at=timezone.now() - 300 * DAY,
            confirmed_at=timezone.now() - 300 * DAY,
            counted=True,
            share_code="abc123",
        )
    PetitionCount.objects.create(petition=long_closed, total=1)
    ConstituencyCount.objects.create(petition=long_closed, constituency_code="E14000001", total=1)

    report = petition_tasks.petitions_retention.delay().get()

    assert report["signers anonymised"] == 1
    gone = Signature.objects.get(petition=long_closed)
    assert (gone.name, gone.postcode, gone.supporter) == ("", "", None)
    assert gone.email == f"erased-{gone.pk}@erased.invalid"
    assert (gone.constituency_code, gone.counted) == ("E14000001", True)
    assert Signature.objects.get(petition=lately_closed).name == "Jo Bloggs"
    assert PetitionCount.objects.get(petition=long_closed).total == 1
    petition_counts_apply()
    assert ConstituencyCount.objects.get(petition=long_closed).total == 1
    assert columns_holding(["Jo Bloggs"], ignore={"volunteers.Supporter"}) == [
        "petitions.Signature.name"  # the lately closed petition's, not yet due
    ]
    assert petition_tasks.petitions_retention.delay().get()["signers anonymised"] == 0


def test_unconfirmed_pledges_go_after_the_retention_days(settings):
    settings.UNCONFIRMED_RETENTION_DAYS = 30
    storm = StormFactory()
    old, recent, kept = SupporterFactory(), SupporterFactory(), SupporterFactory()
    for supporter, age, state in [
        (old, 31, Pledge.State.AWAITING_CONFIRMATION),
        (recent, 29, Pledge.State.AWAITING_CONFIRMATION),
        (kept, 60, Pledge.State.CONFIRMED),
    ]:
        pledge = Pledge.objects.create(storm=storm, supporter=supporter, via="email", state=state)
        Pledge.objects.filter(pk=pledge.pk).update(created_at=timezone.now() - age * DAY)

    report = storm_tasks.storms_retention.delay().get()

    assert report == {"unconfirmed pledges deleted": 1}
    assert set(Pledge.objects.values_list("supporter", flat=True)) == {recent.pk, kept.pk}


def test_unconfirmed_letters_go_after_the_retention_days(settings):
    settings.UNCONFIRMED_RETENTION_DAYS = 30
    expired_old = LetterFactory(state=Letter.State.EXPIRED)
    expired_recent = LetterFactory(state=Letter.State.EXPIRED)
    sent_old = LetterFactory(state=Letter.State.SENT, confirmed_at=timezone.now() - 40 * DAY)
    for letter, age in [(expired_old, 31), (expired_recent, 29), (sent_old, 40)]:
        Letter.objects.filter(pk=letter.pk).update(created_at=timezone.now() - age * DAY)

    report = letter_tasks.letters_retention.delay().get()

    assert report == {"unconfirmed letters deleted": 1}
    assert set(Letter.objects.values_list("pk", flat=True)) == {expired_recent.pk, sent_old.pk}
