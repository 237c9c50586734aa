"""The organisers' dashboard (#21, first part): the path to the threshold and "push next",
on hand-built cases where the right order is known, the figures they come from, and who
may see them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from campaigns.targets.models import TargetStatus
from campaigns.targets.selectors import Tally
from organiser.dashboard import (
    WEIGHTS,
    TargetFigures,
    dashboard_compute,
    path_to_threshold,
    push_next,
    target_figures,
)
from organiser.models import DashboardFigure
from tests.factories import (
    ActionRecordFactory,
    CampaignFactory,
    ConstituencyFactory,
    OrganiserFactory,
    RepresentativeFactory,
    SupporterFactory,
    TargetFactory,
    UserFactory,
)

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def figures(target_id, status="undecided", *, supporters=0, pressure=0, days=None, share=None):
    return TargetFigures(
        target_id=target_id,
        name=f"MP {target_id}",
        seat=f"Seat {target_id}",
        status=status,
        supporters=supporters,
        pressure_7d=0,
        pressure_30d=pressure,
        last_action_at=None if days is None else NOW - timedelta(days=days),
        majority_share=share,
    )


def test_push_next_ranks_by_the_documented_score_with_its_parts():
    crowded_quiet = figures(1, supporters=100, pressure=0, days=None, share=0.05)
    crowded_busy = figures(2, "leaning", supporters=100, pressure=50, days=0, share=0.05)
    empty_quiet = figures(3, supporters=0, pressure=0, days=30, share=0.5)
    decided = figures(4, "nominated", supporters=500)

    ranked = push_next([empty_quiet, crowded_busy, decided, crowded_quiet], now=NOW)

    # 0.98, then 0.35 + 0.2 * 0.9 = 0.53 (supporters, marginal), then 0.25 + 0.2 = 0.45
    # (no pressure, long waiting, but nobody in the seat and a safe majority).
    assert [r.figures.target_id for r in ranked] == [1, 2, 3]
    first = ranked[0]
    assert first.parts == {
        "supporters": 1.0,
        "under_pressure": 1.0,
        "waiting": 1.0,
        "marginality": 0.9,
    }
    assert first.score == round(0.35 + 0.25 + 0.2 + 0.2 * 0.9, 3)
    assert ranked[1].score == round(WEIGHTS["supporters"] + WEIGHTS["marginality"] * 0.9, 3)
    assert ranked[2].score == round(WEIGHTS["under_pressure"] + WEIGHTS["waiting"], 3)


def test_unknown_majority_counts_half_and_a_tie_goes_to_more_supporters():
    a = figures(1, supporters=10, pressure=5, days=10)
    b = figures(2, supporters=20, pressure=5, days=10)
    c = figures(3, supporters=20, pressure=5, days=10)

    ranked = push_next([a, b, c], now=NOW)

    assert [r.parts["marginality"] for r in ranked] == [0.5, 0.5, 0.5]
    assert [r.figures.target_id for r in ranked] == [2, 3, 1]


def test_the_path_takes_pledged_then_leaning_then_undecided_and_only_as_many_as_needed():
    everyone = [
        figures(1, "nominated"),
        figures(2, "nominated"),
        figures(3, "undecided", supporters=90),
        figures(4, "opposed", supporters=999),
        figures(5, "leaning", supporters=1),
        figures(6, "pledged"),
        figures(7, "undecided", supporters=10),
        figures(8, "nominated-other"),
    ]
    tally = Tally(counts={"nominated": 2}, threshold=5, last_changed_at=None)

    path = path_to_threshold(
        tally=tally, ends_on=None, figures=everyone, ranked=push_next(everyone, now=NOW)
    )

    assert (path.nominated, path.needed, path.short_by) == (2, 3, 0)
    assert [f.target_id for f in path.candidates] == [6, 5, 3]


def test_the_path_says_when_the_open_targets_are_too_few():
    everyone = [figures(1, "leaning"), figures(2, "opposed")]
    tally = Tally(counts={}, threshold=3, last_changed_at=None)

    path = path_to_threshold(tally=tally, ends_on=None, figures=everyone, ranked=[])

    assert (path.needed, path.short_by, [f.target_id for f in path.candidates]) == (3, 2, [1])


@pytest.mark.django_db
def test_the_figures_count_supporters_in_the_seat_and_actions_by_window():
    seat = ConstituencyFactory(ons_code="E14000777", majority=2000, turnout=40000)
    target = TargetFactory(representative=RepresentativeFactory(constituency=seat))
    SupporterFactory.create_batch(3, constituency_code="E14000777")
    SupporterFactory(constituency_code="E14000777", erased_at=NOW)  # erased: not counted
    SupporterFactory(constituency_code="E14000778")
    now = datetime.now(UTC)
    for days in (1, 6, 20, 40):
        ActionRecordFactory(target=target, occurred_at=now - timedelta(days=days))

    [found] = target_figures(target.campaign, now=now)

    assert (found.supporters, found.pressure_7d, found.pressure_30d) == (3, 2, 3)
    assert found.last_action_at == now - timedelta(days=1)
    assert found.majority_share == 0.05


@pytest.mark.django_db
def test_computing_runs_the_same_queries_however_many_targets(
    client, django_assert_max_num_queries
):
    client.force_login(OrganiserFactory())
    campaign = CampaignFactory(threshold=5)

    def page():
        DashboardFigure.objects.filter(campaign=campaign).delete()  # computed on this view
        return client.get(reverse("dashboard:dashboard", args=[campaign.slug]))

    TargetFactory.create_batch(3, campaign=campaign, status=TargetStatus.UNDECIDED)
    with django_assert_max_num_queries(60) as few:
        page()
    TargetFactory.create_batch(30, campaign=campaign, status=TargetStatus.LEANING)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = page()

    assert response.status_code == 200
    push = next(f for f in response.context["sections"] if f[0] == "push")[2][0]
    path = next(f for f in response.context["sections"] if f[0] == "path")[2][0]
    assert len(push.rows) == 33  # a score per target
    assert len(path.rows) == 5


@pytest.mark.django_db
def test_the_page_reads_the_figures_beat_computed(client, django_assert_max_num_queries):
    from organiser.tasks import dashboard_refresh

    client.force_login(OrganiserFactory())
    campaign = CampaignFactory()
    TargetFactory.create_batch(3, campaign=campaign)
    dashboard_refresh.delay()

    with django_assert_max_num_queries(4):  # session, user, campaign, the stored figures
        response = client.get(reverse("dashboard:dashboard", args=[campaign.slug]))

    assert "Figures computed" in response.content.decode()
    assert DashboardFigure.objects.filter(campaign=campaign).count() == len(
        dashboard_compute(campaign)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["dashboards", "dashboard"])
def test_a_volunteer_gets_403_and_a_stranger_the_sign_in_page(client, name):
    campaign = CampaignFactory()
    url = reverse(f"dashboard:{name}", args=[campaign.slug] if name == "dashboard" else [])

    stranger = client.get(url)
    client.force_login(UserFactory())
    volunteer = client.get(url)

    assert stranger.status_code == 302 and reverse("account_login") in stranger["Location"]
    assert volunteer.status_code == 403
