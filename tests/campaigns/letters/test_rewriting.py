"""A letter held as too like others (issue #16, part 3): "its writer is asked to make it
their own". The writer is emailed a link; a rewrite in their own words is screened again
and sent; one still a near-copy, or bad input, changes nothing."""

import html
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from campaigns.letters import services, similarity
from campaigns.letters.models import Letter, LetterBand
from tests.campaigns.letters.helpers import LETTER_A, LETTER_B, committed, outbox_to, write

REWRITTEN = """I grew up on the Hill estate and now teach year six at the primary on Mill
Lane. My class asked me last week who decides who can be leader, and I could not give
them a straight answer. I would like to tell them that our MP let the members choose.
Please put the candidate's name forward, and tell me what you decide."""


@pytest.fixture
def held(seats, letter_campaign):
    write(letter_campaign, 1, body=LETTER_A)
    mail.outbox.clear()
    letter = write(letter_campaign, 2, body=LETTER_A.replace("Testford", "Testbury"))
    assert letter.state == Letter.State.HELD_FOR_REVIEW
    assert letter.hold_reason == Letter.HoldReason.SIMILAR
    return letter


def _link(letter) -> str:
    [message] = outbox_to(letter.writer_email)
    return re.search(r"https?://[^/\s]+(/letters/rewrite/\S+/)", message.body).group(1)


def _token(letter) -> str:
    return _link(letter).split("/")[-2]


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_writer_of_a_held_letter_is_emailed_a_link_to_make_it_their_own(held):
    [message] = mail.outbox

    assert message.to == ["writer2@example.org"]
    assert message.subject == "Make your letter to Ms MP 1 your own"
    assert services.rewrite_link(held) in message.body


def test_a_rewrite_in_their_own_words_is_sent_to_the_mp_once(held, seats):
    token = _token(held)
    mail.outbox.clear()

    with committed():
        letter = services.letter_rewrite(token=token, subject="From a teacher", body=REWRITTEN)

    letter.refresh_from_db()
    assert letter.state == Letter.State.SENT and letter.confirmed_at is not None
    assert letter.hold_reason == "" and letter.body == REWRITTEN.strip()
    assert letter.subject == "From a teacher" and letter.similarity < 0.6
    [to_mp] = outbox_to(seats["ZA1 1AA"].email)
    assert "the primary on Mill" in to_mp.body and "Testbury" not in to_mp.body
    # The link does not work twice, and its letter's bands are the new text's.
    with pytest.raises(services.RewriteInvalid):
        services.letter_rewrite(token=token, subject="Again", body=LETTER_B)
    assert len(outbox_to(seats["ZA1 1AA"].email)) == 1
    stored = set(LetterBand.objects.filter(letter=letter).values_list("band", "value"))
    assert stored == set(similarity.bands(similarity.signature(REWRITTEN.strip())))


def test_a_one_word_edit_is_still_held_and_changes_nothing(held, seats):
    before = Letter.objects.values().get(pk=held.pk)
    bands = sorted(LetterBand.objects.filter(letter=held).values_list("band", "value"))

    with pytest.raises(ValidationError) as refused:
        services.letter_rewrite(
            token=_token(held), subject="Hi", body=LETTER_A.replace("Testford", "Testborough")
        )

    assert "still reads very like another letter" in refused.value.message_dict["body"][0]
    assert Letter.objects.values().get(pk=held.pk) == before
    assert sorted(LetterBand.objects.filter(letter=held).values_list("band", "value")) == bands
    assert outbox_to(seats["ZA1 1AA"].email) == []


@pytest.mark.parametrize(
    "subject, body, field",
    [
        ("Hello\nBcc: everyone@example.org", REWRITTEN, "subject"),
        ("Hello", "   ", "body"),
        ("Hello", "x" * 10_001, "body"),
    ],
)
def test_bad_input_is_a_field_error_and_changes_nothing(held, subject, body, field):
    before = Letter.objects.values().get(pk=held.pk)

    with pytest.raises(ValidationError) as refused:
        services.letter_rewrite(token=_token(held), subject=subject, body=body)

    assert field in refused.value.message_dict
    assert Letter.objects.values().get(pk=held.pk) == before


def test_a_letter_an_organiser_has_released_or_rejected_is_not_rewritten(held):
    token = _token(held)
    services.letter_reject(letter_id=held.pk, reason="Copied from a leaflet.")

    with pytest.raises(services.RewriteInvalid) as refused:
        services.letter_rewrite(token=token, subject="Mine", body=REWRITTEN)

    assert "no longer waiting to be rewritten" in refused.value.messages[0]
    held.refresh_from_db()
    assert held.state == Letter.State.FAILED and held.body != REWRITTEN.strip()


def test_a_letter_held_for_another_reason_gets_no_link(seats, letter_campaign, settings):
    settings.LETTER_RATE_LIMITS = {**settings.LETTER_RATE_LIMITS, "ip_burst": (0, 60)}

    letter = write(letter_campaign, 1, ip="203.0.113.9")

    assert letter.hold_reason == Letter.HoldReason.RATE_LIMIT
    assert mail.outbox == []
    with pytest.raises(services.RewriteInvalid):
        services.letter_for_rewrite(token=services.rewrite_token(letter))


def test_a_forged_or_foreign_token_is_refused(held):
    with pytest.raises(services.RewriteInvalid):
        services.letter_rewrite(token="nope", subject="Mine", body=REWRITTEN)
    with pytest.raises(services.RewriteInvalid):  # a confirmation token is not a rewrite one
        services.letter_rewrite(
            token=services.confirmation_token(held), subject="Mine", body=REWRITTEN
        )


def test_the_page_shows_the_letter_and_sends_the_rewrite(held, seats, client):
    link = _link(held)

    page = client.get(link)
    assert page.status_code == 200
    text = _text(page)
    assert "Make your letter to Ms MP 1 your own" in text and "Testbury" in text
    assert "<script>" not in text

    with committed():
        bad = client.post(link, {"subject": "Mine", "body": LETTER_A})
    assert bad.status_code == 400 and "still reads very like another letter" in _text(bad)

    with committed():
        sent = client.post(link, {"subject": "Mine", "body": REWRITTEN})
    assert sent.status_code == 200
    assert "Your letter is on its way to Ms MP 1" in _text(sent)
    assert len(outbox_to(seats["ZA1 1AA"].email)) == 1

    gone = client.get(link)
    assert gone.status_code == 400 and "no longer waiting" in _text(gone)
