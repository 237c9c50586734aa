"""The site layout on a 360 px phone screen."""

import pytest

from tests.factories import CampaignFactory, TargetFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/accounts/signup/", "/accounts/login/"])
def test_pages_fit_a_360px_screen_without_sideways_scrolling(page, path):
    campaign = CampaignFactory(title="A campaign with a rather long title to wrap on phones")
    TargetFactory.create_batch(3, campaign=campaign, status="nominated")

    page.goto(path)

    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 360
    assert page.get_by_role("link", name="Groundswell").is_visible()
