"""The one-click unsubscribe (RFC 8058): a POST unsubscribes, a GET only asks."""

import pytest
from django.urls import reverse

from organiser.rendering import unsubscribe_token
from tests.organiser.conftest import opted_in
from volunteers.mail import email_is_suppressed
from volunteers.models import ConsentRecord


@pytest.fixture
def person(db):
    return opted_in(1)[0]


def link(person) -> str:
    return reverse(
        "organiser:unsubscribe", args=[unsubscribe_token(supporter_id=person.pk, message_id=7)]
    )


def test_a_one_click_post_unsubscribes_with_no_page(client, person):
    response = client.post(link(person), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert email_is_suppressed(email=person.email, mass=True)
    assert not email_is_suppressed(email=person.email)  # what they ask for still reaches them
    assert not ConsentRecord.objects.filter(supporter=person, withdrawn_at__isnull=True).exists()


def test_a_get_only_shows_a_button_and_unsubscribes_nobody(client, person):
    response = client.get(link(person))

    assert response.status_code == 200
    assert b'<button type="submit">Unsubscribe</button>' in response.content
    assert not email_is_suppressed(email=person.email, mass=True)


def test_the_pages_button_unsubscribes_and_says_so(client, person):
    response = client.post(link(person), {"from_page": "1", "List-Unsubscribe": "One-Click"})

    assert b"You are unsubscribed" in response.content
    assert email_is_suppressed(email=person.email, mass=True)


def test_a_forged_or_cut_link_unsubscribes_nobody(client, person):
    forged = link(person).replace(f"/{person.pk}.", f"/{person.pk + 1}.")

    assert client.get(forged).status_code == 404
    assert client.post(forged, {"List-Unsubscribe": "One-Click"}).status_code == 400
    assert not email_is_suppressed(email=person.email, mass=True)


def test_unsubscribing_twice_is_fine(client, person):
    client.post(link(person))
    assert client.post(link(person)).status_code == 200


def test_the_email_it_came_from_shows_the_unsubscribe(client, person):
    from organiser.models import OutboxEmail
    from tests.factories import ScheduledMessageFactory

    message = ScheduledMessageFactory(state="sent")
    row = OutboxEmail.objects.create(message=message, supporter=person, state="sent")
    token = unsubscribe_token(supporter_id=person.pk, message_id=message.pk)

    client.post(reverse("organiser:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"})

    row.refresh_from_db()
    assert row.unsubscribed_at is not None
