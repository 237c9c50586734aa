"""A constituent writes to their own MP on a phone, checks the letter, confirms it from the
emailed link; a real worker sends it to the MP's mailbox once, and a copy to the writer."""

import time

import pytest

from tests.factories import (
    ConstituencyFactory,
    LetterCampaignFactory,
    PostcodeFallbackFactory,
    RepresentativeFactory,
)
from tests.harness.smtp import body_text, links_in

pytestmark = [pytest.mark.browser, pytest.mark.smtp, pytest.mark.celery_worker]

PARAGRAPHS = [
    "I have lived in Testford Central for twenty years and I have never written to an MP.",
    "The bus to the hospital now runs twice a day. Please nominate, so members can choose.",
]


def _messages_to(smtp_sink, address):
    return [m for m in smtp_sink.messages if address in m["X-Envelope-To"].lower()]


def _wait_for_copy(smtp_sink, address, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        copies = [
            m for m in _messages_to(smtp_sink, address) if m["Subject"].startswith("Your letter")
        ]
        if copies:
            return copies
        time.sleep(0.1)
    raise AssertionError(f"no copy of the letter reached {address} within {timeout} s")


def test_write_check_send_and_confirm_delivers_one_letter_to_the_mp(
    page, live_server, smtp_sink, celery_worker, settings
):
    settings.SITE_URL = live_server.url
    settings.LETTER_FROM_EMAIL = "letters@groundswell.example"
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"  # never the internet
    seat = ConstituencyFactory(ons_code="E14000001", name="Testford Central")
    PostcodeFallbackFactory(
        code="ZA1 1AA", constituency_code=seat.ons_code, constituency_name=seat.name
    )
    mp = RepresentativeFactory(
        constituency=seat,
        name="Ms Jane Member",
        address_as="Ms Member",
        email="jane.member@mp.example",
    )
    letter_campaign = LetterCampaignFactory(title="Ask your MP to nominate")

    page.goto(f"/letters/{letter_campaign.slug}/")
    page.get_by_label("Your postcode").fill("za1 1aa")
    page.get_by_role("button", name="Find my MP").click()
    page.get_by_role("heading", name="Your MP", exact=True).wait_for()
    assert page.get_by_text("Ms Jane Member").is_visible()

    page.get_by_label("Your name").fill("Jo Bloggs")
    page.get_by_label("Your email address").fill("jo@example.org")
    page.get_by_label("Your postal address").fill("1 High Street\nTestford")
    page.get_by_label("Subject").fill("Please nominate the candidate")
    page.get_by_label("Your letter", exact=True).fill("\n\n".join(PARAGRAPHS))
    page.get_by_role("button", name="Check your letter").click()

    page.get_by_role("heading", name="Check your letter").wait_for()
    shown = page.locator(".letter-text").inner_text()
    assert shown.startswith("Dear Ms Member,\n\n" + PARAGRAPHS[0] + "\n\n" + PARAGRAPHS[1])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Send my letter").click()
    page.get_by_role("heading", name="One more step: check your email").wait_for()

    confirmation = smtp_sink.wait_for(to="jo@example.org")
    link = next(url for url in links_in(confirmation) if "/letters/confirm/" in url)
    page.goto(link)
    page.get_by_role("heading", name="Your letter is on its way to Ms Jane Member").wait_for()

    [copy] = _wait_for_copy(smtp_sink, "jo@example.org")
    [letter] = _messages_to(smtp_sink, mp.email)  # exactly one, sent by the worker
    assert letter["Reply-To"] == "Jo Bloggs <jo@example.org>"
    assert letter["From"] == "Jo Bloggs <letters@groundswell.example>"
    assert letter["Subject"] == "Please nominate the candidate"
    text = body_text(letter).replace("\r\n", "\n")  # as sent over SMTP: CRLF
    assert "\n\n".join(PARAGRAPHS) in text and "1 High Street\nTestford\nZA1 1AA" in text
    assert "\n\n".join(PARAGRAPHS) in body_text(copy).replace("\r\n", "\n")
    assert len(_messages_to(smtp_sink, mp.email)) == 1
