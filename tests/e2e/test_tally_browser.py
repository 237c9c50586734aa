"""A supporter on a phone opens the tally, narrows it to undecided MPs and contacts one."""

import pytest

from tests.factories import CampaignFactory, TargetFactory

pytestmark = pytest.mark.browser


def test_filter_to_undecided_and_follow_a_contact_link(page):
    campaign = CampaignFactory(title="Get them nominating", threshold=35)
    TargetFactory.create_batch(3, campaign=campaign, status="nominated")
    undecided = TargetFactory(
        campaign=campaign, status="undecided", representative__x_handle="WaveringMP"
    )
    TargetFactory(campaign=campaign, status="undecided", representative__x_handle="")
    # The X profile is on the outside internet: answer it here, but let the click go there.
    page.context.route(
        "https://x.com/**",
        lambda route: route.fulfill(body="<h1>X profile</h1>", content_type="text/html"),
    )

    page.goto(f"/campaigns/{campaign.slug}/")
    assert page.get_by_text("3 of 35 nominations").is_visible()
    page.get_by_label("Status").select_option("undecided")
    page.get_by_role("button", name="Show").click()

    page.get_by_text("2 targets", exact=True).wait_for()
    badges = page.locator(".target .badge").all_inner_texts()
    assert badges == ["Undecided", "Undecided"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="@WaveringMP").click()

    page.wait_for_url("https://x.com/WaveringMP")
    assert undecided.x_url == "https://x.com/WaveringMP"
