"""A supporter takes part in a Twitterstorm on a phone, with time travelled by moving the
storm: before it (the countdown, a pledge confirmed from the emailed link), during it (the
hand-out, their own words, and a compose button whose address holds their text, the
hashtag and the target's handle), and after it (reporting that they posted)."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.storms import services
from campaigns.storms.models import Report, Twitterstorm
from tests.factories import AngleFactory, StormFactory, StormTargetFactory, UserFactory
from tests.harness.smtp import links_in

pytestmark = [pytest.mark.browser, pytest.mark.smtp]

OWN_WORDS = "Nurse at Testford General for 11 years: members deserve a real choice"


def _travel(storm, *, started: timedelta, lasts=timedelta(hours=1)):
    """Move the storm so that it started `started` ago (negative: starts in that long)."""
    storm = Twitterstorm.objects.get(pk=storm.pk)
    storm.starts_at = timezone.now() - started
    storm.ends_at = storm.starts_at + lasts
    storm.save()  # as the admin saves it


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_pledge_post_in_your_own_words_and_report(page, live_server, smtp_sink, settings):
    settings.SITE_URL = live_server.url
    storm = StormFactory(title="Let members choose", hashtag="LetMembersChoose")
    AngleFactory(storm=storm, prompt="What the NHS means to you", starter="The NHS saved me.")
    StormTargetFactory(storm=storm, target__representative__x_handle="JaneMemberMP")
    url = f"/storms/{storm.slug}/"
    other, _ = services.pledge_by_account(storm=storm, user=UserFactory())  # someone else

    # Before: the countdown, and a pledge by email.
    page.goto(url)
    page.get_by_role("heading", name="Starts in").wait_for()
    assert "hour" in page.locator("[data-countdown]").inner_text()
    page.get_by_label("Your email address").fill("jo@example.org")
    page.get_by_role("button", name="I'll take part").click()
    page.get_by_text("Check your email and follow the link").wait_for()
    _fits_the_phone(page)
    confirmation = smtp_sink.wait_for(to="jo@example.org")
    page.goto(next(u for u in links_in(confirmation) if "/storms/confirm/" in u))
    page.get_by_role("heading", name="Your pledge is confirmed").wait_for()

    # During: the hand-out, the supporter's own words, and the compose button.
    _travel(storm, started=timedelta(minutes=5))
    page.goto(url)
    page.get_by_role("heading", name="It's on now").wait_for()
    assert page.get_by_text("What the NHS means to you").is_visible()
    post = page.get_by_label("Your post", exact=True)
    assert post.input_value() == "The NHS saved me."
    post.fill(OWN_WORDS)
    page.get_by_role("button", name="Check my post").click()
    page.get_by_role("heading", name="Post it from your own account").wait_for()
    assert page.get_by_text("still the starter").count() == 0
    href = page.get_by_role("link", name="Post on X").get_attribute("href")
    assert href.startswith("https://x.com/intent/post?")
    text = parse_qs(urlsplit(href).query)["text"][0]
    assert text == f"@JaneMemberMP {OWN_WORDS} #LetMembersChoose"
    _fits_the_phone(page)

    # After: "I took part", counted once.
    _travel(storm, started=timedelta(hours=2))
    page.goto(url)
    page.get_by_role("heading", name="How it went").wait_for()
    page.get_by_label("Where did you post? (optional)").select_option("x")
    page.get_by_label("Your post's address (optional)").fill("https://x.com/jo/status/1")
    page.get_by_role("button", name="I posted").click()
    page.get_by_text("Thank you for taking part").wait_for()
    assert page.locator('[data-storm-count="reported"]').inner_text() == "1"
    _fits_the_phone(page)
    report = Report.objects.get()
    assert (report.network, report.post_url) == ("x", "https://x.com/jo/status/1")

    # Someone else reports: the count on this page moves without a reload.
    services.report_post(storm=Twitterstorm.objects.get(pk=storm.pk), pledge=other)
    expect(page.locator('[data-storm-count="reported"]')).to_have_text("2", timeout=15_000)
