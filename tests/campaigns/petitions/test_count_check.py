"""The published counts check themselves against the counted signatures and are repaired."""

import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.petitions import tasks
from campaigns.petitions.models import ConstituencyCount, CountChange, PetitionCount, Signature
from campaigns.petitions.services import (
    petition_counts_apply,
    petition_counts_check,
    petition_counts_check_all,
    signatures_invalidate,
)
from tests.campaigns.petitions.helpers import counted_total, sign
from tests.factories import OrganiserFactory, PetitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instant(db):
    """A petition whose signatures count without email confirmation."""
    return PetitionFactory(confirmation_required=False, slug="fair-votes")


@pytest.fixture
def corrupted(instant, seats):
    """Five counted signatures (three in seat 1, two in seat 2), folded, and then the
    published total raised by 4, seat 1 set to 0 and seat 2's row deleted."""
    for n in range(5):
        sign(instant, n, postcode="ZA1 1AA" if n < 3 else "ZA2 1AA")
    assert counted_total(instant) == 5
    PetitionCount.objects.filter(petition=instant).update(total=F("total") + 4)
    ConstituencyCount.objects.filter(petition=instant, constituency_code="E14000001").update(
        total=0
    )
    ConstituencyCount.objects.filter(petition=instant, constituency_code="E14000002").delete()
    return instant


def published(petition) -> tuple[int, dict[str, int]]:
    total = PetitionCount.objects.get(petition=petition).total
    seats = dict(
        ConstituencyCount.objects.filter(petition=petition).values_list(
            "constituency_code", "total"
        )
    )
    return total, seats


EXACT = (5, {"E14000001": 3, "E14000002": 2})


def test_the_command_reports_and_repairs_a_wrong_total_and_constituency_totals(corrupted):
    out = io.StringIO()

    call_command("check_petition_counts", stdout=out)

    report = out.getvalue()
    assert "fair-votes: total 9 published, 5 expected" in report
    assert "E14000001 0 published, 3 expected" in report
    assert "E14000002 0 published, 2 expected" in report
    assert "repaired" in report
    assert "1 differed, 1 repaired" in report
    assert published(corrupted) == EXACT


def test_the_task_repairs_a_wrong_total_and_constituency_totals(corrupted):
    differed = tasks.petition_counts_check.delay().get()

    assert differed == 1
    assert published(corrupted) == EXACT
    assert tasks.petition_counts_check.delay().get() == 0  # safe to run twice


def test_a_dry_run_reports_and_changes_nothing(corrupted):
    out = io.StringIO()

    call_command("check_petition_counts", "--dry-run", stdout=out)

    assert "fair-votes: total 9 published, 5 expected" in out.getvalue()
    assert "not repaired" in out.getvalue()
    assert "(dry run: nothing changed)" in out.getvalue()
    assert published(corrupted) == (9, {"E14000001": 0})


def test_the_command_checks_only_the_petition_named(corrupted, seats):
    other = PetitionFactory(confirmation_required=False, slug="other")
    sign(other, 1)
    counted_total(other)
    PetitionCount.objects.filter(petition=other).update(total=50)
    out = io.StringIO()

    call_command("check_petition_counts", "--petition", "other", stdout=out)

    assert "other: total 50 published, 1 expected" in out.getvalue()
    assert "Checked 1 petition: 1 differed, 1 repaired." in out.getvalue()
    assert PetitionCount.objects.get(petition=other).total == 1
    assert published(corrupted)[0] == 9


def test_the_command_refuses_an_unknown_slug_in_one_line():
    with pytest.raises(CommandError, match=r"^no petition with the slug 'nope'$"):
        call_command("check_petition_counts", "--petition", "nope", stdout=io.StringIO())


def test_a_difference_is_logged_without_personal_data(corrupted, caplog):
    with caplog.at_level(logging.WARNING, logger="campaigns.petitions"):
        petition_counts_check(petition_id=corrupted.pk)

    [record] = [r for r in caplog.records if "differed" in r.getMessage()]
    assert "fair-votes" in record.getMessage()
    for signature in Signature.objects.all():
        assert signature.email not in record.getMessage()
        assert signature.name not in record.getMessage()


def test_right_counts_are_left_alone_and_not_logged(instant, seats, caplog):
    for n in range(3):
        sign(instant, n)
    counted_total(instant)
    before = PetitionCount.objects.get(petition=instant).updated_at

    with caplog.at_level(logging.WARNING, logger="campaigns.petitions"):
        check = petition_counts_check(petition_id=instant.pk)

    assert not check.differs
    assert PetitionCount.objects.get(petition=instant).updated_at == before
    assert caplog.records == []


def test_changes_not_yet_folded_are_not_a_difference(instant, seats):
    for n in range(4):
        sign(instant, n, postcode="ZA1 1AA")
    counted_total(instant)
    sign(instant, 10, postcode="ZA2 1AA")  # +1 waiting in the journal, and a -1:
    signatures_invalidate(
        signatures=Signature.objects.filter(email="signer0@example.org"), reason="Test"
    )
    assert CountChange.objects.count() == 2

    check = petition_counts_check(petition_id=instant.pk)

    assert not check.differs
    assert (check.published, check.expected) == (4, 4)
    assert published(instant) == (4, {"E14000001": 4})
    assert CountChange.objects.count() == 2
    petition_counts_apply()
    assert published(instant) == (4, {"E14000001": 3, "E14000002": 1})
    assert not petition_counts_check(petition_id=instant.pk).differs


def test_a_petition_never_counted_gets_its_counts(instant, seats):
    Signature.objects.create(
        petition=instant, name="Jo", email="jo@example.org", canonical_email="jo@example.org",
        email_domain="example.org", postcode="ZA1 1AA", constituency_code="E14000001",
        share_code="x", counted=True, confirmed_at=timezone.now(),
    )  # fmt: skip

    check = petition_counts_check(petition_id=instant.pk)

    assert check.repaired
    assert published(instant) == (1, {"E14000001": 1})


def test_a_count_that_would_go_below_zero_is_reported_not_repaired(instant, seats, caplog):
    sign(instant, 1)
    counted_total(instant)
    # Two +1s in the journal with no counted signature behind them: folded, they would
    # make the total 3 with 1 counted, so the published total "should" be -1.
    CountChange.objects.create(petition=instant, constituency_code="E14000001", delta=1)
    CountChange.objects.create(petition=instant, constituency_code="E14000001", delta=1)

    with caplog.at_level(logging.ERROR, logger="campaigns.petitions"):
        check = petition_counts_check(petition_id=instant.pk)

    assert (check.differs, check.repaired, check.expected) == (True, False, -1)
    assert published(instant) == (1, {"E14000001": 1})
    assert any("not repaired" in r.getMessage() for r in caplog.records)


def test_draft_petitions_are_not_checked(seats):
    draft = PetitionFactory(state="draft")
    PetitionCount.objects.create(petition=draft, total=7)

    assert petition_counts_check_all() == []
    assert PetitionCount.objects.get(petition=draft).total == 7


def test_the_admin_action_repairs_and_says_what(client, corrupted):
    client.force_login(OrganiserFactory())

    response = client.post(
        reverse("admin:petitions_petition_changelist"),
        {"action": "check_counts", "_selected_action": [corrupted.pk]},
        follow=True,
    )

    html = response.content.decode()
    assert "Petition fair-votes: total 9 published, 5 expected" in html
    assert "E14000002 0 published, 2 expected: repaired" in html
    assert published(corrupted) == EXACT


def test_the_admin_action_says_when_every_count_is_right(client, instant, seats):
    sign(instant)
    counted_total(instant)
    client.force_login(OrganiserFactory())

    response = client.post(
        reverse("admin:petitions_petition_changelist"),
        {"action": "check_counts", "_selected_action": [instant.pk]},
        follow=True,
    )

    assert "1 petition checked with every count right." in response.content.decode()


def test_checking_takes_the_same_queries_for_three_seats_as_for_two_hundred():
    def check(seats):
        petition = PetitionFactory(confirmation_required=False)
        Signature.objects.bulk_create(
            Signature(
                petition=petition, name="S", email=f"s{n}@example.org",
                canonical_email=f"s{n}@example.org", email_domain="example.org",
                postcode="ZA1 1AA", constituency_code=f"E{n:08d}", share_code=str(n),
                counted=True, confirmed_at=timezone.now(),
            )
            for n in range(seats)
        )  # fmt: skip
        # Published: the total off by one, and every seat wrong (half missing, half 5).
        PetitionCount.objects.create(petition=petition, total=seats + 1)
        ConstituencyCount.objects.bulk_create(
            ConstituencyCount(petition=petition, constituency_code=f"E{n:08d}", total=5)
            for n in range(0, seats, 2)
        )
        with CaptureQueriesContext(connection) as queries:
            result = petition_counts_check(petition_id=petition.pk)
        assert result.repaired and len(result.seats) == seats
        assert published(petition) == (seats, {f"E{n:08d}": 1 for n in range(seats)})
        return len(queries)

    assert check(3) == check(200) <= 8
