import re

import pytest
from django.core import mail

from campaigns.petitions.models import Signature
from campaigns.petitions.services import petition_counts_apply
from tests.campaigns.petitions.helpers import committed, counted_total, sign
from tests.factories import PetitionFactory
from volunteers.models import Supporter

pytestmark = pytest.mark.django_db


def post_signature(client, petition, **data):
    body = {"name": "Jo Bloggs", "email": "jo@example.org", "postcode": "ZA1 1AA", **data}
    with committed():
        return client.post(
            f"/api/v1/petitions/{petition.slug}/signatures/", body, content_type="application/json"
        )


def test_sign_through_the_api_then_confirm_by_token(client, petition, seats):
    response = post_signature(client, petition)

    assert response.status_code == 202
    assert response.json()["confirmation_required"] is True
    token = re.search(r"/confirm/(\S+)/", mail.outbox[0].body).group(1)
    confirmed = client.post("/api/v1/petitions/confirm/", {"token": token})
    assert confirmed.json() == {"petition": petition.slug, "confirmed": True}
    assert counted_total(petition) == 1


def test_a_repeat_gets_exactly_the_same_answer(client, petition, seats):
    first = post_signature(client, petition)
    repeat = post_signature(client, petition, email=" JO@example.org", name="Other")

    assert first.status_code == repeat.status_code == 202
    assert first.json() == repeat.json()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 10_000}, "name"),
        ({"email": "jo@"}, "email"),
        ({"postcode": "NOT A POSTCODE"}, "postcode"),
        ({"postcode": "SW1A 1AA"}, "postcode"),  # unknown here, and the look-up is down
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    client, petition, seats, data, field
):
    response = post_signature(client, petition, **data)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert Signature.objects.count() == Supporter.objects.count() == 0


def test_unknown_postcode_is_a_field_error(client, petition, seats, fake_web, settings):
    settings.POSTCODES_IO_URL = fake_web.url
    fake_web.add(
        "/postcodes/SW99ZZ", status=404, json={"status": 404, "error": "Postcode not found"}
    )

    response = post_signature(client, petition, postcode="SW9 9ZZ")

    assert response.status_code == 400
    assert "couldn't find that postcode" in response.json()["fields"]["postcode"][0]
    assert Signature.objects.count() == 0


def test_a_closed_petition_refuses_with_a_message(client, seats):
    petition = PetitionFactory(state="closed")

    response = post_signature(client, petition)

    assert response.status_code == 400
    assert "closed" in response.json()["fields"]["non_field_errors"][0]
    assert Signature.objects.count() == 0


def test_detail_has_the_total_and_per_constituency_counts(client, seats):
    petition = PetitionFactory(confirmation_required=False)
    for n in range(3):
        sign(petition, n, postcode=["ZA1 1AA", "ZA1 1AA", "ZA2 1AA"][n])
    petition_counts_apply()

    body = client.get(f"/api/v1/petitions/{petition.slug}/").json()

    assert body["total"] == 3
    assert body["constituencies"] == [
        {"code": seats["ZA1 1AA"].ons_code, "name": seats["ZA1 1AA"].name, "total": 2},
        {"code": seats["ZA2 1AA"].ons_code, "name": seats["ZA2 1AA"].name, "total": 1},
    ]


def test_list_shows_public_petitions_only(client):
    public = PetitionFactory()
    PetitionFactory(state="draft")

    body = client.get("/api/v1/petitions/").json()

    assert [p["slug"] for p in body["results"]] == [public.slug]


def test_count_is_cacheable_and_answers_304_when_unchanged(client, seats):
    petition = PetitionFactory(confirmation_required=False)
    sign(petition)
    petition_counts_apply()
    url = f"/api/v1/petitions/{petition.slug}/count/"

    first = client.get(url)
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    sign(petition, 2)
    petition_counts_apply()
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.json()["total"] == 1
    assert "max-age=5" in first["Cache-Control"]
    assert first["Last-Modified"]
    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert changed.json()["total"] == 2


@pytest.mark.django_db(transaction=True)
def test_signing_takes_a_fixed_small_number_of_queries(
    client, seats, django_assert_max_num_queries
):
    """The hot path: petition, postcode, then one transaction with the supporter, the
    signature and its journal row (one statement for both on PostgreSQL), and no
    savepoints; a deferred field read by mistake would add a query here."""
    instant = PetitionFactory(confirmation_required=False)
    url = f"/api/v1/petitions/{instant.slug}/signatures/"
    body = {"name": "Jo Bloggs", "email": "jo@example.org", "postcode": "ZA1 1AA"}

    with django_assert_max_num_queries(7) as queries:
        response = client.post(url, body, content_type="application/json")

    assert response.status_code == 202
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements.count("SELECT") == 2
    assert "SAVEPOINT" not in statements
    assert Signature.objects.get().counted
