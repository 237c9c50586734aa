"""Limits on writing (issue #16, part 6): per-IP and per-domain limits hold a letter for
review, the daily cap per MP refuses one (exactly, under concurrency), and the same email
writing from another constituency within a day is flagged and held."""

import random
from datetime import timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.utils import timezone

from campaigns.letters.models import Letter, LetterDayCount
from tests.campaigns.letters.helpers import outbox_to, write
from tests.campaigns.petitions.test_concurrency import run_at_once

WORDS = (
    "library bus hospital rent school nurse council housing winter beds members vote "
    "street town river jobs wages train station park children parents carers shop pub "
    "church mosque market bridge flood farm factory college doctor dentist pension energy "
    "heating water roads potholes police fire ambulance post office bank internet phone"
).split()


def own_words(n: int) -> str:
    """A letter in words of its own: no three words in a row shared with another n."""
    rng = random.Random(n)
    return "Dear MP, " + " ".join(rng.choice(WORDS) for _ in range(90)) + "."


def letter(letter_campaign, n, **overrides):
    return write(letter_campaign, n, body=own_words(n), **overrides)


@pytest.fixture
def limits(settings):
    def set_limits(**values):
        limits = {k: (10**6, w) for k, (_, w) in settings.LETTER_RATE_LIMITS.items()}
        limits.update(values)
        settings.LETTER_RATE_LIMITS = limits

    return set_limits


def test_a_letter_past_the_ip_limit_is_held_for_review_not_refused(seats, letter_campaign, limits):
    limits(ip_burst=(2, 600))

    letters = [letter(letter_campaign, n, ip="203.0.113.9") for n in range(3)]
    other_ip = letter(letter_campaign, 3, ip="203.0.113.10")

    states = [(x.state, x.hold_reason) for x in letters]
    assert states[:2] == [(Letter.State.AWAITING_CONFIRMATION, "")] * 2
    assert states[2] == (Letter.State.HELD_FOR_REVIEW, Letter.HoldReason.RATE_LIMIT)
    assert outbox_to(letters[2].writer_email) == []  # nothing emailed until reviewed
    assert other_ip.state == Letter.State.AWAITING_CONFIRMATION


def test_a_letter_past_the_domain_limit_is_held_but_webmail_is_exempt(
    seats, letter_campaign, limits
):
    limits(domain_sustained=(2, 86400))

    ours = [letter(letter_campaign, n, email=f"w{n}@smallco.example") for n in range(3)]
    webmail = [letter(letter_campaign, 10 + n, email=f"w{n}@gmail.com") for n in range(3)]

    assert [x.state == Letter.State.HELD_FOR_REVIEW for x in ours] == [False, False, True]
    assert ours[2].hold_reason == Letter.HoldReason.RATE_LIMIT
    assert all(x.state == Letter.State.AWAITING_CONFIRMATION for x in webmail)


def test_past_the_daily_cap_a_letter_is_refused_with_a_clear_message(
    seats, letter_campaign, settings
):
    settings.LETTER_DAILY_CAP_PER_MP = 2
    letter(letter_campaign, 0)
    letter(letter_campaign, 1)

    with pytest.raises(ValidationError) as refused:
        letter(letter_campaign, 2)

    [message] = refused.value.message_dict[NON_FIELD_ERRORS]
    assert "Ms MP 1" in message and "tomorrow" in message
    assert Letter.objects.count() == 2
    # Another MP has a cap of their own, and yesterday's letters do not count today.
    assert letter(letter_campaign, 3, postcode="ZA2 1AA").pk
    LetterDayCount.objects.filter(representative=seats["ZA1 1AA"]).update(
        day=timezone.localdate() - timedelta(days=1)
    )
    assert letter(letter_campaign, 4).pk


def test_a_refused_second_letter_does_not_use_up_the_cap(seats, letter_campaign, settings):
    settings.LETTER_DAILY_CAP_PER_MP = 2
    letter(letter_campaign, 0)
    with pytest.raises(ValidationError):
        letter(letter_campaign, 0)  # the same writer again: one letter per MP

    assert letter(letter_campaign, 1).pk
    assert LetterDayCount.objects.get().count == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_daily_cap_holds_under_fifty_concurrent_letters(seats, letter_campaign, settings):
    assert connection.vendor == "postgresql"
    settings.LETTER_DAILY_CAP_PER_MP = 10
    bodies = [own_words(n) for n in range(50)]

    errors = run_at_once(
        50, lambda n: write(letter_campaign, n, body=bodies[n], ip=f"10.9.0.{n}"), threads=50
    )

    assert Letter.objects.filter(representative=seats["ZA1 1AA"]).count() == 10
    assert LetterDayCount.objects.get().count == 10
    assert len(errors) == 40
    assert all(
        isinstance(e, ValidationError) and NON_FIELD_ERRORS in e.message_dict for e in errors
    )


def test_the_same_email_from_another_constituency_within_a_day_is_flagged_and_held(
    seats, letter_campaign
):
    first = letter(letter_campaign, 0, email="jo.bloggs@gmail.com", postcode="ZA1 1AA")
    # The same mailbox, spelt another way (canonical form), from another constituency.
    second = letter(letter_campaign, 1, email="JoBloggs+mp@gmail.com", postcode="ZA2 1AA")

    assert not first.other_constituency and first.state == Letter.State.AWAITING_CONFIRMATION
    assert second.other_constituency
    assert second.state == Letter.State.HELD_FOR_REVIEW
    assert second.hold_reason == Letter.HoldReason.OTHER_CONSTITUENCY


def test_the_same_email_in_the_same_constituency_or_a_day_later_is_not_flagged(
    seats, letter_campaign
):
    from tests.factories import LetterCampaignFactory

    letter(letter_campaign, 0, email="jo@example.org", postcode="ZA1 1AA")
    same_seat = letter(LetterCampaignFactory(), 1, email="jo@example.org", postcode="ZA1 1AA")
    Letter.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    next_day = letter(letter_campaign, 2, email="jo@example.org", postcode="ZA2 1AA")

    assert not same_seat.other_constituency and same_seat.state != Letter.State.HELD_FOR_REVIEW
    assert not next_day.other_constituency and next_day.state != Letter.State.HELD_FOR_REVIEW
