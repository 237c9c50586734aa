"""A supporter signs on a phone, confirms from the email, and watches the count go up."""

import pytest
from playwright.sync_api import expect

from campaigns.petitions.services import petition_counts_apply
from tests.factories import ConstituencyFactory, PetitionFactory, PostcodeFallbackFactory
from tests.harness.smtp import links_in

pytestmark = [pytest.mark.browser, pytest.mark.smtp]


def test_sign_confirm_by_email_and_see_the_count_rise(page, live_server, smtp_sink, settings):
    settings.SITE_URL = live_server.url
    seat = ConstituencyFactory(ons_code="E14000001", name="Testford Central")
    PostcodeFallbackFactory(
        code="ZA1 1AA", constituency_code=seat.ons_code, constituency_name=seat.name
    )
    petition = PetitionFactory(title="Put her on the ballot", goal=100)

    page.goto(f"/petitions/{petition.slug}/")
    count = page.locator(".tally-count")
    assert count.inner_text() == "0"
    page.get_by_label("Your name").fill("Jo Bloggs")
    page.get_by_label("Your email address").fill("jo@example.org")
    page.get_by_label("Your postcode").fill("za1 1aa")
    page.get_by_role("button", name="Sign the petition").click()
    page.get_by_role("heading", name="One more step: check your email").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    message = smtp_sink.wait_for(to="jo@example.org")
    link = next(url for url in links_in(message) if "/confirm/" in url)
    page.goto(link)
    page.get_by_role("heading", name="Your signature is confirmed").wait_for()
    count = page.locator(".tally-count")
    assert count.inner_text() == "0"  # counted, but not yet folded into the total

    petition_counts_apply()  # what the beat task does every couple of seconds

    expect(count).to_have_text("1", timeout=15_000)  # refreshed by the page, no reload
