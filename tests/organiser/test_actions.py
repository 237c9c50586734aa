"""Scheduled actions: publishing and closing at their time, through each app's service,
once."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns.events import services as events
from campaigns.letters.models import LetterCampaign
from campaigns.petitions.models import Petition
from campaigns.storms.models import Twitterstorm
from organiser import services
from organiser.models import ScheduledAction
from tests.factories import (
    EventFactory,
    LetterCampaignFactory,
    OrganiserFactory,
    PetitionFactory,
    ShiftFactory,
    StormFactory,
)

pytestmark = pytest.mark.django_db


def at(minutes: int):
    return timezone.now() + timedelta(minutes=minutes)


def test_a_week_of_actions_runs_each_at_its_time_and_only_then():
    petition = PetitionFactory(state="draft")
    letters = LetterCampaignFactory(state="open")
    storm = StormFactory(is_published=False)
    ScheduledAction.objects.create(action="publish", petition=petition, run_at=at(10))
    ScheduledAction.objects.create(action="close", letter_campaign=letters, run_at=at(10))
    ScheduledAction.objects.create(action="publish", storm=storm, run_at=at(60 * 24))

    assert services.actions_run_due() == 0
    with time_machine.travel(at(11)):
        assert services.actions_run_due() == 2
        assert services.actions_run_due() == 0  # once
    assert Petition.objects.get(pk=petition.pk).state == "open"
    assert LetterCampaign.objects.get(pk=letters.pk).state == "closed"
    assert not Twitterstorm.objects.get(pk=storm.pk).is_published

    with time_machine.travel(at(60 * 24 + 1)):
        assert services.actions_run_due() == 1
    assert Twitterstorm.objects.get(pk=storm.pk).is_published
    assert set(ScheduledAction.objects.values_list("state", flat=True)) == {"done"}


def test_closing_a_petition_stops_signatures_and_keeps_the_count():
    petition = PetitionFactory(state="open")
    ScheduledAction.objects.create(action="close", petition=petition, run_at=at(-1))

    services.actions_run_due()

    petition.refresh_from_db()
    assert petition.state == "closed" and not petition.is_open()


def test_an_event_is_published_by_approval_and_closed_to_new_sign_ups():
    event = EventFactory(state="proposed")
    shift = ShiftFactory(event=event)
    ScheduledAction.objects.create(action="publish", event=event, run_at=at(-2))
    ScheduledAction.objects.create(action="close", event=event, run_at=at(-1))

    services.actions_run_due()

    event.refresh_from_db()
    assert event.state == "approved" and event.sign_ups_closed_at is not None
    with pytest.raises(ValidationError, match="Sign-ups for this event have closed"):
        events._check_shift_open(shift)


def test_an_action_with_nothing_to_do_says_so():
    storm = StormFactory(is_published=True)
    action = ScheduledAction.objects.create(action="publish", storm=storm, run_at=at(-1))

    services.actions_run_due()

    action.refresh_from_db()
    assert action.state == "nothing_to_do"


def test_an_action_names_exactly_one_subject():
    with pytest.raises(ValidationError):
        ScheduledAction(action="close", run_at=at(1)).full_clean()


def test_a_cancelled_action_does_not_run(client):
    client.force_login(OrganiserFactory())
    petition = PetitionFactory(state="draft")
    action = ScheduledAction.objects.create(action="publish", petition=petition, run_at=at(5))

    client.post(
        reverse("admin:organiser_scheduledaction_changelist"),
        {"action": "cancel", "_selected_action": [action.pk]},
    )
    with time_machine.travel(at(6)):
        services.actions_run_due()

    assert Petition.objects.get(pk=petition.pk).state == "draft"
