"""Letters over REST: campaigns, writing, confirming, and a writer's own letters; field
errors in the project's 400 shape, storing nothing."""

import pytest
from django.core import mail

from campaigns.letters import services
from campaigns.letters.models import Letter
from tests.campaigns.letters.helpers import LETTER_A, LETTER_B, committed, write
from tests.factories import LetterCampaignFactory, UserFactory


def values(**overrides):
    return {
        "name": "Jo Bloggs",
        "email": "jo@example.org",
        "postcode": "ZA1 1AA",
        "address": "1 High Street\nTestford",
        "subject": "Please nominate the candidate",
        "body": LETTER_A,
        **overrides,
    }


def post(client, letter_campaign, **overrides):
    with committed():
        return client.post(
            f"/api/v1/letter-campaigns/{letter_campaign.slug}/letters/",
            values(**overrides),
            content_type="application/json",
        )


def test_lists_open_and_closed_campaigns_in_fixed_queries(
    client, db, django_assert_max_num_queries
):
    LetterCampaignFactory.create_batch(2)
    LetterCampaignFactory(state="closed")
    with django_assert_max_num_queries(3) as few:
        client.get("/api/v1/letter-campaigns/")
    LetterCampaignFactory.create_batch(20)

    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/v1/letter-campaigns/").json()

    assert body["count"] == 23
    assert {row["is_open"] for row in body["results"]} == {True, False}


def test_one_campaign_by_slug(client, letter_campaign):
    body = client.get(f"/api/v1/letter-campaigns/{letter_campaign.slug}/").json()

    assert body["title"] == letter_campaign.title
    assert body["talking_points"] == letter_campaign.talking_points
    assert client.get("/api/v1/letter-campaigns/nope/").status_code == 404


def test_writing_answers_202_with_the_letter_awaiting_confirmation(client, seats, letter_campaign):
    response = post(client, letter_campaign)

    assert response.status_code == 202
    letter = response.json()["letter"]
    assert letter["state"] == "awaiting_confirmation"
    assert letter["representative"]["name"] == "Ms MP 1"
    assert "body" not in letter and "similar_to" not in letter
    assert [m.to for m in mail.outbox] == [["jo@example.org"]]


def test_a_near_copy_is_held_and_says_so_without_the_other_letter(client, seats, letter_campaign):
    first = write(letter_campaign, 1)

    response = post(client, letter_campaign, postcode="ZA2 1AA")

    body = response.json()
    assert response.status_code == 202 and body["letter"]["state"] == "held_for_review"
    assert "own words" in body["detail"]
    assert first.writer_email not in str(body) and first.writer_name not in str(body)
    assert set(body["letter"]) & {"similar_to", "similarity", "body"} == set()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"postcode": "ZZ99 9ZZ"}, "postcode"),
        ({"body": ""}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"name": "Jo\r\nBcc: everyone@example.org"}, "name"),
        ({"subject": "Hi\nBcc: x@example.org"}, "subject"),
        ({"email": "not an email"}, "email"),
        ({"address": ""}, "address"),
    ],
)
def test_bad_input_is_a_field_error_storing_nothing(
    client, seats, letter_campaign, overrides, field
):
    response = post(client, letter_campaign, **overrides)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"]
    assert not Letter.objects.exists() and mail.outbox == []


def test_a_second_letter_to_the_same_mp_is_refused(client, seats, letter_campaign):
    post(client, letter_campaign)

    response = post(client, letter_campaign, body=LETTER_B)

    assert response.status_code == 400
    assert "one letter per person per MP" in response.json()["fields"]["email"][0]
    assert Letter.objects.count() == 1


def test_a_closed_campaign_takes_no_letters(client, seats, db):
    closed = LetterCampaignFactory(state="closed")

    response = post(client, closed)

    assert response.status_code == 400 and "non_field_errors" in response.json()["fields"]
    assert not Letter.objects.exists()


def test_html_in_a_body_is_kept_as_the_characters_typed(client, seats, letter_campaign):
    post(client, letter_campaign, body=LETTER_B + "\n<script>alert(1)</script>")

    assert Letter.objects.get().body.endswith("<script>alert(1)</script>")


def test_confirming_by_token_queues_and_sends_it(client, seats, letter_campaign):
    letter = write(letter_campaign)

    with committed():
        response = client.post(
            "/api/v1/letter-campaigns/confirm/",
            {"token": services.confirmation_token(letter)},
            content_type="application/json",
        )

    assert response.status_code == 200 and response.json()["id"] == letter.pk
    letter.refresh_from_db()
    assert letter.state == Letter.State.SENT


def test_a_letter_sent_from_your_own_email_is_recorded_and_counted_once_confirmed(
    client, seats, letter_campaign
):
    response = post(client, letter_campaign, sent_from_own_email=True)

    assert response.status_code == 202
    body = response.json()
    assert "confirm it was you" in body["detail"]
    assert body["letter"]["sent_from_own_email"] is True
    assert body["letter"]["state"] == "awaiting_confirmation"
    letter = Letter.objects.get()
    [message] = mail.outbox  # to the writer, to confirm; nothing to the MP
    assert message.to == ["jo@example.org"] and services.confirmation_link(letter) in message.body

    with committed():
        confirmed = client.post(
            "/api/v1/letter-campaigns/confirm/",
            {"token": services.confirmation_token(letter)},
            content_type="application/json",
        )

    assert confirmed.json()["state"] == "sent" and confirmed.json()["sent_from_own_email"]
    assert len(mail.outbox) == 1


def test_a_bad_token_is_a_field_error(client, db):
    response = client.post(
        "/api/v1/letter-campaigns/confirm/", {"token": "nope"}, content_type="application/json"
    )

    assert response.status_code == 400 and "token" in response.json()["fields"]


def test_my_letters_are_the_signed_in_writers_own_in_fixed_queries(
    client, seats, letter_campaign, django_assert_max_num_queries
):
    mine = write(letter_campaign, 1)
    write(letter_campaign, 2, postcode="ZA2 1AA", body=LETTER_B)  # someone else's
    user = UserFactory(email=mine.writer_email)
    mine.supporter.user = user
    mine.supporter.save()
    client.force_login(user)
    with django_assert_max_num_queries(6) as one:
        client.get("/api/v1/me/letters/")
    for n in range(5):
        other = LetterCampaignFactory(campaign=letter_campaign.campaign)
        write(other, 1, body=f"{LETTER_B} {n}")

    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get("/api/v1/me/letters/").json()

    assert len(body["results"]) == 6 and body["next"] is None  # by cursor: no count
    assert {row["representative"]["name"] for row in body["results"]} == {"Ms MP 1"}


def test_my_letters_need_signing_in(client, db):
    assert client.get("/api/v1/me/letters/").status_code == 401
