"""Every organiser page runs a fixed number of queries on generated data (#21): the same on
a small `seed_load` as on one three times its size, whether the page reads what beat
stored or the first view computes it."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.petitions.models import Signature
from organiser.dashboard import dashboard_compute
from organiser.models import DashboardFigure
from tests.factories import OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db


def organiser_pages(slug: str) -> list[str]:
    pages = [reverse("dashboard:dashboards"), reverse("dashboard:dashboard", args=[slug])]
    for figure in DashboardFigure.objects.filter(campaign__slug=slug).order_by("position"):
        pages.append(reverse("dashboard:csv", args=[slug, figure.key]))
        if figure.chart_svg:
            pages.append(reverse("dashboard:chart", args=[slug, figure.key]))
    return pages


def queries_per_page(client, scale: float) -> tuple[dict[str, int], int]:
    call_command("seed_load", scale=scale, campaign="load-test", replace=True, verbosity=0)
    from campaigns.targets.models import Campaign

    campaign = Campaign.objects.get(slug="load-test")
    DashboardFigure.objects.filter(campaign=campaign).delete()
    with CaptureQueriesContext(connection) as computing:
        client.get(reverse("dashboard:dashboard", args=["load-test"]))  # computes and stores
    counts = {}
    for url in organiser_pages("load-test"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(captured.captured_queries)
    return counts, len(computing.captured_queries)


def test_every_organiser_page_runs_the_same_queries_on_three_times_the_data(client):
    client.force_login(OrganiserFactory())

    small, small_compute = queries_per_page(client, 0.001)
    small_signatures = Signature.objects.count()
    large, large_compute = queries_per_page(client, 0.003)

    assert Signature.objects.count() >= 2 * small_signatures > 0
    assert len(small) > 20  # the dashboards, the dashboard, every CSV and chart
    assert large == small
    assert large_compute == small_compute
    dashboard = reverse("dashboard:dashboard", args=["load-test"])
    assert large[dashboard] <= 4  # session, user, campaign, the stored figures


def test_beat_stores_every_table_and_a_view_reads_only_those(client):
    call_command("seed_load", scale=0.001, campaign="load-test", verbosity=0)
    from campaigns.targets.models import Campaign

    stored = dashboard_compute(Campaign.objects.get(slug="load-test"))
    client.force_login(OrganiserFactory())

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard:dashboard", args=["load-test"]))

    tables = [
        q["sql"] for q in captured.captured_queries if "organiser_dashboardfigure" in q["sql"]
    ]
    assert len(tables) == 1
    assert not any("petitions_signature" in q["sql"] for q in captured.captured_queries)
    assert response.content.decode().count("Download CSV") == len(stored)


def test_a_volunteer_gets_403_on_every_organiser_page(client):
    """Walks every route of the organiser area, so a page added later is covered too."""
    from organiser.urls import dashboard_urlpatterns

    call_command("seed_load", scale=0.001, campaign="load-test", verbosity=0)
    from campaigns.targets.models import Campaign

    figure = dashboard_compute(Campaign.objects.get(slug="load-test"))[0]
    values = {"slug": "load-test", "key": figure.key}
    client.force_login(UserFactory())

    answers = {}
    for pattern in dashboard_urlpatterns:
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        url = reverse(f"dashboard:{pattern.name}", kwargs=kwargs)
        answers[url] = client.get(url).status_code

    assert len(answers) == len(dashboard_urlpatterns) >= 4
    assert set(answers.values()) == {403}, answers
