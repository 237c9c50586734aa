"""Writing a letter: only to the writer's own MP, once, in plain text; bad input stores
nothing."""

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from campaigns.letters.models import BODY_MAX, Letter, LetterBand
from campaigns.targets.models import TargetStatus
from tests.campaigns.letters.helpers import LETTER_B, outbox_to, write
from tests.factories import LetterCampaignFactory, TargetFactory
from volunteers.models import Supporter


def _refused(letter_campaign, **overrides) -> dict:
    with pytest.raises(ValidationError) as caught:
        write(letter_campaign, **overrides)
    assert Letter.objects.count() == 0
    assert LetterBand.objects.count() == 0
    assert mail.outbox == []
    return caught.value.message_dict


def test_letter_goes_to_the_writers_own_mp(seats, letter_campaign):
    letter = write(letter_campaign, postcode="za2 1aa")

    assert letter.representative == seats["ZA2 1AA"]
    assert (letter.writer_postcode, letter.constituency_code) == ("ZA2 1AA", "E14000002")
    assert letter.state == Letter.State.AWAITING_CONFIRMATION
    assert letter.supporter == Supporter.objects.get(email="writer0@example.org")
    assert letter.bands.count() == 32


def test_writer_is_emailed_a_confirmation_link(seats, letter_campaign):
    write(letter_campaign, email="Jo@Example.org")

    [message] = outbox_to("jo@example.org")
    assert "/letters/confirm/" in message.body
    assert "Ms MP 1" in message.subject


def test_second_letter_to_the_same_mp_is_refused_with_a_message(seats, letter_campaign):
    write(letter_campaign, body=LETTER_B)

    with pytest.raises(ValidationError) as caught:
        write(letter_campaign, email="WRITER0@example.org", body="Something else entirely.")

    assert "already written to Ms MP 1" in caught.value.message_dict["email"][0]
    assert Letter.objects.count() == 1


def test_the_same_writer_may_write_in_another_campaign(seats, letter_campaign):
    write(letter_campaign)

    other = write(LetterCampaignFactory(), body=LETTER_B)

    assert other.pk


def test_closed_campaign_takes_no_letters(seats):
    closed = LetterCampaignFactory(state="closed")

    errors = _refused(closed)

    assert "closed" in errors[NON_FIELD_ERRORS][0]


def test_unknown_postcode_is_a_field_error(seats, letter_campaign):
    errors = _refused(letter_campaign, postcode="ZA9 9ZZ")

    assert "postcode" in errors


def test_not_a_postcode_is_a_field_error(seats, letter_campaign):
    errors = _refused(letter_campaign, postcode="hello")

    assert "not a UK postcode" in errors["postcode"][0]


def test_constituency_without_a_current_mp_is_refused_clearly(seats, letter_campaign):
    seats["ZA3 1AA"].is_current = False
    seats["ZA3 1AA"].save()

    errors = _refused(letter_campaign, postcode="ZA3 1AA")

    assert "don't have a current MP for Testford 3" in errors["postcode"][0]


def test_empty_body_is_refused(seats, letter_campaign):
    errors = _refused(letter_campaign, body="   \n  ")

    assert list(errors) == ["body"]


def test_body_over_ten_thousand_characters_is_refused(seats, letter_campaign):
    errors = _refused(letter_campaign, body="word " * (BODY_MAX // 5) + "x")

    assert "10,000" in errors["body"][0]


def test_body_of_exactly_ten_thousand_characters_is_accepted(seats, letter_campaign):
    body = ("Testford needs this. " * 500)[:BODY_MAX]

    assert len(write(letter_campaign, body=body).body) == BODY_MAX


@pytest.mark.parametrize("name", ["Jo\nBcc: victim@example.org", "Jo\rBloggs", "Jo\u2028B"])
def test_line_break_in_name_is_refused(seats, letter_campaign, name):
    errors = _refused(letter_campaign, name=name)

    assert list(errors) == ["name"]


def test_line_break_in_subject_is_refused(seats, letter_campaign):
    errors = _refused(letter_campaign, subject="Hello\r\nBcc: victim@example.org")

    assert list(errors) == ["subject"]


def test_overlong_name_is_refused(seats, letter_campaign):
    errors = _refused(letter_campaign, name="J" * 101)

    assert list(errors) == ["name"]


def test_missing_address_is_refused(seats, letter_campaign):
    errors = _refused(letter_campaign, address=" ")

    assert list(errors) == ["address"]


def test_bad_email_is_refused(seats, letter_campaign):
    errors = _refused(letter_campaign, email="not-an-address")

    assert list(errors) == ["email"]


def test_every_bad_field_is_named_at_once(seats, letter_campaign):
    errors = _refused(letter_campaign, name="", body="", postcode="ZA9 9ZZ")

    assert {"name", "body", "postcode"} <= set(errors)


def test_html_in_the_body_is_kept_as_plain_text(seats, letter_campaign):
    body = '<script>alert("x")</script> <b>Please</b> nominate & reply.'

    letter = write(letter_campaign, body=body)

    assert Letter.objects.get(pk=letter.pk).body == body


def test_mp_already_at_the_goal_gets_a_thank_you(seats, letter_campaign):
    TargetFactory(
        campaign=letter_campaign.campaign,
        representative=seats["ZA1 1AA"],
        status=TargetStatus.NOMINATED,
    )

    assert write(letter_campaign).kind == Letter.Kind.THANKS


def test_mp_not_yet_at_the_goal_gets_a_pressure_letter(seats, letter_campaign):
    TargetFactory(
        campaign=letter_campaign.campaign,
        representative=seats["ZA1 1AA"],
        status=TargetStatus.LEANING,
    )

    assert write(letter_campaign).kind == Letter.Kind.PRESSURE


def test_held_letter_sends_no_confirmation_email_but_a_link_to_rewrite_it(seats, letter_campaign):
    write(letter_campaign, 1)
    mail.outbox.clear()

    held = write(letter_campaign, 2, postcode="ZA2 1AA")

    assert held.state == Letter.State.HELD_FOR_REVIEW
    [message] = mail.outbox
    assert message.to == [held.writer_email]
    assert "/letters/rewrite/" in message.body and "/letters/confirm/" not in message.body


def test_ip_is_stored_only_as_a_hash(seats, letter_campaign):
    letter = write(letter_campaign, ip="203.0.113.9")

    assert letter.ip_hash and "203.0.113.9" not in letter.ip_hash


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_same_writer_writes_once_under_concurrency(seats, letter_campaign):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from campaigns.letters.services import letter_write

    def attempt(n):
        try:
            letter_write(
                letter_campaign=letter_campaign,
                name="Jo",
                email="jo@example.org",
                postcode="ZA1 1AA",
                address="1 High Street",
                subject="Please nominate",
                body=f"My own letter, version {n}, about the buses in Testford.",
            )
            return "ok"
        except ValidationError as error:
            return "refused" if "email" in error.message_dict else repr(error)
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(8)))

    assert sorted(results) == ["ok"] + ["refused"] * 7
    assert Letter.objects.count() == 1
