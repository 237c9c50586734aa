"""Did your MP reply? (issue #16, part 5): asked once, LETTER_FOLLOW_UP_DAYS after
sending, with three signed links; answered once; reply rates per MP shown from
LETTER_REPLY_RATE_MIN_ANSWERS answers."""

import random
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.letters import services, tasks
from campaigns.letters.models import Letter
from campaigns.letters.replies import reply_rates
from tests.campaigns.letters.helpers import committed, write
from tests.factories import LetterCampaignFactory

WORDS = "bus rent school nurse housing winter beds vote street town river jobs wages".split()


def sent(letter_campaign, n=0, *, days_ago=15, postcode="ZA1 1AA", **overrides):
    rng = random.Random(2000 + n)
    body = "Dear MP, " + " ".join(rng.choice(WORDS) for _ in range(90)) + "."
    letter = write(letter_campaign, n, body=body, postcode=postcode, **overrides)
    Letter.objects.filter(pk=letter.pk).update(
        state=Letter.State.SENT, sent_at=timezone.now() - timedelta(days=days_ago)
    )
    return letter


def follow_up():
    with committed():
        return tasks.letters_follow_up()


def links(message) -> dict[str, str]:
    """{answer: token} from a follow-up email."""
    found = re.findall(r"/letters/reply/(\S+)/(yes|no|not_yet)/", message.body)
    return {answer: token for token, answer in found}


def test_two_weeks_after_sending_the_writer_is_asked_once_with_three_links(seats, letter_campaign):
    letter = sent(letter_campaign, email="jo@example.org", days_ago=14.1)
    sent(letter_campaign, 1, days_ago=13)
    mail.outbox.clear()

    follow_up()
    follow_up()
    assert services.letter_follow_up_send(letter_id=letter.pk) is False  # the task twice

    [asked] = mail.outbox
    assert asked.to == ["jo@example.org"] and asked.subject == "Did Ms MP 1 reply to your letter?"
    assert sorted(links(asked)) == ["no", "not_yet", "yes"]
    assert "http://" in asked.body and "/letters/reply/" in asked.body
    assert Letter.objects.get(pk=letter.pk).follow_up_sent_at is not None


def test_letters_not_sent_or_of_erased_writers_are_not_followed_up(seats, letter_campaign):
    bounced = sent(letter_campaign, 0, days_ago=20)
    Letter.objects.filter(pk=bounced.pk).update(state=Letter.State.BOUNCED)
    erased = sent(letter_campaign, 1, days_ago=20)
    Letter.objects.filter(pk=erased.pk).update(supporter=None)
    mail.outbox.clear()

    assert follow_up() == 0
    assert mail.outbox == []


def answer(letter, reply):
    return services.letter_reply_record(token=services.reply_token(letter), answer=reply)


def test_the_answer_is_recorded_once_and_not_yet_may_be_replaced(seats, letter_campaign):
    letter = sent(letter_campaign)
    mail.outbox.clear()
    follow_up()
    tokens = links(mail.outbox[0])

    first = services.letter_reply_record(token=tokens["not_yet"], answer="not_yet")
    second = services.letter_reply_record(token=tokens["yes"], answer="yes")
    third = services.letter_reply_record(token=tokens["no"], answer="no")

    assert (first.reply, second.reply, third.reply) == ("not_yet", "yes", "yes")
    letter.refresh_from_db()
    assert letter.reply == Letter.Reply.YES and letter.replied_at


@pytest.mark.parametrize(
    ("token_change", "reply", "field"),
    [
        (lambda t: t, "maybe", "answer"),
        (lambda t: t + "x", "yes", "token"),
        (lambda t: "nonsense", "yes", "token"),
    ],
)
def test_a_bad_answer_or_link_is_refused(seats, letter_campaign, token_change, reply, field):
    letter = sent(letter_campaign)

    with pytest.raises(ValidationError) as refused:
        services.letter_reply_record(token=token_change(services.reply_token(letter)), answer=reply)

    assert field in refused.value.message_dict
    assert Letter.objects.get(pk=letter.pk).reply == ""


def test_a_letter_that_was_not_delivered_takes_no_answer(seats, letter_campaign):
    letter = write(letter_campaign)  # awaiting confirmation

    with pytest.raises(ValidationError) as refused:
        answer(letter, "yes")

    assert "token" in refused.value.message_dict


def test_a_confirmation_link_is_not_a_reply_link(seats, letter_campaign):
    letter = sent(letter_campaign)

    with pytest.raises(ValidationError):
        services.letter_reply_record(token=services.confirmation_token(letter), answer="yes")


def test_reply_rates_show_only_from_the_minimum_number_of_answers(
    seats, letter_campaign, settings, django_assert_num_queries
):
    settings.LETTER_REPLY_RATE_MIN_ANSWERS = 3
    one, two = seats["ZA1 1AA"], seats["ZA2 1AA"]
    for n, reply in enumerate(["yes", "yes", "no", "not_yet"]):
        answer(sent(letter_campaign, n, postcode="ZA1 1AA"), reply)
    for n, reply in enumerate(["yes", "no"], start=10):
        answer(sent(letter_campaign, n, postcode="ZA2 1AA"), reply)
    sent(letter_campaign, 20, postcode="ZA3 1AA")  # asked, no answer
    other = LetterCampaignFactory(campaign=letter_campaign.campaign)
    answer(sent(other, 30, postcode="ZA2 1AA"), "yes")

    with django_assert_num_queries(1):
        rates = reply_rates(letter_campaign=letter_campaign)

    assert set(rates) == {one.pk, two.pk}
    assert (rates[one.pk].answers, rates[one.pk].replied, rates[one.pk].not_yet) == (3, 2, 1)
    assert rates[one.pk].share == pytest.approx(2 / 3)
    assert (rates[two.pk].answers, rates[two.pk].share) == (2, None)  # below the minimum
    # The whole campaign: the other letter campaign's answer brings MP 2 to the minimum.
    whole = reply_rates(campaign=letter_campaign.campaign)
    assert (whole[two.pk].answers, whole[two.pk].share) == (3, pytest.approx(2 / 3))


def test_the_emailed_link_asks_first_and_the_button_records_the_answer(
    client, seats, letter_campaign
):
    letter = sent(letter_campaign, email="jo@example.org")
    mail.outbox.clear()
    follow_up()
    url = next(
        link for link in re.findall(r"http://\S+", mail.outbox[0].body) if link.endswith("/yes/")
    ).removeprefix("http://127.0.0.1:8000")

    opened = client.get(url)  # as a mail scanner would
    assert opened.status_code == 200
    assert Letter.objects.get(pk=letter.pk).reply == ""

    recorded = client.post(url)

    assert recorded.status_code == 200
    assert "Yes, my MP replied" in recorded.content.decode()
    assert Letter.objects.get(pk=letter.pk).reply == Letter.Reply.YES


def test_a_broken_reply_link_is_a_clear_400(client, seats, letter_campaign):
    answer_page = client.post("/letters/reply/not-a-token/yes/")
    bad_answer = client.get("/letters/reply/not-a-token/maybe/")

    assert answer_page.status_code == bad_answer.status_code == 400
    assert "not valid" in answer_page.content.decode()
