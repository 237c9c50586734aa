"""The letter page, step by step with the test client: postcode, your MP, the letter,
"Check your letter", Send; the confirmation link; the tally page's link to it."""

import html
import re
from urllib.parse import quote

import pytest
from django.core import mail

from campaigns.letters.models import BODY_MAX, Letter
from campaigns.targets.models import TargetStatus
from tests.campaigns.letters.helpers import LETTER_A, LETTER_B, committed, outbox_to, write
from tests.factories import CampaignFactory, LetterCampaignFactory, TargetFactory

LETTER = {
    "name": "Jo Bloggs",
    "email": "jo@example.org",
    "address": "1 High Street\r\nTestford",
    "subject": "Please nominate the candidate",
    "body": LETTER_B.replace("\n", "\r\n"),  # as a browser posts a textarea
    "postcode": "ZA1 1AA",
}


def _url(letter_campaign):
    return f"/letters/{letter_campaign.slug}/"


def _post(client, letter_campaign, step, **overrides):
    with committed():
        return client.post(_url(letter_campaign), {**LETTER, **overrides, "step": step})


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_first_step_asks_only_for_the_postcode(seats, letter_campaign, client):
    response = client.get(_url(letter_campaign))

    assert response.status_code == 200
    page = _text(response)
    assert 'name="postcode"' in page and 'method="get"' in page
    assert "Ms MP 1" not in page and 'name="body"' not in page


def test_postcode_shows_your_mp_where_they_stand_and_the_form(seats, letter_campaign, client):
    mp = seats["ZA2 1AA"]
    TargetFactory(campaign=letter_campaign.campaign, representative=mp, status="undecided")

    response = client.get(_url(letter_campaign), {"postcode": "za2 1aa"})

    assert response.status_code == 200
    page = _text(response)
    assert "Ms MP 2" in page and mp.party.name in page and "Testford 2" in page
    assert "Where they stand:" in page and "Undecided" in page
    assert "Say why this matters to you, in your own words." in page  # guidance
    assert "<li>Why it matters where you live</li>" in page  # a talking point, as a list
    assert 'placeholder="Please nominate the candidate"' in page
    assert f'maxlength="{BODY_MAX}"' in page and 'maxlength="100"' in page  # from the columns
    assert 'name="postcode" value="za2 1aa"' in page  # carried to the next step
    assert "<script>" not in page  # the CSP forbids inline script


def test_your_mp_photo_shows_from_parliament_and_from_nowhere_else(seats, letter_campaign, client):
    photo = "https://members-api.parliament.uk/api/Members/4514/Thumbnail"
    seats["ZA1 1AA"].photo_url = photo
    seats["ZA1 1AA"].save()
    seats["ZA2 1AA"].photo_url = "https://tracker.example.com/members-api.parliament.uk/1.jpg"
    seats["ZA2 1AA"].save()

    shown = client.get(_url(letter_campaign), {"postcode": "ZA1 1AA"})
    other = _text(client.get(_url(letter_campaign), {"postcode": "ZA2 1AA"}))

    [img] = re.findall(r"<img [^>]*>", _text(shown))
    assert f'src="{photo}"' in img and 'referrerpolicy="no-referrer"' in img
    assert "https://members-api.parliament.uk" in shown["Content-Security-Policy"]
    assert "tracker.example.com" not in other and "<img " not in other


def test_mp_not_on_the_tally_is_shown_without_a_status(seats, letter_campaign, client):
    response = client.get(_url(letter_campaign), {"postcode": "ZA1 1AA"})

    assert response.status_code == 200
    page = re.sub(r"<[^>]+>", "", _text(response))
    assert "Where they stand: not on the campaign's tally" in " ".join(page.split())


@pytest.mark.parametrize(
    "postcode, message",
    [("hello", "not a UK postcode"), ("ZA9 9ZZ", "postcode"), ("", "Enter your postcode.")],
)
def test_bad_postcode_is_refused_on_the_postcode_step(
    seats, letter_campaign, client, postcode, message
):
    response = client.get(_url(letter_campaign), {"postcode": postcode})

    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page and message in page
    assert 'name="body"' not in page


def test_mp_at_a_goal_status_gets_the_thank_you_wording(seats, letter_campaign, client):
    TargetFactory(
        campaign=letter_campaign.campaign, representative=seats["ZA1 1AA"], status="nominated"
    )

    page = _text(client.get(_url(letter_campaign), {"postcode": "ZA1 1AA"}))

    assert "Write to thank them" in page and "Write your thank-you" in page


def test_mp_not_at_a_goal_status_gets_no_thank_you(seats, letter_campaign, client):
    TargetFactory(
        campaign=letter_campaign.campaign, representative=seats["ZA1 1AA"], status="pledged"
    )

    page = _text(client.get(_url(letter_campaign), {"postcode": "ZA1 1AA"}))

    assert "thank" not in page.lower() and "Write your letter" in page


def test_form_errors_show_the_summary_and_keep_nothing(seats, letter_campaign, client):
    response = _post(client, letter_campaign, "preview", body="   ", name="", email="nope")

    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page
    assert "Write your letter: in your own words, to your MP." in page
    assert "Enter your name." in page and "Enter a valid email address." in page
    assert "Check your letter</h2>" not in page
    assert Letter.objects.count() == 0 and mail.outbox == []


def test_what_the_service_refuses_on_send_comes_back_to_the_form(seats, letter_campaign, client):
    response = _post(client, letter_campaign, "send", subject="Line one\rline two")

    assert response.status_code == 400
    assert "Your subject must be on one line." in _text(response)
    assert Letter.objects.count() == 0 and mail.outbox == []


def test_preview_shows_exactly_what_will_be_sent_and_stores_nothing(
    seats, letter_campaign, client, settings
):
    response = _post(client, letter_campaign, "preview", body="<b>Hello</b>\r\n\r\nThanks")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Check your letter" in page
    assert "&lt;b&gt;Hello&lt;/b&gt;" in page and "<b>Hello</b>" not in page  # never rendered
    text = html.unescape(page)
    expected = (
        "Dear Ms MP1,\n\n<b>Hello</b>\n\nThanks\n\n"
        "Yours sincerely,\n\nJo Bloggs\n1 High Street\nTestford\nZA1 1AA\n"
    )
    assert expected in text
    assert f"Jo Bloggs <{settings.LETTER_FROM_EMAIL}>" in text
    assert 'value="send"' in page and 'value="edit"' in page
    assert Letter.objects.count() == 0 and mail.outbox == []


def test_preview_offers_a_mailto_link_with_subject_and_body_filled_in(
    seats, letter_campaign, client
):
    page = _text(_post(client, letter_campaign, "preview", subject="Vote & nominate?"))

    [link] = re.findall(r'href="(mailto:[^"]+)"', page)
    address = seats["ZA1 1AA"].email
    assert link.startswith(f"mailto:{address}?subject={quote('Vote & nominate?', safe='')}&body=")
    body = link.split("&body=", 1)[1]
    assert " " not in body and "\n" not in body and "&" not in body  # URL-encoded
    assert quote("Dear Ms MP1,\n\n", safe="") in body
    assert "Groundswell" not in body  # the delivery footer is only for letters we send


def test_edit_goes_back_to_the_form_with_the_letter(seats, letter_campaign, client):
    response = _post(client, letter_campaign, "edit")

    assert response.status_code == 200
    page = _text(response)
    assert "Write your letter" in page and "I am asking you to put the candidate" in page
    assert 'value="Jo Bloggs"' in page
    assert Letter.objects.count() == 0


def test_send_stores_one_letter_awaiting_confirmation_and_emails_the_link(
    seats, letter_campaign, client
):
    response = _post(client, letter_campaign, "send")

    assert response.status_code == 302
    assert response["Location"] == f"/letters/{letter_campaign.slug}/check-your-email/"
    letter = Letter.objects.get()
    assert letter.state == Letter.State.AWAITING_CONFIRMATION
    assert letter.representative == seats["ZA1 1AA"]
    assert letter.body == LETTER_B.strip() and letter.writer_address == "1 High Street\nTestford"
    [message] = outbox_to("jo@example.org")
    assert "/letters/confirm/" in message.body
    assert "check your email" in _text(client.get(response["Location"])).lower()


def test_a_copied_letter_is_held_and_the_writer_asked_for_their_own_words(
    seats, letter_campaign, client
):
    write(letter_campaign, body=LETTER_A)
    mail.outbox.clear()

    response = _post(client, letter_campaign, "send", body=LETTER_A)

    assert response["Location"] == f"/letters/{letter_campaign.slug}/own-words/"
    assert Letter.objects.filter(state=Letter.State.HELD_FOR_REVIEW).count() == 1
    [invitation] = mail.outbox
    assert "/letters/rewrite/" in invitation.body
    page = _text(client.get(response["Location"]))
    assert "Make it your own words" in page and "We've emailed you a link" in page


def test_a_second_letter_to_the_same_mp_is_refused_on_the_form(seats, letter_campaign, client):
    _post(client, letter_campaign, "send")

    response = _post(client, letter_campaign, "send", body=LETTER_A)

    assert response.status_code == 400
    assert "already written to Ms MP 1" in _text(response)
    assert Letter.objects.count() == 1


def test_the_confirm_link_sends_the_letter_on_its_way(seats, letter_campaign, client):
    _post(client, letter_campaign, "send")
    [message] = outbox_to("jo@example.org")
    path = re.search(r"https?://[^/]+(/letters/confirm/\S+/)", message.body).group(1)
    mail.outbox.clear()

    with committed():
        response = client.get(path)

    assert response.status_code == 200
    assert "Your letter is on its way to Ms MP 1" in _text(response)
    assert Letter.objects.get().state == Letter.State.SENT
    assert len(outbox_to(seats["ZA1 1AA"].email)) == 1
    assert len(outbox_to("jo@example.org")) == 1  # the writer's copy


@pytest.mark.parametrize("token", ["not-a-real-token", "eyJhIjoxfQ:1abc:xyz"])
def test_a_broken_confirm_link_is_a_clear_400(db, client, token):
    response = client.get(f"/letters/confirm/{token}/")

    assert response.status_code == 400
    page = _text(response)
    assert "That link didn't work" in page and "not valid" in page


def test_closed_campaign_shows_it_takes_no_letters(seats, client):
    closed = LetterCampaignFactory(state="closed")

    response = client.get(_url(closed), {"postcode": "ZA1 1AA"})

    assert response.status_code == 200
    page = _text(response)
    assert "takes no more letters" in page and 'name="postcode"' not in page
    assert "Ms MP 1" not in page


def test_closed_campaign_stores_nothing_sent_to_it(seats, client):
    closed = LetterCampaignFactory(state="closed")

    response = _post(client, closed, "send")

    assert response.status_code == 400
    assert Letter.objects.count() == 0 and mail.outbox == []


def test_campaign_not_published_has_no_letter_page(seats, client):
    hidden = LetterCampaignFactory(campaign=CampaignFactory(is_published=False))

    assert client.get(_url(hidden)).status_code == 404


def test_tally_page_offers_write_to_your_mp_for_open_letter_campaigns(db, client):
    campaign = CampaignFactory()
    TargetFactory(campaign=campaign, status=TargetStatus.UNDECIDED)
    open_one = LetterCampaignFactory(campaign=campaign, title="Ask them to nominate")
    closed = LetterCampaignFactory(campaign=campaign, title="Old drive", state="closed")

    page = _text(client.get(f"/campaigns/{campaign.slug}/"))

    assert f'href="/letters/{open_one.slug}/">Write to your MP: Ask them to nominate' in page
    assert closed.slug not in page


def test_writing_step_runs_a_fixed_number_of_queries(
    seats, letter_campaign, client, django_assert_max_num_queries
):
    TargetFactory(campaign=letter_campaign.campaign, representative=seats["ZA1 1AA"])

    with django_assert_max_num_queries(6):
        response = client.get(_url(letter_campaign), {"postcode": "ZA1 1AA"})

    assert response.status_code == 200


def test_preview_runs_a_fixed_number_of_queries(
    seats, letter_campaign, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = _post(client, letter_campaign, "preview")

    assert response.status_code == 200
