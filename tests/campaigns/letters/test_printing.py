"""An MP with no email address gets a printed letter, posted by organisers."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from campaigns.letters import services
from campaigns.letters.models import Letter
from campaigns.pressure.models import ActionRecord
from tests.campaigns.letters.helpers import committed, write
from tests.factories import OrganiserFactory, TargetFactory, UserFactory

CHANGELIST = "admin:letters_letter_changelist"


@pytest.fixture
def to_print(seats, letter_campaign):
    """A confirmed letter to an MP we have no email address for, but an office address."""
    mp = seats["ZA1 1AA"]
    mp.email = ""
    mp.postal_address = "Constituency Office\n1 Market Place\nTestford\nZA1 1AA"
    mp.save()
    TargetFactory(campaign=letter_campaign.campaign, representative=mp)
    letter = write(letter_campaign)
    with committed():
        services.letter_confirm(token=services.confirmation_token(letter))
    letter.refresh_from_db()
    assert (letter.state, letter.needs_printing) == (Letter.State.QUEUED, True)
    return letter


def act(client, action, letters):
    with committed():
        return client.post(
            reverse(CHANGELIST),
            {"action": action, "_selected_action": [letter.pk for letter in letters]},
        )


def test_printing_shows_each_letter_with_the_mps_office_address(client, to_print):
    client.force_login(OrganiserFactory())

    page = act(client, "print_letters", [to_print]).content.decode()

    assert "Constituency Office<br>1 Market Place<br>Testford<br>ZA1 1AA" in page
    assert "I live in Testford" in page and to_print.writer_name in page
    assert "answer them at the address above" in page and "Reply to this email" not in page
    assert Letter.objects.get(pk=to_print.pk).state == Letter.State.QUEUED  # not yet posted


def test_marking_posted_sends_it_once_and_records_the_pressure(client, to_print):
    client.force_login(OrganiserFactory())

    act(client, "mark_posted", [to_print])
    act(client, "mark_posted", [to_print])

    letter = Letter.objects.get(pk=to_print.pk)
    assert letter.state == Letter.State.SENT and letter.sent_at is not None
    assert ActionRecord.objects.filter(source="letters.letter", source_id=letter.pk).count() == 1
    assert services.letter_posted(letter_id=letter.pk) is False


def test_letters_with_an_email_address_are_not_printed_or_posted(client, seats, letter_campaign):
    letter = write(letter_campaign)
    client.force_login(OrganiserFactory())

    page = act(client, "print_letters", [letter]).content.decode()
    act(client, "mark_posted", [letter])

    assert "None of the selected letters is waiting to be printed" in page
    assert Letter.objects.get(pk=letter.pk).state == Letter.State.AWAITING_CONFIRMATION


def test_printing_needs_the_body_permission(client, to_print):
    reader = UserFactory(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_letter"))
    client.force_login(reader)

    page = act(client, "print_letters", [to_print])

    assert "I live in Testford" not in page.content.decode()
