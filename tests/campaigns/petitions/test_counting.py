import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.petitions.models import ConstituencyCount, CountChange, Signature
from campaigns.petitions.services import petition_counts_apply, signatures_invalidate
from tests.campaigns.petitions.helpers import confirmation_links, counted_total, sign
from tests.factories import PetitionFactory
from volunteers.models import canonical_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def instant(db):
    """A petition whose signatures count without email confirmation."""
    return PetitionFactory(confirmation_required=False)


def test_counts_are_exact_per_petition_and_constituency(instant, seats):
    other = PetitionFactory(confirmation_required=False)
    for n in range(7):
        sign(instant, n, postcode=["ZA1 1AA", "ZA2 1AA"][n % 2])
    sign(other, 99, postcode="ZA3 1AA")

    assert counted_total(instant) == 7
    assert counted_total(other) == 1
    seat_totals = dict(
        ConstituencyCount.objects.filter(petition=instant).values_list("constituency_code", "total")
    )
    assert seat_totals == {seats["ZA1 1AA"].ons_code: 4, seats["ZA2 1AA"].ons_code: 3}
    assert CountChange.objects.count() == 0


def test_applying_twice_counts_each_change_once(instant, seats):
    for n in range(3):
        sign(instant, n)

    assert petition_counts_apply() == 3
    assert petition_counts_apply() == 0
    assert counted_total(instant) == 3


def test_invalidating_ten_lowers_the_total_by_exactly_ten(instant, seats):
    for n in range(25):
        sign(instant, n, email=f"person{n}@{'spam.example' if n < 10 else 'example.org'}")
    assert counted_total(instant) == 25

    invalidated = signatures_invalidate(
        signatures=Signature.objects.filter(email_domain="spam.example"), reason="bulk sign-ups"
    )
    again = signatures_invalidate(
        signatures=Signature.objects.filter(email_domain="spam.example"), reason="twice"
    )

    assert (invalidated, again) == (10, 0)
    assert counted_total(instant) == 15
    assert sum(ConstituencyCount.objects.values_list("total", flat=True)) == 15
    assert Signature.objects.get(email="person0@spam.example").state == "invalidated"


def test_invalidating_a_pending_signature_keeps_it_from_ever_counting(client, petition, seats):
    sign(petition, 1)
    signatures_invalidate(signatures=Signature.objects.all(), reason="fake")

    client.get(confirmation_links()[0])

    assert counted_total(petition) == 0


def test_invalidating_needs_a_reason(instant, seats):
    sign(instant)

    with pytest.raises(ValidationError) as error:
        signatures_invalidate(signatures=Signature.objects.all(), reason=" ")

    assert error.value.message_dict == {"reason": ["Give a reason for invalidating signatures."]}
    assert counted_total(instant) == 1
    assert Signature.objects.get().invalidated_at is None


def test_fifty_from_one_ip_in_the_burst_window_leave_the_excess_uncounted(instant, seats, settings):
    burst, _ = settings.PETITION_RATE_LIMITS["ip_burst"]

    for n in range(50):
        sign(instant, n, email=f"person{n}@gmail.com", ip="203.0.113.7")
    sign(instant, 100, email="other@gmail.com", ip="198.51.100.1")

    assert Signature.objects.count() == 51
    assert Signature.objects.filter(is_suspect=True).count() == 50 - burst
    assert counted_total(instant) == burst + 1


def test_one_domain_over_its_limit_is_suspect_but_big_providers_are_not(instant, seats, settings):
    settings.PETITION_RATE_LIMITS = {
        **settings.PETITION_RATE_LIMITS,
        "domain_burst": (5, 60),
        "ip_burst": (1000, 60),
    }

    for n in range(8):
        sign(instant, n, email=f"p{n}@throwaway.example", ip=f"10.0.0.{n}")
    for n in range(8):
        sign(instant, 100 + n, email=f"p{n}@gmail.com", ip=f"10.0.1.{n}")

    assert Signature.objects.filter(email_domain="throwaway.example", is_suspect=True).count() == 3
    assert not Signature.objects.filter(email_domain="gmail.com", is_suspect=True).exists()


def test_a_victims_inbox_gets_at_most_the_capped_number_of_emails(petition, seats, settings):
    cap, _ = settings.PETITION_CONFIRMATION_EMAILS

    for n in range(1000):
        sign(petition, n, email="Victim@Example.org", ip=f"10.{n // 250}.{n % 250}.1")

    assert Signature.objects.count() == 1
    assert len(confirmation_links("victim@example.org")) == cap


def test_plus_tags_and_gmail_dots_share_one_canonical_form():
    assert canonical_email("Jo.Bloggs+petition@GoogleMail.com") == "jobloggs@gmail.com"
    assert canonical_email("jo.bloggs+x@example.org") == "jo.bloggs@example.org"


def test_counted_signatures_are_the_only_ones_in_the_total(petition, seats):
    sign(petition, 1)
    sign(petition, 2)
    Signature.objects.filter(email="signer1@example.org").update(confirmed_at=timezone.now())

    assert counted_total(petition) == 0  # confirmed_at alone does not count: only the service
    assert mail.outbox


def test_folding_takes_the_same_queries_for_three_seats_as_for_two_hundred(instant):
    # (SQLite caps parameters per statement, so far more seats split into a few batches.)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fold(seats):
        CountChange.objects.bulk_create(
            CountChange(petition=instant, constituency_code=f"E{n:08d}", delta=1)
            for n in range(seats)
        )
        with CaptureQueriesContext(connection) as queries:
            assert petition_counts_apply() == seats
        return len(queries)

    assert fold(3) == fold(200)
    assert sum(ConstituencyCount.objects.values_list("total", flat=True)) == 203
    assert counted_total(instant) == 203
