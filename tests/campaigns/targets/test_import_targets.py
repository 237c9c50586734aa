import pytest
from django.core.management import CommandError, call_command

from campaigns.targets.models import Organisation, Representative, Target
from tests.factories import CampaignFactory, ConstituencyFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

HEADER = "name,constituency,party,email,twitter,phone,status,type,source\n"


@pytest.fixture
def seats():
    return {
        name: ConstituencyFactory(name=name)
        for name in ("Ashcombe North", "Brackwater", "Caldmoor Vale", "Dunhaven")
    }


@pytest.fixture
def campaign():
    return CampaignFactory(slug="nominations")


def write(tmp_path, rows: str):
    path = tmp_path / "targets.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


GOOD = (
    "Ms Ann Ashcombe,Ashcombe North,Labour,ann.mp@example.org,@AnnMP,020 7219 0001,Nominated,mp,"
    "https://example.org/ann\n"
    "Mr Bob Brack,Brackwater,Labour,bob.mp@example.org,https://x.com/BobMP,,pledged,MP,"
    "https://example.org/bob\n"
    "Ashcombe North CLP,Ashcombe North,,clp@example.org,,,leaning,constituency-party,"
    "https://example.org/clp\n"
    "Unite,,,,@unitetheunion,,undecided,union,\n"
)
BAD = (
    "Ms Cat Cald,Nowhere Central,Labour,cat.mp@example.org,,,nominated,mp\n"  # line 6
    "Mr Dan Dun,Dunhaven,Labour,not-an-email,,,nominated,mp\n"  # line 7
    "Some Council,,,,,,bribed,council\n"  # line 8
)


def test_three_bad_rows_import_nothing_and_name_their_lines(tmp_path, seats, campaign):
    path = write(tmp_path, GOOD + BAD)

    with pytest.raises(CommandError) as error:
        call_command("import_targets", str(path), campaign="nominations")

    message = str(error.value)
    assert "3 bad rows" in message
    assert "line 6: constituency 'Nowhere Central' is not one we hold" in message
    assert "line 7: email 'not-an-email' is not a valid address" in message
    assert "line 8: status 'bribed'" in message
    assert Target.objects.count() == 0
    assert Representative.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_skip_invalid_imports_the_good_rows_and_lists_the_rest(tmp_path, seats, campaign, capsys):
    path = write(tmp_path, GOOD + BAD)

    call_command("import_targets", str(path), campaign="nominations", skip_invalid=True)

    out, err = capsys.readouterr()
    assert "4 targets created" in out
    assert [line.split(":")[0] for line in err.splitlines()] == [
        "skipped line 6",
        "skipped line 7",
        "skipped line 8",
    ]
    statuses = {t.name: t.status for t in campaign.targets.all()}
    assert statuses == {
        "Ms Ann Ashcombe": "nominated",
        "Mr Bob Brack": "pledged",
        "Ashcombe North CLP": "leaning",
        "Unite": "undecided",
    }
    ann = Representative.objects.get(name="Ms Ann Ashcombe")
    assert (ann.x_handle, ann.email, ann.party.name) == ("AnnMP", "ann.mp@example.org", "Labour")
    nominated = campaign.targets.get(representative=ann)
    assert nominated.status_changes.get().note == "Imported from targets.csv, line 2"


def test_existing_mp_is_matched_by_seat_and_keeps_imported_details(tmp_path, seats, campaign):
    sitting = RepresentativeFactory(
        constituency=seats["Ashcombe North"], name="Ms Ann Ashcombe", email="official@example.org"
    )
    path = write(tmp_path, GOOD)

    call_command("import_targets", str(path), campaign="nominations")

    sitting.refresh_from_db()
    assert campaign.targets.filter(representative=sitting).exists()
    assert sitting.email == "official@example.org"
    assert sitting.x_handle == "AnnMP"


def test_running_twice_changes_nothing(tmp_path, seats, campaign, capsys):
    path = write(tmp_path, GOOD)
    call_command("import_targets", str(path), campaign="nominations")
    capsys.readouterr()

    call_command("import_targets", str(path), campaign="nominations")

    assert "0 targets created, 0 statuses changed, 4 unchanged" in capsys.readouterr().out
    assert Target.objects.count() == 4


def test_a_changed_status_is_recorded_as_a_change(tmp_path, seats, campaign, capsys):
    call_command("import_targets", str(write(tmp_path, GOOD)), campaign="nominations")
    updated = GOOD.replace(
        "BobMP,,pledged,MP,https://example.org/bob",
        "BobMP,,Nominated someone else,MP,https://example.org/bob-other",
    )

    call_command("import_targets", str(write(tmp_path, updated)), campaign="nominations")

    bob = campaign.targets.get(representative__name="Mr Bob Brack")
    assert bob.status == "nominated-other"
    assert [(c.to_status, c.source_url) for c in bob.status_changes.order_by("id")] == [
        ("pledged", "https://example.org/bob"),
        ("nominated-other", "https://example.org/bob-other"),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "the file is empty"),
        ("who,where\nx,y\n", "no 'name' column"),
        (HEADER + "Ms A,Ashcombe North,,,,,,mp\nMs B,Ashcombe North,,,,,,mp\n", "same target"),
    ],
)
def test_unreadable_files_get_a_clear_reason(tmp_path, seats, campaign, content, reason):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=reason):
        call_command("import_targets", str(path), campaign="nominations")
    assert Target.objects.count() == 0


def test_missing_file_and_unknown_campaign_are_one_line_errors(tmp_path, campaign):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_targets", str(tmp_path / "nope.csv"), campaign="nominations")
    with pytest.raises(CommandError, match="no campaign with the slug 'other'"):
        call_command("import_targets", str(write(tmp_path, GOOD)), campaign="other")


def test_a_new_target_with_a_status_but_no_source_is_a_bad_line(tmp_path, seats, campaign):
    path = write(tmp_path, "Ms Ann Ashcombe,Ashcombe North,Labour,,,,Nominated,mp,\n")

    with pytest.raises(CommandError, match="line 2: status 'Nominated' needs a source"):
        call_command("import_targets", str(path), campaign="nominations")
    assert Target.objects.count() == 0


def test_a_changed_status_without_a_source_is_a_bad_line_and_changes_nothing(
    tmp_path, seats, campaign
):
    call_command("import_targets", str(write(tmp_path, GOOD)), campaign="nominations")
    updated = GOOD.replace("pledged,MP,https://example.org/bob", "Nominated,MP,")

    with pytest.raises(CommandError, match="line 3: status 'Nominated' needs a source"):
        call_command("import_targets", str(write(tmp_path, updated)), campaign="nominations")

    bob = campaign.targets.get(representative__name="Mr Bob Brack")
    assert bob.status == "pledged"
    assert bob.status_changes.count() == 1


@pytest.mark.parametrize(
    ("column", "value", "limit"),
    [
        ("name", "N" * 151, 150),
        ("party", "P" * 101, 100),
        ("email", "e" * 243 + "@example.org", 254),
        ("region", "R" * 61, 60),
        ("source", "https://example.org/" + "s" * 181, 200),
    ],
)
def test_a_cell_longer_than_its_column_is_a_named_bad_line(
    tmp_path, seats, campaign, column, value, limit
):
    row = {
        "name": "Ms Ann Ashcombe",
        "constituency": "Ashcombe North",
        "party": "Labour",
        "email": "ann.mp@example.org",
        "region": "South East",
        "status": "Nominated",
        "source": "https://example.org/ann",
    } | {column: value}
    path = tmp_path / "targets.csv"
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_targets", str(path), campaign="nominations")

    assert f"line 2: {column} is longer than {limit} characters" in str(error.value)
    assert Target.objects.count() == 0
    assert Representative.objects.count() == 0


def test_a_file_neither_utf8_nor_xlsx_gets_a_clear_reason(tmp_path, campaign):
    path = tmp_path / "targets.csv"
    path.write_bytes(HEADER.encode() + "Ms Ann,Café\n".encode("latin-1"))

    with pytest.raises(CommandError, match="not UTF-8 text; save the sheet as CSV UTF-8 or XLSX"):
        call_command("import_targets", str(path), campaign="nominations")


def test_a_broken_xlsx_file_gets_a_clear_reason(tmp_path, campaign):
    path = tmp_path / "targets.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a zip archive" * 10)

    with pytest.raises(CommandError, match="not a readable XLSX file"):
        call_command("import_targets", str(path), campaign="nominations")
