import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.targets.exports import COLUMNS
from campaigns.targets.selectors import campaign_tally
from tests.factories import (
    CampaignFactory,
    OrganiserFactory,
    RepresentativeFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:targets_target_changelist"


@pytest.fixture
def organiser_client(client):
    client.force_login(OrganiserFactory())
    return client


def test_bulk_action_asks_for_a_source_then_sets_status_with_history(organiser_client):
    campaign = CampaignFactory()
    targets = TargetFactory.create_batch(3, campaign=campaign, status="pledged")
    TargetFactory(campaign=campaign, status="undecided")
    selected = {"action": "set_status", "_selected_action": [t.pk for t in targets]}

    asked = organiser_client.post(reverse(CHANGELIST), selected)
    assert asked.status_code == 200
    assert "Source link" in asked.content.decode()

    done = organiser_client.post(
        reverse(CHANGELIST),
        {**selected, "apply": "1", "status": "nominated", "source_url": "https://example.org/s"},
    )

    assert done.status_code == 302
    assert campaign_tally(campaign).nominated == 3
    for target in targets:
        change = target.status_changes.get()
        assert (change.from_status, change.to_status) == ("pledged", "nominated")
        assert change.source_url == "https://example.org/s"


def test_bulk_action_without_a_source_link_changes_nothing(organiser_client):
    target = TargetFactory(status="pledged")

    response = organiser_client.post(
        reverse(CHANGELIST),
        {"action": "set_status", "_selected_action": [target.pk], "apply": "1",
         "status": "nominated", "source_url": ""},
    )  # fmt: skip

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    target.refresh_from_db()
    assert target.status == "pledged"


def test_target_spreadsheet_exports_as_csv_with_formulas_defused(organiser_client):
    campaign = CampaignFactory()
    mp = RepresentativeFactory(name='=HYPERLINK("http://evil")', x_handle="HandleMP")
    TargetFactory(campaign=campaign, representative=mp, status="leaning")
    TargetFactory(campaign=campaign)

    response = organiser_client.post(
        reverse("admin:targets_campaign_changelist"),
        {"action": "export_targets_csv", "_selected_action": [campaign.pk]},
    )

    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == COLUMNS
    assert len(rows) == 3
    evil = next(r for r in rows if "HYPERLINK" in r[0])
    assert evil[0].startswith("'=")
    assert evil[3:6] == ["Leaning", mp.email, "HandleMP"]


def test_target_spreadsheet_exports_as_xlsx(organiser_client):
    campaign = CampaignFactory()
    target = TargetFactory(campaign=campaign, status="opposed")

    response = organiser_client.post(
        reverse("admin:targets_campaign_changelist"),
        {"action": "export_targets_xlsx", "_selected_action": [campaign.pk]},
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == COLUMNS
    assert rows[1][:4] == [
        target.name, target.constituency.name, target.party.name, "Opposed",
    ]  # fmt: skip


def test_changelist_searches_and_filters(organiser_client):
    TargetFactory(representative__name="Findable Person", status="undecided")
    TargetFactory(representative__name="Someone Else", status="undecided")

    found = organiser_client.get(
        reverse(CHANGELIST), {"q": "findable", "status__exact": "undecided"}
    )

    assert found.status_code == 200
    assert [str(t) for t in found.context["cl"].result_list] == ["Findable Person"]
