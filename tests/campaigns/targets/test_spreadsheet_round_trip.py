"""A target spreadsheet exported from the admin, edited and imported again changes exactly
the cells that were edited, as CSV and as XLSX."""

import copy
import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.targets.exports import COLUMNS
from campaigns.targets.models import (
    Constituency,
    Organisation,
    Party,
    Representative,
    Target,
    TargetStatusChange,
)
from campaigns.targets.services import target_status_set
from tests.factories import (
    CampaignFactory,
    ConstituencyFactory,
    OrganisationFactory,
    OrganiserFactory,
    RepresentativeFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

KINDS = ["csv", "xlsx"]
ANN, BOB = "Ms Ann Ashcombe", "Mr Bob Brack"
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def organiser_client(client):
    client.force_login(OrganiserFactory())
    return client


@pytest.fixture
def campaign():
    """A campaign whose sheet has every kind of cell: statuses with and without a source,
    a formula-like name and a +44 phone (quoted in CSV), an organisation with and one
    without a constituency, a seat without a region."""
    campaign = CampaignFactory(slug="nominations")
    nominated = TargetFactory(
        campaign=campaign,
        representative=RepresentativeFactory(
            name="Ms Ann Ashcombe", x_handle="AnnMP", phone="+44 20 7219 0001"
        ),
    )
    target_status_set(
        target=nominated, status="nominated", source_url="https://example.org/ann-nominates"
    )
    TargetFactory(
        campaign=campaign,
        representative=RepresentativeFactory(
            name="=Mr Formula", constituency=ConstituencyFactory(region="")
        ),
    )
    TargetFactory(campaign=campaign, status="leaning", representative__name="Mr Bob Brack")
    TargetFactory(campaign=campaign, representative=None, organisation=OrganisationFactory())
    TargetFactory(
        campaign=campaign,
        representative=None,
        organisation=OrganisationFactory(name="Unite", kind="union", constituency=None),
    )
    TargetFactory(representative__name="Someone in another campaign")
    return campaign


def exported(client, campaign, kind) -> bytes:
    response = client.post(
        reverse("admin:targets_campaign_changelist"),
        {"action": f"export_targets_{kind}", "_selected_action": [campaign.pk]},
    )
    assert response.status_code == 200
    return response.content


def saved_sheet(tmp_path, kind, content: bytes, edits: dict[tuple[int, str], str]):
    """The exported sheet saved as a file with some cells changed: {(target, column): text},
    as a spreadsheet program would (a CSV's quoted cells stay as they are)."""
    path = tmp_path / f"nominations-targets.{kind}"
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        for (target, column), value in edits.items():
            row = next(r for r in rows if r[COLUMNS.index("id")] == str(target.pk))
            row[COLUMNS.index(column)] = value
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    else:
        workbook = load_workbook(io.BytesIO(content))
        sheet = workbook.active
        for (target, column), value in edits.items():
            [row] = [r for r in sheet.iter_rows() if r[COLUMNS.index("id")].value == str(target.pk)]
            row[COLUMNS.index(column)].value = value
        workbook.save(path)
    return path


def line_of(content: bytes, kind, target) -> int:
    """The line of a target's row in an exported sheet (the header is line 1)."""
    if kind == "xlsx":
        sheet = load_workbook(io.BytesIO(content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return 1 + next(i for i, row in enumerate(rows) if row[COLUMNS.index("id")] == str(target.pk))


def held() -> dict[str, list[dict]]:
    """Every row the import could write, by table."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Target, TargetStatusChange, Representative, Organisation, Constituency, Party)
    }


def row_of(rows: list[dict], pk: int) -> dict:
    return next(row for row in rows if row["id"] == pk)


@pytest.mark.parametrize("kind", KINDS)
def test_an_unedited_export_imports_again_changing_nothing(
    organiser_client, campaign, tmp_path, capsys, kind
):
    path = saved_sheet(tmp_path, kind, exported(organiser_client, campaign, kind), {})
    before = held()

    with CaptureQueriesContext(connection) as queries:
        call_command("import_targets", str(path), campaign="nominations")

    assert held() == before
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith(WRITES)]
    assert "0 targets created, 0 statuses changed, 5 unchanged, 0 with details updated" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_status_edited_in_the_export_is_one_history_row_citing_the_sheets_source(
    organiser_client, campaign, tmp_path, kind
):
    bob = campaign.targets.get(representative__name="Mr Bob Brack")
    sheet = exported(organiser_client, campaign, kind)
    path = saved_sheet(
        tmp_path,
        kind,
        sheet,
        {(bob, "status"): "Nominated", (bob, "source"): "https://example.org/bob-nominates"},
    )
    expected = copy.deepcopy(held())

    call_command("import_targets", str(path), campaign="nominations")

    after = held()
    bob.refresh_from_db()
    change = bob.status_changes.get()
    assert (change.from_status, change.to_status, change.source_url, change.note) == (
        "leaning",
        "nominated",
        "https://example.org/bob-nominates",
        f"Imported from {path.name}, line {line_of(sheet, kind, bob)}",
    )
    touched = row_of(after["Target"], bob.pk)["updated_at"]
    assert touched > row_of(expected["Target"], bob.pk)["updated_at"]  # for apps' sync
    row_of(expected["Target"], bob.pk).update(
        status="nominated", status_changed_at=bob.status_changed_at, updated_at=touched
    )
    expected["TargetStatusChange"].append(row_of(after["TargetStatusChange"], change.pk))
    assert after == expected


@pytest.mark.parametrize("kind", KINDS)
def test_an_email_edited_in_the_export_changes_that_email_only(
    organiser_client, campaign, tmp_path, capsys, kind
):
    ann = campaign.targets.get(representative__name="Ms Ann Ashcombe")
    path = saved_sheet(
        tmp_path,
        kind,
        exported(organiser_client, campaign, kind),
        {(ann, "email"): "ann.ashcombe.mp@parliament.example"},
    )
    expected = copy.deepcopy(held())

    call_command("import_targets", str(path), campaign="nominations")

    row_of(expected["Representative"], ann.representative_id)["email"] = (
        "ann.ashcombe.mp@parliament.example"
    )
    assert held() == expected
    assert "0 statuses changed, 4 unchanged, 1 with details updated" in capsys.readouterr().out


def test_a_region_filled_in_the_export_fills_the_constituencys_blank_region(
    organiser_client, campaign, tmp_path
):
    formula = campaign.targets.get(representative__name="=Mr Formula")
    path = saved_sheet(
        tmp_path, "csv", exported(organiser_client, campaign, "csv"), {(formula, "region"): "Wales"}
    )
    expected = copy.deepcopy(held())

    call_command("import_targets", str(path), campaign="nominations")

    row_of(expected["Constituency"], formula.representative.constituency_id)["region"] = "Wales"
    assert held() == expected


@pytest.mark.parametrize(
    ("who", "edits", "reason"),
    [
        (BOB, {"status": "Nominated"}, "status 'Nominated' needs a source"),
        (ANN, {"status": "Opposed"}, "source is the link for the status 'Nominated'"),
        (ANN, {"source": "https://example.org/x"}, "source changed but status did not"),
        (ANN, {"constituency": "Brackwater"}, "an MP's seat cannot change"),
        (ANN, {"type": "union"}, "a target's type cannot change"),
        (ANN, {"region": "Mars"}, "region is changed on the constituency"),
        (ANN, {"id": "999999"}, "id '999999' is not a target of this campaign"),
    ],
)  # fmt: skip
def test_an_edit_the_import_cannot_make_is_a_bad_line_and_nothing_changes(
    organiser_client, campaign, tmp_path, who, edits, reason
):
    ConstituencyFactory(name="Brackwater")
    target = campaign.targets.get(representative__name=who)
    sheet = exported(organiser_client, campaign, "csv")
    path = saved_sheet(
        tmp_path, "csv", sheet, {(target, column): value for column, value in edits.items()}
    )
    before = held()

    with pytest.raises(CommandError, match="1 bad rows") as error:
        call_command("import_targets", str(path), campaign="nominations")

    assert f"line {line_of(sheet, 'csv', target)}: " in str(error.value)
    assert reason in str(error.value)
    assert held() == before
