"""An organiser opens the dashboard on a laptop (1280 px) and on a phone (390 px): every
section has its charts, tables and CSV links, nothing scrolls sideways, and a screenshot of
each width is kept (GROUNDSWELL_VAR_DIR/screenshots/) for people to look at."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from campaigns.targets.models import Campaign
from organiser.models import DashboardFigure
from tests.factories import OrganiserFactory
from tests.harness.browser import sign_in

pytestmark = pytest.mark.browser

WIDTHS = {"laptop": 1280, "phone": 390}


@pytest.fixture
def campaign():
    """A campaign with generated data in every table the dashboard draws: seed_load at a
    small scale, computed as beat computes it."""
    call_command("seed_load", scale=0.002, campaign="dashboard-shots", verbosity=0)
    campaign = Campaign.objects.get(slug="dashboard-shots")
    from organiser.dashboard import dashboard_compute

    dashboard_compute(campaign)
    return campaign


@pytest.mark.parametrize("device", WIDTHS)
def test_the_dashboard_shows_charts_tables_and_csv_links_without_sideways_scroll(
    page, campaign, device
):
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    sign_in(page, OrganiserFactory())

    page.goto(f"/organiser/{campaign.slug}/")
    page.get_by_role("heading", name="Push next").wait_for()
    page.wait_for_load_state("networkidle")

    charted = DashboardFigure.objects.filter(campaign=campaign).exclude(chart_svg="")
    charts = page.locator("img.chart")
    assert charts.count() == charted.count() > 10
    drawn = charts.evaluate_all("imgs => imgs.filter(i => i.complete && i.naturalWidth > 0).length")
    assert drawn == charts.count()  # every chart arrived and is an image the browser drew
    tables = DashboardFigure.objects.filter(campaign=campaign).count()
    assert page.locator(".dashboard-figure table").count() >= tables - 1  # one may be empty
    csv_links = page.get_by_role("link", name="Download CSV")
    assert csv_links.count() == tables
    assert page.get_by_role("heading", name="Pressure per target").is_visible()
    assert page.get_by_role("heading", name="From page view to confirmed signature").is_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[device]

    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / f"dashboard-{WIDTHS[device]}px.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    with page.expect_download() as download:
        csv_links.first.click()
    assert download.value.suggested_filename.startswith(f"{campaign.slug}-path-")
