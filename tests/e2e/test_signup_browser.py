"""A new volunteer signs up in a real browser, verifies by the emailed link, and is in."""

import pytest

from tests.harness.smtp import links_in
from volunteers.models import Supporter

pytestmark = [pytest.mark.browser, pytest.mark.smtp]


def test_volunteer_signs_up_verifies_by_email_and_is_signed_in(page, smtp_sink):
    page.goto("/")
    page.get_by_role("link", name="Volunteer").click()
    page.get_by_label("Email").fill("new.volunteer@example.org")
    page.get_by_label("Password:", exact=True).fill("a long and unusual passphrase 42")
    page.get_by_label("Password (again):", exact=True).fill("a long and unusual passphrase 42")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()

    message = smtp_sink.wait_for(to="new.volunteer@example.org")
    link = next(url for url in links_in(message) if "/accounts/confirm-email/" in url)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.get_by_text("Signed in as new.volunteer@example.org", exact=True).wait_for()
    assert page.viewport_size["width"] == 360
    assert Supporter.objects.get(email="new.volunteer@example.org").user is not None
