"""Organisers see letters in the admin, read-only, listed without bodies."""

import pytest
from django.urls import reverse

from campaigns.letters.models import LetterCampaign
from tests.campaigns.letters.helpers import LETTER_B, write
from tests.factories import CampaignFactory, OrganiserFactory


def test_letter_list_shows_states_and_no_bodies(client, seats, letter_campaign):
    write(letter_campaign, 1)
    write(letter_campaign, 2, postcode="ZA2 1AA", body=LETTER_B)
    client.force_login(OrganiserFactory())

    response = client.get(reverse("admin:letters_letter_changelist"), {"state": "held_for_review"})

    assert response.status_code == 200
    assert b"I live in Testford" not in response.content
    assert b"nurse" not in response.content
    assert b"Awaiting confirmation" in response.content  # the state filter


def test_letter_list_costs_a_fixed_number_of_queries(
    client, seats, letter_campaign, django_assert_max_num_queries
):
    for n in range(3):
        write(letter_campaign, n, postcode=f"ZA{n + 1} 1AA", body=f"{LETTER_B} {n}")
    client.force_login(OrganiserFactory())
    url = reverse("admin:letters_letter_changelist")

    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_letters_cannot_be_changed_or_added(client, seats, letter_campaign):
    letter = write(letter_campaign)
    client.force_login(OrganiserFactory())

    page = client.get(reverse("admin:letters_letter_change", args=[letter.pk]))
    add = client.get(reverse("admin:letters_letter_add"))

    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert add.status_code == 403


def test_letter_campaign_admin_lists_campaigns(client, letter_campaign):
    client.force_login(OrganiserFactory())

    response = client.get(reverse("admin:letters_lettercampaign_changelist"))

    assert letter_campaign.title.encode() in response.content


@pytest.mark.parametrize("slug", ["confirm", "reply"])
def test_a_letter_campaign_cannot_take_the_address_of_an_emailed_link(client, db, slug):
    client.force_login(OrganiserFactory())
    campaign = CampaignFactory()

    answer = client.post(
        reverse("admin:letters_lettercampaign_add"),
        {"campaign": campaign.pk, "slug": slug, "title": "T", "state": "open",
         "talking_points": "[]", "goal_statuses": "[]"},
    )  # fmt: skip

    assert answer.status_code == 200
    assert "That address is taken by the site" in answer.content.decode()
    assert not LetterCampaign.objects.exists()
