"""A letter's life after writing (issue #16, parts 2 and 8): one reminder to confirm after
a day, expiry after LETTER_CONFIRMATION_MAX_AGE, and scrubbing of text and addresses
LETTER_RETENTION_DAYS after sending, keeping counts and reply rates."""

import io
import random
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from campaigns.letters import services, tasks
from campaigns.letters.models import Letter, LetterBand
from campaigns.letters.replies import reply_rates
from campaigns.letters.selectors import counts_per_mp
from campaigns.pressure.models import ActionRecord
from tests.campaigns.letters.helpers import committed, outbox_to, write
from tests.factories import TargetFactory

WORDS = "bus rent school nurse housing winter beds vote street town river jobs wages".split()


def own_words(n: int) -> str:
    rng = random.Random(1000 + n)
    return "Dear MP, " + " ".join(rng.choice(WORDS) for _ in range(90)) + "."


def letter(letter_campaign, n=0, **overrides):
    return write(letter_campaign, n, body=own_words(n), **overrides)


def age(letter, **delta):
    """As if written that long ago (and waiting since)."""
    then = timezone.now() - timedelta(**delta)
    Letter.objects.filter(pk=letter.pk).update(created_at=then, awaiting_since=then)


def tend():
    with committed():
        return tasks.letters_confirmations_tend()


def confirm_link(message):
    return re.search(r"/letters/confirm/(\S+)/", message.body).group(1)


def test_one_reminder_a_day_after_writing_and_its_link_confirms(seats, letter_campaign):
    letter_ = letter(letter_campaign, email="jo@example.org")
    young = letter(letter_campaign, 1)
    age(letter_, hours=25)
    age(young, hours=23)
    mail.outbox.clear()

    tend()
    tend()  # run again: nothing more

    [reminder] = mail.outbox
    assert reminder.to == ["jo@example.org"] and reminder.subject.startswith("Reminder")
    assert Letter.objects.get(pk=letter_.pk).reminded_at is not None
    mail.outbox.clear()
    with committed():
        services.letter_confirm(token=confirm_link(reminder))
    assert Letter.objects.get(pk=letter_.pk).state == Letter.State.SENT


def test_a_confirmed_or_held_letter_gets_no_reminder(seats, letter_campaign):
    confirmed = letter(letter_campaign, 0)
    held = letter(letter_campaign, 1)
    Letter.objects.filter(pk=confirmed.pk).update(state=Letter.State.QUEUED)
    Letter.objects.filter(pk=held.pk).update(state=Letter.State.HELD_FOR_REVIEW)
    age(confirmed, days=2)
    age(held, days=2)
    mail.outbox.clear()

    tend()

    assert mail.outbox == []


def test_the_reminder_task_run_twice_sends_one_reminder(seats, letter_campaign):
    letter_ = letter(letter_campaign)
    age(letter_, days=2)
    mail.outbox.clear()

    assert services.letter_reminder_send(letter_id=letter_.pk) is True
    assert services.letter_reminder_send(letter_id=letter_.pk) is False

    assert len(mail.outbox) == 1


def test_unconfirmed_letters_expire_after_seven_days_and_may_be_written_again(
    seats, letter_campaign
):
    old = letter(letter_campaign, 0, email="jo@example.org")
    recent = letter(letter_campaign, 1)
    [first_email] = outbox_to("jo@example.org")
    age(old, days=7, minutes=1)
    age(recent, days=6)

    assert tend()[0] == 1
    assert tend()[0] == 0

    old.refresh_from_db()
    assert (old.state, bool(old.expired_at)) == (Letter.State.EXPIRED, True)
    assert Letter.objects.get(pk=recent.pk).state == Letter.State.AWAITING_CONFIRMATION
    with pytest.raises(ValidationError) as refused:
        services.letter_confirm(token=confirm_link(first_email))
    assert "expired" in refused.value.message_dict["token"][0]
    # An expired letter never reached the MP: its writer may write to them again.
    again = letter(letter_campaign, 2, email="jo@example.org")
    assert again.state == Letter.State.AWAITING_CONFIRMATION


def test_a_link_to_a_letter_past_its_age_is_refused_before_the_expiry_runs(
    seats, letter_campaign, settings
):
    letter_ = letter(letter_campaign, email="jo@example.org")
    [message] = outbox_to("jo@example.org")
    age(letter_, days=7, minutes=1)

    with pytest.raises(ValidationError):
        services.letter_confirm(token=confirm_link(message))

    assert Letter.objects.get(pk=letter_.pk).state == Letter.State.AWAITING_CONFIRMATION


def test_a_letter_released_after_days_in_review_has_its_full_week_to_be_confirmed(
    seats, letter_campaign
):
    letter(letter_campaign, 1)
    held = write(letter_campaign, 2, body=own_words(1), email="jo@example.org")
    assert held.state == Letter.State.HELD_FOR_REVIEW
    age(held, days=10)  # ten days in the review queue
    mail.outbox.clear()

    with committed():
        assert services.letter_release(letter_id=held.pk)
    assert tend() == (0, 0)  # neither expired nor reminded at once

    held.refresh_from_db()
    assert held.state == Letter.State.AWAITING_CONFIRMATION
    [message] = outbox_to("jo@example.org")
    with committed():
        services.letter_confirm(token=confirm_link(message))
    assert Letter.objects.get(pk=held.pk).state == Letter.State.SENT


def test_a_released_letter_is_reminded_a_day_after_release_and_expires_a_week_after(
    seats, letter_campaign
):
    letter(letter_campaign, 1)
    held = write(letter_campaign, 2, body=own_words(1), email="jo@example.org")
    age(held, days=10)
    with committed():
        services.letter_release(letter_id=held.pk)
    released = timezone.now()
    mail.outbox.clear()

    Letter.objects.filter(pk=held.pk).update(awaiting_since=released - timedelta(hours=25))
    assert tend() == (0, 1)
    [reminder] = outbox_to("jo@example.org")
    assert reminder.subject.startswith("Reminder")

    Letter.objects.filter(pk=held.pk).update(awaiting_since=released - timedelta(days=7, minutes=1))
    assert tend() == (1, 0)
    assert Letter.objects.get(pk=held.pk).state == Letter.State.EXPIRED


def test_expiry_and_reminders_work_in_bounded_batches(
    seats, letter_campaign, settings, django_assert_num_queries
):
    for n in range(5):
        age(letter(letter_campaign, n), days=8)
    for n in range(5, 10):
        age(letter(letter_campaign, n), days=2)

    with django_assert_num_queries(1):
        assert services.letters_expire(limit=3) == 3
    assert services.letters_expire() == 2
    with committed() as enqueued, django_assert_num_queries(1):
        assert services.letter_reminders_enqueue(limit=4) == 4
    assert len(enqueued) == 4
    assert Letter.objects.filter(reminded_at__isnull=False).count() == 4


# --- Retention ---------------------------------------------------------------------------


def sent(letter_campaign, n, *, days_ago, reply="", postcode="ZA1 1AA"):
    letter_ = letter(letter_campaign, n, postcode=postcode)
    Letter.objects.filter(pk=letter_.pk).update(
        state=Letter.State.SENT, sent_at=timezone.now() - timedelta(days=days_ago), reply=reply
    )
    services.letter_pressure_record(letter=Letter.objects.get(pk=letter_.pk))
    return letter_


def test_scrubbing_removes_text_and_addresses_and_keeps_counts_and_reply_rates(
    seats, letter_campaign, settings
):
    settings.LETTER_REPLY_RATE_MIN_ANSWERS = 2
    TargetFactory(campaign=letter_campaign.campaign, representative=seats["ZA1 1AA"])
    old = [
        sent(letter_campaign, n, days_ago=30, reply=answer)
        for n, answer in enumerate(["yes", "no", "yes", "not_yet"])
    ]
    recent = sent(letter_campaign, 10, days_ago=3, reply="yes")
    failed = letter(letter_campaign, 11, postcode="ZA2 1AA")
    Letter.objects.filter(pk=failed.pk).update(
        state=Letter.State.FAILED, failed_at=timezone.now() - timedelta(days=29)
    )
    counts_before = counts_per_mp()
    rates_before = reply_rates(letter_campaign=letter_campaign)
    actions_before = ActionRecord.objects.count()

    with committed():
        assert tasks.letters_scrub() == 5
    assert services.letters_scrub() == 0  # once

    for letter_ in [*old, failed]:
        letter_.refresh_from_db()
        assert (letter_.body, letter_.subject, letter_.writer_address) == ("", "", "")
        assert (letter_.writer_postcode, letter_.signature, letter_.ip_hash) == ("", [], "")
        assert letter_.scrubbed_at and letter_.constituency_code
    assert not LetterBand.objects.filter(letter__in=[*old, failed]).exists()
    recent.refresh_from_db()
    assert recent.body and recent.writer_address and recent.scrubbed_at is None
    assert LetterBand.objects.filter(letter=recent).exists()
    assert counts_per_mp() == counts_before
    assert reply_rates(letter_campaign=letter_campaign) == rates_before
    assert rates_before[seats["ZA1 1AA"].pk].answers == 4  # three old, one recent
    assert ActionRecord.objects.count() == actions_before == 5


def test_scrubbing_works_in_bounded_batches(seats, letter_campaign, django_assert_num_queries):
    for n in range(4):
        sent(letter_campaign, n, days_ago=40)

    with django_assert_num_queries(5):  # savepoint, select, delete bands, update, release
        assert services.letters_scrub(limit=3) == 3
    assert services.letters_scrub(limit=3) == 1


def test_the_housekeeping_command_runs_everything_until_done(seats, letter_campaign):
    for n in range(3):
        sent(letter_campaign, n, days_ago=40)
    age(letter(letter_campaign, 5), days=9)

    out = io.StringIO()
    call_command("letters_housekeeping", "--batch", "2", stdout=out)

    assert "scrub: 3" in out.getvalue() and "expire: 1" in out.getvalue()
    assert Letter.objects.filter(scrubbed_at__isnull=False).count() == 3
