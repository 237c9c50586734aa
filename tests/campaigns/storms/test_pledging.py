"""Pledging (issue #17, part 1): one pledge per supporter per storm, by account (counted
at once) or by email (counted once confirmed by the emailed link)."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from campaigns.storms import selectors, services
from campaigns.storms.models import Pledge
from campaigns.targets.services import target_status_set
from tests.factories import UserFactory
from volunteers.models import Supporter


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


def pledge_email(storm, email="jo@example.org", **kwargs):
    with committed():
        return services.pledge_by_email(storm=storm, email=email, **kwargs)


def link_token(message) -> str:
    return re.search(r"/storms/confirm/([^/\s]+)/", message.body).group(1)


def test_an_email_pledge_counts_once_confirmed(storm):
    pledge, created = pledge_email(storm)

    assert created and pledge.state == Pledge.State.AWAITING_CONFIRMATION
    assert selectors.storm_counts(storm.pk).pledged == 0
    [message] = mail.outbox
    assert message.to == ["jo@example.org"] and "#LetMembersChoose" in message.subject

    services.pledge_confirm(token=link_token(message))
    services.pledge_confirm(token=link_token(message))  # twice: counted once

    assert selectors.storm_counts(storm.pk).pledged == 1
    assert Pledge.objects.get().confirmed_at is not None


def test_pledging_twice_by_email_leaves_one_pledge(storm):
    first, _ = pledge_email(storm, "Jo@Example.org")
    again, created = pledge_email(storm, " jo@example.org ")

    assert not created and again.pk == first.pk
    assert Pledge.objects.count() == 1 and Supporter.objects.count() == 1


def test_an_account_pledge_counts_at_once_and_twice_is_one(storm):
    user = UserFactory()

    pledge, created = services.pledge_by_account(storm=storm, user=user)
    again, created_again = services.pledge_by_account(storm=storm, user=user)

    assert (created, created_again) == (True, False) and again.pk == pledge.pk
    assert pledge.state == Pledge.State.CONFIRMED and pledge.via == Pledge.Via.ACCOUNT
    assert pledge.supporter.user == user
    assert selectors.storm_counts(storm.pk).pledged == 1
    assert mail.outbox == []


def test_signing_in_with_the_address_of_an_unconfirmed_email_pledge_confirms_it(storm):
    user = UserFactory(email="jo@example.org")
    email_pledge, _ = pledge_email(storm, "jo@example.org")

    pledge, created = services.pledge_by_account(storm=storm, user=user)

    assert not created and pledge.pk == email_pledge.pk
    assert pledge.state == Pledge.State.CONFIRMED


def test_a_pledge_holds_a_hand_out(storm):
    pledge, _ = pledge_email(storm)

    assignment = services.pledge_assignment(pledge=pledge)

    angle = storm.angles.get(pk=assignment.angle_id)
    assert assignment.prompt == angle.prompt and assignment.starter in angle.starters
    storm_target = storm.storm_targets.get(pk=assignment.storm_target_id)
    assert assignment.target_name == storm_target.target.name
    mp = storm_target.target.representative
    assert assignment.mentions["x"] == f"@{mp.x_handle}"
    assert assignment.mentions["bluesky"].endswith(".bsky.social")
    assert assignment.mentions["mastodon"].endswith("@mastodon.example")
    # The same each time they look.
    assert services.pledge_assignment(pledge=pledge) == assignment


def test_a_pledgers_target_that_reaches_the_goal_is_replaced(storm):
    pledge, _ = pledge_email(storm)
    first = storm.storm_targets.get(pk=services.pledge_assignment(pledge=pledge).storm_target_id)
    target_status_set(
        target=first.target, status="nominated", source_url="https://example.org/news"
    )

    now = services.pledge_assignment(pledge=Pledge.objects.get(pk=pledge.pk))

    assert now.storm_target_id not in (None, first.pk)
    assert Pledge.objects.get(pk=pledge.pk).storm_target_id == now.storm_target_id


@pytest.mark.parametrize("email", ["", "not-an-email", "a@" + "b" * 260 + ".org"])
def test_a_bad_address_is_a_field_error_storing_nothing(storm, email):
    with pytest.raises(ValidationError) as refused:
        pledge_email(storm, email)

    assert "email" in refused.value.message_dict
    assert Pledge.objects.count() == 0 and Supporter.objects.count() == 0


def test_a_storm_that_is_over_takes_no_pledges(storm):
    storm.starts_at = timezone.now() - timedelta(hours=2)
    storm.ends_at = timezone.now() - timedelta(hours=1)
    storm.save()

    with pytest.raises(ValidationError) as refused:
        pledge_email(storm)

    assert "over" in refused.value.messages[0] and Pledge.objects.count() == 0


def test_a_forged_link_is_refused(storm):
    with pytest.raises(services.ConfirmationInvalid):
        services.pledge_confirm(token="nope")


def test_the_confirmation_email_is_capped_per_address(storm, settings):
    settings.STORM_CONFIRMATION_EMAILS = (2, 3600)
    for _ in range(4):
        pledge_email(storm)

    assert len(mail.outbox) == 2 and Pledge.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_pledges_from_one_address_and_one_account_leave_one_each(storm):
    user = UserFactory()
    start = threading.Barrier(16)
    errors = []

    def pledge(i):
        start.wait()
        try:
            if i % 2:
                services.pledge_by_account(storm=storm, user=user)
            else:
                services.pledge_by_email(storm=storm, email="race@example.org")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pledge, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Pledge.objects.filter(storm=storm).count() == 2
    assert Supporter.objects.filter(email="race@example.org").count() == 1
