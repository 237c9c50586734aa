"""`manage.py load_postcode_fallback`: checks the whole CSV, then loads all of it or none."""

import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from volunteers.models import PostcodeFallback
from volunteers.places import place_for_postcode

pytestmark = pytest.mark.django_db

GOOD = """\
postcode,constituency_code,constituency_name,region,latitude,longitude
sw1a 1aa,E14001172,Cities of London and Westminster,London,51.501009,-0.141588
SW1A,E14001172,Cities of London and Westminster,London,51.5,-0.14
zb231aa,E99000123,Kilbrannan North,Yorkshire and The Humber,,
"""


def load(tmp_path, text: str, *args) -> tuple[str, str]:
    path = tmp_path / "fallback.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("load_postcode_fallback", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def unused_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def rows() -> dict[str, tuple]:
    return {
        row.code: (row.constituency_code, row.constituency_name, row.region, row.latitude)
        for row in PostcodeFallback.objects.all()
    }


def test_valid_csv_loads_every_row_in_canonical_form(tmp_path):
    out, _ = load(tmp_path, GOOD)

    assert rows() == {
        "SW1A 1AA": ("E14001172", "Cities of London and Westminster", "London", 51.501009),
        "SW1A": ("E14001172", "Cities of London and Westminster", "London", 51.5),
        "ZB23 1AA": ("E99000123", "Kilbrannan North", "Yorkshire and The Humber", None),
    }
    assert "3 created, 0 updated" in out


def test_loaded_postcode_resolves_offline(tmp_path, settings):
    settings.POSTCODES_IO_URL = unused_port_url()  # nothing listens: any request would fail
    load(tmp_path, GOOD)

    place = place_for_postcode("ZB23 1AA")

    assert (place.constituency_code, place.source) == ("E99000123", "fallback")


def test_loading_again_updates_changed_rows_and_adds_nothing(tmp_path):
    load(tmp_path, GOOD)

    out, _ = load(tmp_path, GOOD.replace("51.5,-0.14", "51.49,-0.13"))

    assert "0 created, 1 updated, 2 unchanged" in out
    assert PostcodeFallback.objects.get(code="SW1A").latitude == 51.49


def test_only_the_required_columns_are_needed(tmp_path):
    load(tmp_path, "constituency_name,postcode,constituency_code\nAshcombe,ZA1,E99000001\n")

    assert rows() == {"ZA1": ("E99000001", "Ashcombe", "", None)}


def test_replace_empties_the_table_first(tmp_path):
    PostcodeFallback.objects.create(
        code="ZA1", constituency_code="E99000001", constituency_name="Ashcombe"
    )

    out, _ = load(tmp_path, GOOD, "--replace")

    assert set(rows()) == {"SW1A 1AA", "SW1A", "ZB23 1AA"}
    assert "1 removed" in out


def test_csv_with_bad_rows_loads_nothing_and_names_each_bad_line(tmp_path):
    text = GOOD + (
        "SW1A 1AAA,E14001172,Cities of London and Westminster,,,\n"  # line 5
        "SW1A 2AA,,Cities of London and Westminster,,,\n"  # line 6
        "SW1A 2AB,E14001172,,,,\n"  # line 7
        "SW1A 2AD,E14001172,Cities of London and Westminster,,north,\n"  # line 8
        "SW1A 2AE,E14001172,Cities of London and Westminster,,51.5,-200\n"  # line 9
        "sw1a1aa,E14001172,Cities of London and Westminster,,,\n"  # line 10
        "SW1A 2AF,London,Cities of London and Westminster,,,\n"  # line 11
    )

    with pytest.raises(CommandError, match="7 bad row"):
        load(tmp_path, text)

    assert PostcodeFallback.objects.count() == 0


def test_each_bad_line_is_reported_with_its_problem(tmp_path):
    text = GOOD + (
        "SW1A 1AAA,E14001172,Cities of London and Westminster,,,\n"
        "SW1A 2AA,,Cities of London and Westminster,,north,\n"
        "sw1a1aa,E14001172,Cities of London and Westminster,,,\n"
    )
    path = tmp_path / "fallback.csv"
    path.write_text(text)
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("load_postcode_fallback", str(path), stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 5: 'SW1A 1AAA' is not a postcode or outcode",
        "line 6: constituency_code is missing; latitude 'north' is not a number",
        "line 7: SW1A 1AA repeats line 2",
    ]


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot open"):
        call_command("load_postcode_fallback", str(tmp_path / "nowhere.csv"))


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("postcode,constituency_name", "missing constituency_code"),
        ("postcode,constituency_code,constituency_name,lattitude", "unknown 'lattitude'"),
        ("", "empty"),
    ],
)
def test_bad_header_is_a_command_error(tmp_path, header, reason):
    with pytest.raises(CommandError, match=reason):
        load(tmp_path, header + "\n" if header else "")
