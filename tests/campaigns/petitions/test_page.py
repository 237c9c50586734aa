import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.petitions.models import CountChange, Signature
from campaigns.petitions.services import petition_counts_apply
from tests.factories import ConstituencyFactory, PetitionFactory

pytestmark = pytest.mark.django_db


def add_counted_signatures(petition, n, seats):
    """n counted signatures spread over the seats, as signing and counting would leave them."""
    codes = [seat.ons_code for seat in seats]
    now = timezone.now()
    Signature.objects.bulk_create(
        Signature(
            petition=petition, name=f"S {i}", email=f"s{i}@example.org",
            canonical_email=f"s{i}@example.org", email_domain="example.org", postcode="ZA1 1AA",
            constituency_code=codes[i % len(codes)], counted=True, confirmed_at=now,
            share_code=f"{i:012d}",
        )
        for i in range(n)
    )  # fmt: skip
    CountChange.objects.bulk_create(
        CountChange(petition=petition, constituency_code=codes[i % len(codes)], delta=1)
        for i in range(n)
    )
    petition_counts_apply()


@pytest.fixture
def many_seats(db):
    return [ConstituencyFactory() for _ in range(20)]


def test_page_shows_count_progress_and_top_constituencies(client, many_seats):
    petition = PetitionFactory(goal=100_000, milestones=[100, 1000])
    add_counted_signatures(petition, 250, many_seats)

    html = client.get(reverse("petitions:detail", args=[petition.slug])).content.decode()

    assert '<strong class="tally-count"' in html and ">250</strong> signatures" in html
    assert "Next goal: 1,000" in html
    assert many_seats[0].name in html
    assert f'<meta property="og:title" content="{petition.title}">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_page_and_count_run_a_fixed_number_of_queries_at_ten_thousand_signatures(
    client, many_seats, django_assert_max_num_queries
):
    small = PetitionFactory()
    large = PetitionFactory()
    add_counted_signatures(small, 10, many_seats)
    add_counted_signatures(large, 10_000, many_seats)

    for path in ("petitions:detail", "api:petition-count"):
        with django_assert_max_num_queries(8) as few:
            client.get(reverse(path, args=[small.slug]))
        with django_assert_max_num_queries(len(few.captured_queries)) as many:
            response = client.get(reverse(path, args=[large.slug]))
        assert response.status_code == 200
        assert not any("COUNT(" in q["sql"].upper() for q in many.captured_queries)


def test_a_closed_petition_shows_why_and_has_no_form(client):
    petition = PetitionFactory(state="closed")

    html = client.get(reverse("petitions:detail", args=[petition.slug])).content.decode()

    assert "no longer taking signatures" in html
    assert "Sign the petition" not in html


def test_a_draft_petition_is_not_found(client):
    petition = PetitionFactory(state="draft")

    assert client.get(reverse("petitions:detail", args=[petition.slug])).status_code == 404


def test_a_shared_link_with_an_overlong_source_still_lets_people_sign(client, seats):
    petition = PetitionFactory()
    url = reverse("petitions:detail", args=[petition.slug])

    page = client.get(url, {"source": "s" * 500, "ref": "r" * 500})
    source = page.context["form"].initial["source"]
    ref = page.context["form"].initial["ref"]
    answer = client.post(
        url,
        {"name": "Jo", "email": "jo@example.org", "postcode": "ZA1 1AA", "source": source,
         "ref": ref},
    )  # fmt: skip

    assert answer.status_code == 302
    assert Signature.objects.get().source == "s" * Signature._meta.get_field("source").max_length
