"""manage.py seed_load: the generated campaign at a tiny scale has the numbers the scale
asks for, figures consistent with its rows, and refuses what it should."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Q

from campaigns.events.models import HOLDING_STATES, RSVP, Event, Shift
from campaigns.letters.models import Letter
from campaigns.petitions.models import Petition, PetitionViewDay, Signature
from campaigns.petitions.services import petition_counts_check
from campaigns.pressure.models import ActionRecord
from campaigns.targets.models import Campaign, Target, TargetStatusChange
from organiser.management.commands.seed_load import FULL, LOAD_MARK, Sizes
from organiser.models import OutboxEmail, ScheduledMessage
from tests.factories import CampaignFactory
from volunteers.mail import address_hash
from volunteers.models import (
    ConsentRecord,
    EmailSuppression,
    Supporter,
    User,
    VolunteerProfile,
    VolunteerSkill,
)

pytestmark = pytest.mark.django_db

SCALE = 0.002


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_load", "--scale", str(SCALE), *args, stdout=out)
    return out.getvalue()


def load_volunteers(slug="load-test"):
    return Supporter.objects.filter(
        email__startswith="load-volunteer-", email__endswith=f".{slug}@example.org"
    )


def table_counts() -> dict[str, int]:
    models = (
        Campaign,
        Target,
        TargetStatusChange,
        Petition,
        Signature,
        PetitionViewDay,
        ActionRecord,
        User,
        Supporter,
        VolunteerProfile,
        VolunteerSkill,
        ConsentRecord,
        Event,
        Shift,
        RSVP,
        Letter,
        ScheduledMessage,
        OutboxEmail,
        EmailSuppression,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_counts_per_table_follow_the_scale():
    printed = seed()

    sizes = Sizes.at(SCALE)
    campaign = Campaign.objects.get(slug="load-test")
    assert (campaign.is_demo, campaign.is_published) == (True, True)
    assert LOAD_MARK in campaign.description
    assert campaign.threshold and campaign.ends_on
    assert campaign.targets.count() == sizes.targets == 20
    assert Signature.objects.filter(petition__campaign=campaign).count() == 2_000
    assert ActionRecord.objects.filter(target__campaign=campaign).count() == 400
    assert load_volunteers().count() == User.objects.count() == 40
    assert VolunteerProfile.objects.count() == 40
    assert Event.objects.filter(campaign=campaign).count() == 4
    assert ScheduledMessage.objects.filter(campaign=campaign, state="sent").count() == 1
    assert Letter.objects.count() == round(FULL["letters"] * SCALE)
    assert OutboxEmail.objects.filter(message__campaign=campaign).exists()
    assert "petitions.Signature" in printed and "2,000" in printed
    assert "published counts equal the counted signatures" in printed


def test_published_counts_equal_the_counted_signatures():
    seed()

    petitions = Petition.objects.filter(campaign__slug="load-test")
    assert petitions.count() == 5
    for petition in petitions:
        check = petition_counts_check(petition_id=petition.pk, repair=False)
        assert not check.differs, str(check)
        assert check.published > 0
    out = StringIO()
    call_command("check_petition_counts", "--dry-run", stdout=out)
    assert "0 differed" in out.getvalue()


def test_signatures_are_mostly_confirmed_and_counted_with_some_suspect():
    seed()

    signatures = Signature.objects.all()
    total = signatures.count()
    counted = signatures.filter(counted=True).count()
    assert 0.75 * total < counted < 0.92 * total
    assert signatures.filter(counted=True, confirmed_at__isnull=True).count() == 0
    assert signatures.filter(is_suspect=True, counted=False).exists()
    assert not signatures.filter(is_suspect=True, counted=True).exists()
    assert signatures.exclude(referred_by="").exists()
    assert len(set(signatures.values_list("source", flat=True))) >= 5
    assert not signatures.exclude(email__endswith="@example.org").exists()
    seats = set(Target.objects.values_list("representative__constituency__ons_code", flat=True))
    assert set(signatures.values_list("constituency_code", flat=True)) <= seats
    # Each day a petition was open has its page views, more than its signatures.
    for day in PetitionViewDay.objects.all():
        signed = signatures.filter(petition=day.petition, created_at__date=day.day).count()
        assert day.views >= signed


def test_derived_figures_agree_with_their_rows():
    seed()

    for shift in Shift.objects.annotate(
        held=Count("rsvps", filter=Q(rsvps__state__in=HOLDING_STATES))
    ):
        assert shift.places_taken == shift.held <= shift.capacity
    sent = Letter.objects.filter(state="sent")
    assert set(
        ActionRecord.objects.filter(source="letters.letter").values_list("source_id", flat=True)
    ) == set(sent.values_list("pk", flat=True))
    attended = RSVP.objects.filter(state="attended", shift__event__target__isnull=False)
    assert set(
        ActionRecord.objects.filter(source="events.rsvp").values_list("source_id", flat=True)
    ) == set(attended.values_list("pk", flat=True))
    # Every target's status is where its history ends.
    for target in Target.objects.exclude(status_changed_at=None):
        assert target.status_changes.first().to_status == target.status
    # An outbox row skipped as suppressed has its address on the suppression list.
    suppressed = set(EmailSuppression.objects.values_list("address_hash", flat=True))
    for email in Supporter.objects.filter(outbox__skip_reason="suppressed").values_list(
        "email", flat=True
    ):
        assert address_hash(email) in suppressed


def test_a_second_run_refuses_with_one_line_and_changes_nothing():
    seed()
    before = table_counts()

    with pytest.raises(CommandError) as refused:
        seed()

    message = str(refused.value)
    assert "load-test" in message and "--replace" in message and "\n" not in message
    assert table_counts() == before


def test_replace_deletes_the_earlier_load_data_and_makes_it_again():
    seed()
    first = table_counts()
    call_command("seed_load", "--scale", "0.001", "--replace", stdout=StringIO())

    assert Campaign.objects.filter(slug="load-test").count() == 1
    assert Signature.objects.count() == 1_000
    assert load_volunteers().count() == User.objects.count() == 20
    hashes = {address_hash(email) for email in load_volunteers().values_list("email", flat=True)}
    assert set(EmailSuppression.objects.values_list("address_hash", flat=True)) <= hashes

    call_command("seed_load", "--scale", str(SCALE), "--replace", stdout=StringIO())

    assert table_counts() == first


def test_campaigns_of_their_own_stay_apart():
    seed()
    seed("--campaign", "load-two")

    assert load_volunteers("load-two").count() == load_volunteers().count() == 40
    call_command(
        "seed_load", "--scale", "0.001", "--campaign", "load-two", "--replace", stdout=StringIO()
    )

    assert load_volunteers().count() == 40
    assert Signature.objects.filter(petition__campaign__slug="load-test").count() == 2_000


def test_the_same_seed_makes_the_same_data():
    def fingerprint():
        return list(
            Signature.objects.order_by("pk").values_list(
                "email", "email_domain", "constituency_code", "source", "counted", "is_suspect"
            )
        )

    seed("--seed", "7")
    first = fingerprint()
    seed("--seed", "7", "--replace")
    assert fingerprint() == first
    seed("--seed", "8", "--replace")
    assert fingerprint() != first


def test_refuses_to_replace_a_campaign_it_did_not_make():
    CampaignFactory(slug="real-campaign")

    with pytest.raises(CommandError, match="not made by seed_load"):
        seed("--campaign", "real-campaign", "--replace")

    assert Campaign.objects.filter(slug="real-campaign").exists()


def test_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="refusing under DJANGO_ENV=production"):
        seed()

    assert not Campaign.objects.exists()


def test_refuses_a_scale_or_slug_it_cannot_use():
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_load", "--scale", "0")
    with pytest.raises(CommandError, match="--campaign"):
        call_command("seed_load", "--campaign", "not a slug")


@pytest.mark.postgres
def test_postgresql_copies_rows_and_leaves_sequences_and_indexes_ready():
    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
                [Signature._meta.db_table],
            )
            return dict(cursor.fetchall())

    before = indexes()
    printed = seed()

    assert "on postgresql" in printed
    assert Signature.objects.count() == 2_000
    assert indexes() == before  # rebuilt after the COPY, exactly as they were
    # The sequences were moved past the ids the COPY wrote: the ORM's next rows fit.
    petition = Petition.objects.filter(campaign__slug="load-test").first()
    highest = Signature.objects.order_by("-pk").values_list("pk", flat=True).first()
    extra = Signature.objects.create(
        petition=petition, name="After", email="after@example.org", share_code="x"
    )
    assert extra.pk > highest
    campaign = Campaign.objects.get(slug="load-test")
    record = ActionRecord.objects.create(
        target=campaign.targets.first(), kind="call", source="test", source_id=1
    )
    assert record.pk > 0
    user = User.objects.create_user("after-user@example.org")
    assert user.pk > load_volunteers().order_by("-user_id").first().user_id
