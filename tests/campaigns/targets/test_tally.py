import pytest
from django.urls import reverse

from campaigns.targets.models import TargetStatus
from campaigns.targets.selectors import campaign_tally
from campaigns.targets.services import target_status_set
from tests.factories import CampaignFactory, OrganiserFactory, TargetFactory

pytestmark = pytest.mark.django_db


def make_campaign(statuses: dict[str, int], threshold=35):
    campaign = CampaignFactory(threshold=threshold)
    for status, count in statuses.items():
        TargetFactory.create_batch(count, campaign=campaign, status=status)
    return campaign


def test_tally_counts_each_status_and_progress_to_the_threshold():
    campaign = make_campaign({"nominated": 7, "pledged": 2, "undecided": 5}, threshold=10)

    tally = campaign_tally(campaign)

    assert tally.nominated == 7
    assert tally.total == 14
    assert tally.percent == 70
    assert {s: n for s, _, n in tally.rows}["opposed"] == 0


def test_status_change_writes_one_history_row_and_moves_the_tally():
    organiser = OrganiserFactory()
    target = TargetFactory(status=TargetStatus.LEANING)

    change = target_status_set(
        target=target,
        status=TargetStatus.NOMINATED,
        changed_by=organiser,
        source_url="https://example.org/news",
    )
    unchanged = target_status_set(target=target, status=TargetStatus.NOMINATED)

    assert unchanged is None
    assert target.status_changes.count() == 1
    assert (change.from_status, change.to_status, change.changed_by) == (
        "leaning",
        "nominated",
        organiser,
    )
    assert campaign_tally(target.campaign).nominated == 1


def test_home_page_shows_each_campaigns_progress(client):
    make_campaign({"nominated": 27, "undecided": 3})

    page = client.get(reverse("home")).content.decode()

    assert "27</strong> of 35 nominations" in page
    assert "3</span> undecided" in page


def test_home_page_queries_do_not_grow_with_campaigns_or_targets(
    client, django_assert_max_num_queries
):
    first = make_campaign({"nominated": 1})
    with django_assert_max_num_queries(4) as small:
        client.get(reverse("home"))
    later = [make_campaign({"nominated": 20, "opposed": 20}) for _ in range(5)]
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("home"))

    assert page.status_code == 200
    for campaign in [first, *later]:
        assert campaign.title in page.content.decode()


def test_admin_status_edit_is_recorded_in_the_history(client):
    organiser = OrganiserFactory()
    target = TargetFactory(status=TargetStatus.UNDECIDED)
    client.force_login(organiser)
    url = reverse("admin:targets_target_change", args=[target.pk])
    form = {
        "campaign": target.campaign_id,
        "representative": target.representative_id,
        "organisation": "",
        "status": "pledged",
        "source_url": "https://example.org/pledge",
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
    }

    response = client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    change = target.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by, change.source_url) == (
        "undecided",
        "pledged",
        organiser,
        "https://example.org/pledge",
    )
