"""Smoke test of the signing benchmark's baselines (bench/baselines.py), so that a change
to the signing service they reuse (services._check, services._signature_build, the
endpoint they subclass) breaks the suite, not only `make bench`.

Each variant is signed through its own URL (bench/urls.py, the benchmark's URL list) on a
petition made as the benchmark makes it, and checked with the benchmark's own count check.
"""

import pytest

from bench import baselines, petition_sign
from campaigns.petitions.models import CountChange, PetitionCount, Signature
from campaigns.petitions.services import petition_counts_apply
from tests.factories import CampaignFactory, ConstituencyFactory, PostcodeFallbackFactory
from volunteers.models import canonical_email

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]

# How each variant promises to count a new signature: (total right after signing, journal
# rows right after signing).
PROMISES = {
    "real": (0, 1),  # a CountChange row, folded into the total by the counting task
    "naive": (1, 0),  # the total itself, in the signing request
    "insert-only": (0, 0),  # nothing: the signature row is all
}


@pytest.fixture
def petition(db, settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"  # never the internet
    seat = ConstituencyFactory(ons_code="E14000001")
    PostcodeFallbackFactory(code="ZA1 1AA", constituency_code=seat.ons_code)
    CampaignFactory(slug=petition_sign.CAMPAIGN_SLUG)
    return petition_sign.petition_create("smoke")


def sign(client, petition, variant, email):
    return client.post(
        petition_sign.VARIANTS[variant].format(slug=petition.slug),
        {"name": "Ada Signer", "email": email, "postcode": "za11aa"},
        content_type="application/json",
    )


def published(petition) -> tuple[int, int]:
    return (
        PetitionCount.objects.get(petition=petition).total,
        CountChange.objects.filter(petition=petition).count(),
    )


def test_the_benchmark_mounts_both_baselines_beside_the_real_endpoint():
    from django.urls import resolve

    for variant, view in [
        ("naive", baselines.NaiveSign),
        ("insert-only", baselines.InsertOnlySign),
    ]:
        match = resolve(petition_sign.VARIANTS[variant].format(slug="a-petition"))
        assert match.func.view_class is view
    assert resolve(petition_sign.VARIANTS["real"].format(slug="a-petition")).url_name == (
        "petition-sign"
    )


@pytest.mark.parametrize("variant", list(PROMISES))
def test_each_variant_stores_one_signature_and_counts_as_it_promises(client, petition, variant):
    answer = sign(client, petition, variant, "Ada@Example.org")
    repeat = sign(client, petition, variant, " ADA@example.org ")

    assert answer.status_code == repeat.status_code == 202
    assert repeat.json() == answer.json()  # a repeat cannot be told from a first signing
    assert answer.json()["constituency_code"] == "E14000001"
    signature = Signature.objects.get(petition=petition)
    assert (signature.email, signature.postcode, signature.constituency_code) == (
        "ada@example.org",
        "ZA1 1AA",
        "E14000001",
    )
    assert signature.canonical_email == canonical_email("ada@example.org")
    assert not signature.is_suspect
    assert published(petition) == PROMISES[variant]

    petition_counts_apply()  # what beat runs every couple of seconds during the benchmark

    check = petition_sign.counts_check(petition, ["ada@example.org"], variant)
    assert check["ok"], check
    assert check["rows"] == 1
    if variant != "insert-only":
        assert (check["total"], check["constituency_sum"]) == (1, 1)


def test_the_baselines_answer_exactly_as_the_real_endpoint(client, petition):
    answers = {}
    for variant in PROMISES:
        body = sign(client, petition, variant, f"{variant}@example.org").json()
        body["share_url"] = body["share_url"].split("?ref=")[0]  # the code is per address
        answers[variant] = body

    assert answers["naive"] == answers["insert-only"] == answers["real"]
