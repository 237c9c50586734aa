"""Organisers review held letters (release or reject with a reason), see counts per MP
and per state, download the counts (never bodies), and read bodies only with permission."""

import csv
import io
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns.letters import services
from campaigns.letters.models import Letter
from tests.campaigns.letters.helpers import LETTER_B, committed, outbox_to, write
from tests.factories import OrganiserFactory, UserFactory

CHANGELIST = "admin:letters_letter_changelist"


def held(letter_campaign):
    write(letter_campaign, 1)
    letter = write(letter_campaign, 2, postcode="ZA2 1AA")  # the same text: held
    assert letter.state == Letter.State.HELD_FOR_REVIEW
    mail.outbox.clear()
    return letter


def act(client, action, letters, **extra):
    with committed():
        return client.post(
            reverse(CHANGELIST),
            {"action": action, "_selected_action": [letter.pk for letter in letters], **extra},
        )


def test_the_review_queue_shows_the_similar_letter_and_similarity(client, seats, letter_campaign):
    letter = held(letter_campaign)
    client.force_login(OrganiserFactory())

    page = client.get(reverse(CHANGELIST), {"state__exact": "held_for_review"}).content.decode()

    assert f'/admin/letters/letter/{letter.similar_to_id}/change/"' in page
    assert f"{letter.similarity:.0%}" in page
    assert "Review queue" in page


def test_release_sends_the_confirmation_email_once(client, seats, letter_campaign):
    letter = held(letter_campaign)
    client.force_login(OrganiserFactory())

    act(client, "release", [letter])
    act(client, "release", [letter])

    letter.refresh_from_db()
    assert letter.state == Letter.State.AWAITING_CONFIRMATION
    [email] = outbox_to(letter.writer_email)
    assert "/letters/confirm/" in email.body


def test_reject_asks_for_a_reason_then_tells_the_writer(client, seats, letter_campaign):
    letter = held(letter_campaign)
    client.force_login(OrganiserFactory())

    form = act(client, "reject", [letter])
    act(client, "reject", [letter], apply="1", reason="It is a copy of a template letter.")

    assert b'name="reason"' in form.content
    letter.refresh_from_db()
    assert letter.state == Letter.State.FAILED and letter.failed_at
    assert letter.rejection_reason == "It is a copy of a template letter."
    [email] = outbox_to(letter.writer_email)
    assert "It is a copy of a template letter." in email.body
    assert not outbox_to(seats["ZA2 1AA"].email)


def test_only_held_letters_are_released_or_rejected(seats, letter_campaign):
    letter = write(letter_campaign)  # awaiting confirmation

    assert services.letter_release(letter_id=letter.pk) is False
    assert services.letter_reject(letter_id=letter.pk, reason="No.") is False
    letter.refresh_from_db()
    assert letter.state == Letter.State.AWAITING_CONFIRMATION


def test_counts_per_mp_and_state_and_their_csv_have_no_bodies(
    client, seats, letter_campaign, django_assert_max_num_queries
):
    held(letter_campaign)
    write(letter_campaign, 3, postcode="ZA3 1AA", body=LETTER_B)
    client.force_login(OrganiserFactory())

    with django_assert_max_num_queries(8):
        page = client.get(reverse("admin:letters_letter_counts")).content.decode()
    download = client.get(reverse("admin:letters_letter_counts_csv"))

    assert "Ms MP 1" in page and "Held for review" in page
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    by_mp = {row["mp"]: row for row in rows}
    assert by_mp["Ms MP 2"]["held_for_review"] == "1" and by_mp["Ms MP 2"]["total"] == "1"
    assert by_mp["Ms MP 1"]["awaiting_confirmation"] == "1"
    text = download.content.decode()
    assert "Testford General" not in text and "High Street" not in text
    assert "I live in Testford" not in page


def test_bodies_and_addresses_only_with_the_body_permission(client, seats, letter_campaign):
    letter = write(letter_campaign)
    reader = UserFactory(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_letter"))
    url = reverse("admin:letters_letter_change", args=[letter.pk])

    client.force_login(reader)
    without = client.get(url).content.decode()
    client.force_login(OrganiserFactory())  # a superuser has every permission
    with_permission = client.get(url).content.decode()

    assert "I live in Testford" not in without and "High Street" not in without
    assert "Ms MP 1" in without
    assert "I live in Testford" in with_permission and "High Street" in with_permission


def test_reviewing_needs_the_change_permission(client, seats, letter_campaign):
    letter = held(letter_campaign)
    reader = UserFactory(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_letter"))
    client.force_login(reader)

    act(client, "release", [letter])

    letter.refresh_from_db()
    assert letter.state == Letter.State.HELD_FOR_REVIEW


def test_organisers_send_again_a_letter_stuck_sending_from_the_list(client, seats, letter_campaign):
    letter = write(letter_campaign)
    Letter.objects.filter(pk=letter.pk).update(
        state=Letter.State.SENDING, sending_since=timezone.now() - timedelta(hours=2)
    )
    client.force_login(OrganiserFactory())

    response = act(client, "send_again", [letter])

    assert response.status_code == 302
    assert Letter.objects.get(pk=letter.pk).state == Letter.State.SENT
    assert len(outbox_to(seats["ZA1 1AA"].email)) == 1
