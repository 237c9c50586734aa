import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.targets.exports import COLUMNS
from campaigns.targets.models import Target
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


def test_bulk_action_with_a_source_link_longer_than_its_column_changes_nothing(
    organiser_client,
):
    target = TargetFactory(status="pledged")

    response = organiser_client.post(
        reverse(CHANGELIST),
        {"action": "set_status", "_selected_action": [target.pk], "apply": "1",
         "status": "nominated", "source_url": "https://example.org/" + "s" * 181},
    )  # fmt: skip

    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    target.refresh_from_db()
    assert target.status == "pledged"
    assert not target.status_changes.exists()


def change_form(target, **changes):
    return {
        "campaign": target.campaign_id,
        "representative": target.representative_id,
        "organisation": "",
        "status": target.status,
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
    } | changes


def test_change_form_asks_for_a_source_link(organiser_client):
    target = TargetFactory()

    page = organiser_client.get(reverse("admin:targets_target_change", args=[target.pk]))

    assert 'name="source_url"' in page.content.decode()


def test_change_form_refuses_a_status_change_without_a_source_link(organiser_client):
    target = TargetFactory(status="undecided")

    response = organiser_client.post(
        reverse("admin:targets_target_change", args=[target.pk]),
        change_form(target, status="nominated"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["source_url"] == [
        "A status change needs a source link: where was it reported?"
    ]
    target.refresh_from_db()
    assert target.status == "undecided"
    assert not target.status_changes.exists()


def test_change_form_saves_other_edits_without_a_source_link(organiser_client):
    target = TargetFactory(status="leaning")
    other = CampaignFactory()

    response = organiser_client.post(
        reverse("admin:targets_target_change", args=[target.pk]),
        change_form(target, campaign=other.pk),
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.campaign, target.status) == (other, "leaning")
    assert not target.status_changes.exists()


def test_add_form_records_a_new_targets_status_with_its_source_link(organiser_client):
    campaign = CampaignFactory()
    mp = RepresentativeFactory()
    form = {
        "campaign": campaign.pk,
        "representative": mp.pk,
        "organisation": "",
        "status": "pledged",
        "source_url": "https://example.org/pledge",
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
    }

    response = organiser_client.post(reverse("admin:targets_target_add"), form)

    assert response.status_code == 302
    target = Target.objects.get(campaign=campaign, representative=mp)
    change = target.status_changes.get()
    assert (target.status, change.from_status, change.to_status, change.source_url) == (
        "pledged",
        "undecided",
        "pledged",
        "https://example.org/pledge",
    )
