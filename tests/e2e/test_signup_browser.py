"""A new volunteer signs up on a phone (360 px) with their postcode and skills, verifies by
the emailed link, and lands on their page with next actions for their own constituency."""

import pytest

from campaigns.targets.models import TargetStatus
from tests.factories import (
    ConstituencyFactory,
    EventFactory,
    LetterCampaignFactory,
    RepresentativeFactory,
    ShiftFactory,
    TargetFactory,
    sign_up_place,
)
from tests.harness.smtp import links_in
from volunteers.models import Skill, Supporter, VolunteerProfile

pytestmark = [pytest.mark.browser, pytest.mark.smtp]


@pytest.fixture
def signupton(transactional_db):
    """The sign-up postcode's constituency, its undecided MP in an open letter campaign,
    an undecided MP elsewhere in another, and a street stall nearby with places."""
    sign_up_place()
    mp = RepresentativeFactory(
        constituency=ConstituencyFactory(ons_code="E14009999", name="Signupton"),
        name="Alex Member",
    )
    ours = LetterCampaignFactory(title="Ask Signupton's MP")
    TargetFactory(campaign=ours.campaign, representative=mp, status=TargetStatus.UNDECIDED)
    theirs = LetterCampaignFactory(title="Ask another MP")
    TargetFactory(campaign=theirs.campaign, status=TargetStatus.UNDECIDED)
    ShiftFactory(event=EventFactory(title="Stall on Signupton High Street"))
    Skill.objects.get_or_create(slug="design", defaults={"name": "Design and memes"})


def test_volunteer_signs_up_verifies_by_email_and_lands_on_next_actions_for_their_seat(
    page, smtp_sink, signupton
):
    page.goto("/")
    page.get_by_role("link", name="Volunteer").click()
    page.get_by_label("Your name").fill("Sam Volunteer")
    page.get_by_label("Email", exact=True).fill("new.volunteer@example.org")
    page.get_by_label("Password", exact=True).fill("a long and unusual passphrase 42")
    page.get_by_label("Password (again)", exact=True).fill("a long and unusual passphrase 42")
    page.get_by_label("Your postcode").fill("za9 9zz")
    page.get_by_label("Design and memes").select_option(label="Expert")
    page.get_by_label("Weekends").check()
    page.get_by_label("Yes, organisers may contact me").check()
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()

    message = smtp_sink.wait_for(to="new.volunteer@example.org")
    link = next(url for url in links_in(message) if "/accounts/confirm-email/" in url)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name="Your page").wait_for()
    assert page.viewport_size["width"] == 360
    assert page.url.endswith("/me/")
    suggestions = page.locator(".next-action")
    assert suggestions.get_by_text("Write to your MP: Ask Signupton's MP").is_visible()
    assert page.get_by_text("Your MP, Alex Member, has not decided yet").is_visible()
    assert suggestions.get_by_text("Stall on Signupton High Street").is_visible()
    assert suggestions.get_by_text("Ask another MP").count() == 0
    assert page.get_by_role("link", name="Your page").is_visible()
    profile = VolunteerProfile.objects.get(user__email="new.volunteer@example.org")
    assert profile.constituency_code == "E14009999" and profile.weekends
    assert [(s.skill.slug, s.level) for s in profile.skills.all()] == [("design", 3)]
    supporter = Supporter.objects.get(email="new.volunteer@example.org")
    assert supporter.user is not None
    assert [c.purpose for c in supporter.consents.all()] == ["volunteering"]
