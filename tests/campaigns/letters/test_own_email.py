"""Sending a letter from the writer's own email (issue #16, part 4): the preview's mailto
link, and "I've sent it from my own email", which records the letter as sent by its
writer under the same checks and limits as a letter we send, and counts it (as sent, and
as pressure) only once the writer confirms it by an emailed link: nobody can record a
letter in someone else's name."""

import html
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from campaigns.letters import selectors, services
from campaigns.letters.models import Letter, LetterBand
from campaigns.pressure.models import ActionRecord
from tests.campaigns.letters.helpers import LETTER_A, LETTER_B, committed, write
from tests.factories import LetterCampaignFactory, TargetFactory
from volunteers import privacy
from volunteers.models import Supporter

LETTER = {
    "name": "Jo Bloggs",
    "email": "jo@example.org",
    "address": "1 High Street\r\nTestford",
    "subject": "Please nominate the candidate",
    "body": LETTER_B.replace("\n", "\r\n"),  # as a browser posts a textarea
    "postcode": "ZA1 1AA",
}


def sent_myself(letter_campaign, n=0, **overrides):
    values = {
        "name": f"Writer {n}",
        "email": f"writer{n}@example.org",
        "postcode": "ZA1 1AA",
        "address": f"{n} High Street\nTestford",
        "subject": "Please nominate the candidate",
        "body": LETTER_A,
    }
    values.update(overrides)
    with committed():
        return services.letter_sent_by_writer(letter_campaign=letter_campaign, **values)


def confirm_from_email(letter):
    """Follow the link in the one email its writer got, as the writer would."""
    [message] = [m for m in mail.outbox if m.to == [letter.writer_email]]
    token = re.search(r"/letters/confirm/([^/\s]+)/", message.body).group(1)
    with committed():
        return services.letter_confirm(token=token)


def _post(client, letter_campaign, step, **overrides):
    with committed():
        return client.post(
            f"/letters/{letter_campaign.slug}/", {**LETTER, **overrides, "step": step}
        )


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def target(seats, letter_campaign):
    return TargetFactory(campaign=letter_campaign.campaign, representative=seats["ZA1 1AA"])


def test_a_letter_sent_from_your_own_email_counts_once_its_writer_confirms_it(
    seats, letter_campaign, target
):
    letter = sent_myself(letter_campaign, ip="203.0.113.9")

    letter.refresh_from_db()
    assert letter.state == Letter.State.AWAITING_CONFIRMATION and letter.sent_by_writer
    assert letter.sent_at is None and ActionRecord.objects.count() == 0
    assert letter.representative == seats["ZA1 1AA"] and letter.body == LETTER_A.strip()
    # One email, to the writer, asking them to confirm; nothing to the MP, no copy.
    [message] = mail.outbox
    assert message.to == [letter.writer_email] and "Ms MP 1" in message.subject
    assert "You told us you sent a letter to Ms MP 1" in message.body

    confirm_from_email(letter)
    confirm_from_email(letter)  # followed twice: counted once

    letter.refresh_from_db()
    assert letter.state == Letter.State.SENT and letter.sent_at == letter.confirmed_at
    [record] = ActionRecord.objects.all()
    assert (record.target, record.kind, record.source, record.source_id) == (
        target,
        "letter",
        services.LETTER_SOURCE,
        letter.pk,
    )
    assert record.occurred_at == letter.sent_at
    assert record.supporter_id == letter.supporter_id
    assert len(mail.outbox) == 1  # we sent nothing to the MP, and no copy
    assert services.letter_send(letter_id=letter.pk) is False  # and never will
    assert selectors.letters_sent_per_target(
        campaign=letter_campaign.campaign, target_ids=[target.pk]
    ) == {target.pk: 1}


def test_a_letter_recorded_in_someone_elses_name_counts_for_nothing_and_expires(
    seats, letter_campaign, target, settings
):
    forged = sent_myself(letter_campaign, 1, email="victim@example.org")

    assert (
        selectors.letters_sent_per_target(campaign=letter_campaign.campaign, target_ids=[target.pk])
        == {}
    )
    too_old = timezone.now() - timedelta(seconds=settings.LETTER_CONFIRMATION_MAX_AGE + 1)
    Letter.objects.filter(pk=forged.pk).update(created_at=too_old, awaiting_since=too_old)
    assert services.letters_expire() == 1

    # The address's owner can then write to that MP themselves.
    own = write(letter_campaign, 1, email="victim@example.org", body=LETTER_B)
    assert own.state == Letter.State.AWAITING_CONFIRMATION
    assert ActionRecord.objects.count() == 0


@pytest.mark.parametrize("first", ["sent_myself", "sent_by_us"])
def test_a_second_letter_to_the_same_mp_is_refused(seats, letter_campaign, target, first):
    if first == "sent_myself":
        sent_myself(letter_campaign, 1)
    else:
        write(letter_campaign, 1)

    with pytest.raises(ValidationError) as refused:
        sent_myself(letter_campaign, 1, body=LETTER_B)

    assert "already written to Ms MP 1" in refused.value.message_dict["email"][0]
    assert Letter.objects.count() == 1
    assert ActionRecord.objects.count() == 0  # neither is confirmed yet
    # Another writer, or the same writer to another MP, is not refused.
    assert sent_myself(letter_campaign, 2, body=LETTER_B).pk
    assert sent_myself(letter_campaign, 1, postcode="ZA2 1AA").pk


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"postcode": "ZA9 9ZZ"}, "postcode"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"name": "Jo\r\nBcc: everyone@example.org"}, "name"),
        ({"subject": "Hello\nBcc: everyone@example.org"}, "subject"),
        ({"email": "not-an-email"}, "email"),
        ({"address": ""}, "address"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(seats, letter_campaign, target, overrides, field):
    with pytest.raises(ValidationError) as refused:
        sent_myself(letter_campaign, **overrides)

    assert field in refused.value.message_dict
    assert Letter.objects.count() == 0 and LetterBand.objects.count() == 0
    assert ActionRecord.objects.count() == 0 and Supporter.objects.count() == 0


def test_a_closed_campaign_or_an_mp_without_email_records_nothing(seats, letter_campaign):
    closed = LetterCampaignFactory(campaign=letter_campaign.campaign, state="closed")
    with pytest.raises(ValidationError) as refused:
        sent_myself(closed)
    assert "closed" in refused.value.message_dict[NON_FIELD_ERRORS][0]

    seats["ZA1 1AA"].email = ""
    seats["ZA1 1AA"].save()
    with pytest.raises(ValidationError) as refused:
        sent_myself(letter_campaign)
    assert "press Send instead" in refused.value.message_dict[NON_FIELD_ERRORS][0]

    assert Letter.objects.count() == 0 and ActionRecord.objects.count() == 0


def test_past_the_daily_cap_it_is_refused_like_any_letter(seats, letter_campaign, target, settings):
    settings.LETTER_DAILY_CAP_PER_MP = 2
    write(letter_campaign, 0)
    sent_myself(letter_campaign, 1, body=LETTER_B)

    with pytest.raises(ValidationError) as refused:
        sent_myself(letter_campaign, 2, body="My own words about the hospital bus.")

    assert "tomorrow" in refused.value.message_dict[NON_FIELD_ERRORS][0]
    assert Letter.objects.count() == 2


def test_a_near_copy_is_recorded_as_sent_but_is_not_pressure(seats, letter_campaign, target):
    earlier = write(letter_campaign, 1, body=LETTER_A)

    copy = sent_myself(letter_campaign, 2, body=LETTER_A.replace("Testford", "Testbury"))
    confirm_from_email(copy)

    copy.refresh_from_db()
    assert copy.state == Letter.State.SENT and copy.sent_by_writer
    assert copy.hold_reason == Letter.HoldReason.SIMILAR
    assert copy.similar_to_id == earlier.pk and copy.similarity >= 0.8
    assert ActionRecord.objects.count() == 0
    assert (
        selectors.letters_sent_per_target(campaign=letter_campaign.campaign, target_ids=[target.pk])
        == {}
    )
    # Its bands are stored: a later copy of it is found too.
    assert copy.bands.count() > 0


def test_the_privacy_export_says_which_letters_you_sent_yourself(seats, letter_campaign):
    sent_myself(letter_campaign, 1, email="jo@example.org")
    write(letter_campaign, 1, email="jo@example.org", postcode="ZA2 1AA", body=LETTER_B)

    export = privacy.supporter_export(supporter=Supporter.objects.get(email="jo@example.org"))

    flags = [(x["to"], x["sent_from_your_own_email"]) for x in export["letters"]["letters"]]
    assert flags == [("Ms MP 1", True), ("Ms MP 2", False)]


def test_the_preview_offers_the_mailto_link_url_encoded_and_the_ive_sent_it_button(
    seats, letter_campaign, client
):
    body = "Rents & bills up 30% #Testford?\r\nWhat next + when?"
    page = _text(_post(client, letter_campaign, "preview", subject="Vote & nominate?", body=body))

    [link] = re.findall(r'href="(mailto:[^"]+)"', page)
    address, _, query = link.removeprefix("mailto:").partition("?")
    assert unquote(address) == seats["ZA1 1AA"].email
    subject, _, encoded_body = query.partition("&")
    assert subject == "subject=Vote%20%26%20nominate%3F"
    assert encoded_body.startswith("body=")
    encoded_body = encoded_body.removeprefix("body=")
    assert not set(encoded_body) & set(" \n&#?+=")  # every special character escaped
    assert unquote(encoded_body) == (
        "Dear Ms MP1,\n\nRents & bills up 30% #Testford?\nWhat next + when?\n\n"
        "Yours sincerely,\n\nJo Bloggs\n1 High Street\nTestford\nZA1 1AA\n"
    )
    button = re.search(
        r'<form[^>]*>((?:(?!</form>).)*value="sent_myself"(?:(?!</form>).)*)</form>', page, re.S
    )
    assert button is not None and "I've sent it from my own email" in button.group(1)
    for name in ("name", "email", "address", "subject", "body", "postcode", "csrfmiddlewaretoken"):
        assert f'name="{name}"' in button.group(1)  # the letter travels with the button
    assert "<script>" not in page
    assert Letter.objects.count() == 0


def test_no_mailto_link_or_button_for_an_mp_without_an_email_address(
    seats, letter_campaign, client
):
    seats["ZA1 1AA"].email = ""
    seats["ZA1 1AA"].save()

    page = _text(_post(client, letter_campaign, "preview"))

    assert "mailto:" not in page and "sent_myself" not in page
    assert 'value="send"' in page


def test_the_ive_sent_it_button_records_the_letter_and_asks_to_confirm_it(
    seats, letter_campaign, target, client
):
    response = _post(client, letter_campaign, "sent_myself")

    assert response.status_code == 302
    assert response["Location"] == f"/letters/{letter_campaign.slug}/sent-from-your-email/"
    letter = Letter.objects.get()
    assert letter.sent_by_writer and letter.state == Letter.State.AWAITING_CONFIRMATION
    assert letter.writer_email == "jo@example.org" and letter.body == LETTER_B.strip()
    assert letter.writer_address == "1 High Street\nTestford"
    assert ActionRecord.objects.count() == 0
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    page = _text(thanks)
    assert "Check your email to count your letter" in page and "own email" in page
    assert "<script>" not in page

    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/letters/confirm/\S+/)", message.body).group(1)
    with committed():
        counted = client.get(link)
    assert counted.status_code == 200
    assert "Your letter to Ms MP 1 is counted" in _text(counted)
    assert ActionRecord.objects.get().source_id == letter.pk


def test_what_the_service_refuses_comes_back_on_the_form_like_send(
    seats, letter_campaign, target, client
):
    _post(client, letter_campaign, "send")

    again = _post(client, letter_campaign, "sent_myself")
    bad = _post(client, letter_campaign, "sent_myself", email="sam@example.org", subject="A\rB")

    assert again.status_code == 400 and "already written to Ms MP 1" in _text(again)
    assert bad.status_code == 400 and "Your subject must be on one line." in _text(bad)
    assert 'name="body"' in _text(bad)  # back on the writing form, letter kept
    assert Letter.objects.count() == 1 and not Letter.objects.get().sent_by_writer
    assert ActionRecord.objects.count() == 0
