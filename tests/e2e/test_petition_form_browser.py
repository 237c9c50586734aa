"""The petition's sign form on a 360 px phone: a failed submit lands on the error summary,
and every input is bounded by what the server accepts (the column its value is stored in)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.petitions.forms import SignForm
from campaigns.petitions.models import Signature
from tests.factories import PetitionFactory
from tests.harness.browser import PHONE
from volunteers.places import MAX_INPUT_LENGTH

# A petition long enough that its form starts well below the first screen of a phone.
LONG_TEXT = "\n\n".join(
    f"Paragraph {n}: we call on our MPs to put the candidate on the ballot, because the "
    "members asked for it and the rules allow it."
    for n in range(30)
)
# The server's limit for each input: the column it is stored in, except the postcode,
# which is read as typed (any case and spacing) and stored in its canonical 8 characters.
LIMITS = {
    "name": Signature._meta.get_field("name").max_length,
    "email": Signature._meta.get_field("email").max_length,
    "postcode": MAX_INPUT_LENGTH,
}


def csp_violations(page) -> list[str]:
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def submit_with_errors(page, petition):
    page.goto(f"/petitions/{petition.slug}/")
    page.get_by_label("Your email address").fill("jo@example.org")
    page.get_by_label("Your postcode").fill("12345")
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_load_state()


def assert_lands_on_the_summary(page):
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    box = summary.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert page.evaluate("window.scrollY") > PHONE["height"]  # not the top of the page


@pytest.mark.browser
def test_a_failed_submit_lands_on_the_error_summary(page):
    violations = csp_violations(page)
    petition = PetitionFactory(text=LONG_TEXT)

    submit_with_errors(page, petition)

    assert_lands_on_the_summary(page)
    assert page.title().startswith("Error: ")
    summary = page.locator("[data-error-summary]")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert summary.get_by_role("link").all_inner_texts() == [
        "Enter your name.",
        "That is not a UK postcode. Please check it and try again, e.g. SW1A 1AA.",
    ]
    name = page.get_by_label("Your name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(re.compile("Enter your name"))
    summary.get_by_role("link", name="Enter your name.").click()
    expect(name).to_be_focused()
    label = page.locator("label[for=id_name]").bounding_box()
    assert 0 <= label["y"] < PHONE["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations == []


@pytest.mark.browser
def test_without_script_a_failed_submit_still_lands_on_the_error_summary(browser, live_server):
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        petition = PetitionFactory(text=LONG_TEXT)

        submit_with_errors(page, petition)

        assert_lands_on_the_summary(page)
    finally:
        context.close()


@pytest.mark.browser
def test_the_inputs_maxlength_is_what_the_server_accepts(page):
    petition = PetitionFactory()

    page.goto(f"/petitions/{petition.slug}/")

    for field, limit in LIMITS.items():
        assert page.locator(f"#id_{field}").evaluate("input => input.maxLength") == limit
        page.locator(f"#id_{field}").fill("x" * (limit + 10))  # as pasting would
        assert len(page.locator(f"#id_{field}").input_value()) == limit


@pytest.mark.django_db
def test_the_form_and_its_rendered_maxlength_take_the_server_limits(client):
    petition = PetitionFactory()
    html = client.get(reverse("petitions:detail", args=[petition.slug])).content.decode()

    for field, limit in LIMITS.items():
        [tag] = re.findall(rf'<input[^>]*\sname="{field}"[^>]*>', html)
        assert re.search(r'\smaxlength="(\d+)"', tag).group(1) == str(limit), tag
        assert SignForm.base_fields[field].max_length == limit
    hidden = {"source": "source", "ref": "referred_by"}
    for field, column in hidden.items():
        assert SignForm.base_fields[field].max_length == (
            Signature._meta.get_field(column).max_length
        )
