"""`manage.py import_representatives`, fed the recorded samples in tests/fixtures/parliament:
22 fictional MPs in the Members API's exact formats (two search pages of 20 and 2, one
Contact and one ElectionResult/Latest response each), read from the directory with
--from-dir or served over real HTTP by `fake_web`."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.targets.models import Constituency, Party, Representative
from tests.factories import ConstituencyFactory, PartyFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "parliament"
ALL_NEW = (
    "Representatives: 22 created, 0 updated, 0 unchanged, 0 marked no longer current. "
    "Parties: 6 created, 0 updated, 0 unchanged. "
    "Constituencies: 22 created, 0 updated, 0 unchanged."
)
ALL_UNCHANGED = (
    "Representatives: 0 created, 0 updated, 22 unchanged, 0 marked no longer current. "
    "Parties: 0 created, 0 updated, 6 unchanged. "
    "Constituencies: 0 created, 0 updated, 22 unchanged."
)


def import_representatives(*args) -> str:
    out = StringIO()
    call_command("import_representatives", *args, stdout=out)
    return out.getvalue().strip()


def database_state(*, with_ids=True):
    """Every row the importer may touch, with its values (and, unless told, its pk)."""

    def rows(model, *fields):
        values = model.objects.values(*fields, *(["pk"] if with_ids else []))
        return sorted(values, key=lambda row: (str(row["parliament_id"]), row["name"]))

    return {
        "representatives": rows(
            Representative,
            "parliament_id",
            "name",
            "address_as",
            "party__parliament_id",
            "constituency__parliament_id",
            "constituency__name",
            "email",
            "phone",
            "x_handle",
            "social_links",
            "website",
            "photo_url",
            "is_current",
            "is_demo",
        ),
        "parties": rows(Party, "parliament_id", "name", "abbreviation", "colour"),
        "constituencies": rows(
            Constituency,
            "parliament_id",
            "name",
            "ons_code",
            "nation",
            "electorate",
            "turnout",
            "majority",
        ),
    }


def copy_samples(tmp_path) -> Path:
    directory = tmp_path / "samples"
    shutil.copytree(SAMPLES, directory)
    return directory


def listing(directory: Path) -> list[dict]:
    """The search results' items, in order, over all pages."""
    pages = sorted(directory.glob("members-search-skip-*.json"), key=lambda p: int(p.stem[20:]))
    return [item for page in pages for item in json.loads(page.read_text())["items"]]


def write_listing(directory: Path, items: list[dict]) -> None:
    """Replace the search pages with `items`, paged 20 at a time as the API pages them."""
    for page in directory.glob("members-search-skip-*.json"):
        page.unlink()
    for skip in range(0, len(items), 20):
        page = {"items": items[skip : skip + 20], "totalResults": len(items), "skip": skip}
        (directory / f"members-search-skip-{skip}.json").write_text(json.dumps(page))


def without_member(directory: Path, member_id: int) -> Path:
    items = [i for i in listing(directory) if i["value"]["id"] != member_id]
    write_listing(directory, items)
    return directory


def serve(fake_web, directory: Path, *, prefix="/api") -> None:
    """Answer for the Members API under fake_web.url + prefix with the saved responses."""
    for file in directory.glob("*.json"):
        body = file.read_bytes()
        kind, _, rest = file.stem.partition("-")
        if file.stem.startswith("members-search-skip-"):
            skip = file.stem.removeprefix("members-search-skip-")
            query = {"House": "1", "IsCurrentMember": "true", "skip": skip, "take": "20"}
            fake_web.add(f"{prefix}/Members/Search", body=body, query=query)
        elif kind == "member":
            fake_web.add(f"{prefix}/Members/{rest.removesuffix('-contact')}/Contact", body=body)
        elif kind == "constituency":
            seat = rest.removesuffix("-election-result-latest")
            fake_web.add(f"{prefix}/Location/Constituency/{seat}/ElectionResult/Latest", body=body)


def test_import_from_saved_responses_creates_mps_with_their_contact_details():
    assert import_representatives("--from-dir", str(SAMPLES)) == ALL_NEW

    assert Representative.objects.filter(is_current=True).count() == 22
    alice = Representative.objects.select_related("party", "constituency").get(parliament_id=90001)
    assert alice.name == "Ms Alice Harrowgate"
    assert alice.address_as == "Ms Harrowgate"
    assert alice.email == "alice.harrowgate.mp@parliament.example"
    assert alice.phone == "020 7946 0001"
    assert alice.x_handle == "AliceHarrowgateMP"
    assert alice.website == "https://www.aliceharrowgate.example.org"
    assert alice.postal_address == "House of Commons\nLondon\nSW1A 0AA"  # the office, for post
    assert alice.photo_url == "https://members-api.parliament.uk/api/Members/90001/Thumbnail"
    assert (alice.party.name, alice.party.parliament_id, alice.party.colour) == (
        "Labour",
        15,
        "#e4003b",
    )
    seat = alice.constituency
    assert (seat.name, seat.parliament_id, seat.ons_code, seat.nation) == (
        "Ashcombe and Wyvern",
        99001,
        None,
        "",
    )
    assert (seat.electorate, seat.turnout, seat.majority) == (73120, 44810, 12402)


def test_contact_details_follow_the_preferred_entry_and_tolerate_missing_ones():
    import_representatives("--from-dir", str(SAMPLES))
    mps = {r.parliament_id: r for r in Representative.objects.all()}

    # Twitter-era address with a query string still gives a bare handle.
    assert mps[90002].x_handle == "BernardQuillfeatherMP"
    # Constituency office marked preferred wins over the Parliamentary office.
    assert mps[90004].email == "declan.ormsbytate.office@constituency.example"
    assert mps[90004].phone == "0117 496 0004"
    # No X account listed at all.
    assert mps[90020].x_handle == ""
    assert mps[90012].social_links == {
        "Facebook": "https://www.facebook.com/LionelBlackwoodMP",
        "Instagram": "https://www.instagram.com/lionelblackwoodmp",
    }
    assert mps[90001].social_links == {}
    assert mps[90012].address_as == "Sir Lionel"


def test_second_run_over_the_same_data_reports_everything_unchanged_and_writes_nothing():
    import_representatives("--from-dir", str(SAMPLES))
    before = database_state()

    with CaptureQueriesContext(connection) as queries:
        output = import_representatives("--from-dir", str(SAMPLES))

    assert output == ALL_UNCHANGED
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert database_state() == before


def test_mp_missing_from_the_listing_is_marked_not_current_and_demo_mps_are_untouched(
    tmp_path,
):
    demo = RepresentativeFactory(is_demo=True)
    import_representatives("--from-dir", str(SAMPLES))
    leaver_listing = without_member(copy_samples(tmp_path), 90005)

    output = import_representatives("--from-dir", str(leaver_listing))

    assert output.startswith(
        "Representatives: 0 created, 0 updated, 21 unchanged, 1 marked no longer current."
    )
    not_current = Representative.objects.filter(is_current=False)
    assert list(not_current.values_list("parliament_id", flat=True)) == [90005]
    demo.refresh_from_db()
    assert demo.is_current
    assert Representative.objects.filter(parliament_id__isnull=True).count() == 1


def test_mp_who_returns_to_the_listing_is_current_again(tmp_path):
    import_representatives("--from-dir", str(SAMPLES))
    import_representatives("--from-dir", str(without_member(copy_samples(tmp_path), 90005)))

    output = import_representatives("--from-dir", str(SAMPLES))

    assert output.startswith("Representatives: 0 created, 1 updated, 21 unchanged, 0 marked")
    assert Representative.objects.get(parliament_id=90005).is_current


def test_by_election_winner_takes_the_seat_of_the_mp_who_left(tmp_path):
    import_representatives("--from-dir", str(SAMPLES))
    directory = copy_samples(tmp_path)
    items = listing(directory)
    leaver = next(i for i in items if i["value"]["id"] == 90005)
    winner = json.loads(json.dumps(leaver))
    winner["value"].update(
        id=90023, nameDisplayAs="Ms Zara Pemberton", nameAddressAs="Ms Pemberton"
    )
    write_listing(directory, [i for i in items if i is not leaver] + [winner])
    shutil.copy(directory / "member-90005-contact.json", directory / "member-90023-contact.json")

    output = import_representatives("--from-dir", str(directory))

    assert output.startswith(
        "Representatives: 1 created, 0 updated, 21 unchanged, 1 marked no longer current."
    )
    seat = Constituency.objects.get(parliament_id=99005)
    assert list(seat.representatives.filter(is_current=True).values_list("name", flat=True)) == [
        "Ms Zara Pemberton"
    ]
    assert not Representative.objects.get(parliament_id=90005).is_current


def test_mps_who_swap_seats_are_moved_without_two_current_mps_in_one_seat(tmp_path):
    import_representatives("--from-dir", str(SAMPLES))
    directory = copy_samples(tmp_path)
    items = listing(directory)
    first = items[0]["value"]["latestHouseMembership"]
    second = items[1]["value"]["latestHouseMembership"]
    for key in ("membershipFrom", "membershipFromId"):
        first[key], second[key] = second[key], first[key]
    write_listing(directory, items)

    output = import_representatives("--from-dir", str(directory))

    assert output.startswith("Representatives: 0 created, 2 updated, 20 unchanged, 0 marked")
    assert Representative.objects.get(parliament_id=90001).constituency.parliament_id == 99002
    assert Representative.objects.get(parliament_id=90002).constituency.parliament_id == 99001


def test_constituency_and_party_already_known_by_name_are_adopted_not_duplicated():
    known = ConstituencyFactory(name="ashcombe and wyvern", ons_code="E14000999")
    labour = PartyFactory(name="Labour")

    import_representatives("--from-dir", str(SAMPLES))

    known.refresh_from_db()
    labour.refresh_from_db()
    assert Constituency.objects.count() == 22
    assert (known.parliament_id, known.name, known.ons_code) == (
        99001,
        "Ashcombe and Wyvern",
        "E14000999",
    )
    assert Party.objects.count() == 6
    assert (labour.parliament_id, labour.colour) == (15, "#e4003b")


def test_seat_held_by_a_representative_without_a_parliament_id_stops_the_import():
    hand_made = RepresentativeFactory(constituency=ConstituencyFactory(name="Brackenmoor"))
    before = database_state()

    with pytest.raises(CommandError, match=r"Brackenmoor is held by representative .*no Parl"):
        import_representatives("--from-dir", str(SAMPLES))

    assert database_state() == before
    hand_made.refresh_from_db()
    assert hand_made.is_current


def test_live_import_reads_the_members_api_and_gives_the_same_result(settings, fake_web):
    serve(fake_web, SAMPLES)
    settings.PARLIAMENT_API_URL = fake_web.url + "/api"

    assert import_representatives() == ALL_NEW

    paths = [path for _, path, _, _ in fake_web.requests]
    assert paths.count("/api/Members/Search") == 2
    assert len(paths) == 2 + 22 + 22
    live = database_state(with_ids=False)
    Representative.objects.all().delete()
    Constituency.objects.all().delete()
    Party.objects.all().delete()
    assert import_representatives("--from-dir", str(SAMPLES)) == ALL_NEW
    assert database_state(with_ids=False) == live


def test_save_to_records_what_from_dir_replays(settings, fake_web, tmp_path):
    serve(fake_web, SAMPLES)
    settings.PARLIAMENT_API_URL = fake_web.url + "/api"
    recording = tmp_path / "recording"

    assert import_representatives("--save-to", str(recording)) == ALL_NEW

    saved = {p.name: json.loads(p.read_text()) for p in recording.iterdir()}
    assert saved == {p.name: json.loads(p.read_text()) for p in SAMPLES.iterdir()}
    assert import_representatives("--from-dir", str(recording)) == ALL_UNCHANGED


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (
            {"path": "/api/Members/90021/Contact", "json": {"value": []}, "delay": 2},
            r"/api/Members/90021/Contact: no answer within 0\.3 s",
        ),
        (
            {"path": "/api/Location/Constituency/99022/ElectionResult/Latest", "status": 500},
            r"/api/Location/Constituency/99022/ElectionResult/Latest: HTTP 500",
        ),
        (
            {
                "path": "/api/Members/Search",
                "query": {"skip": "20"},
                "body": b"<html>Service unavailable</html>",
            },
            r"/api/Members/Search\?House=1&IsCurrentMember=true&skip=20&take=20: "
            r"the response is not valid JSON",
        ),
    ],
    ids=["timeout", "http-500", "malformed-json"],
)
def test_live_failure_stops_the_import_and_changes_nothing(
    settings, fake_web, tmp_path, failure, message
):
    import_representatives("--from-dir", str(SAMPLES))
    RepresentativeFactory(name="Demo Person", is_demo=True)
    before = database_state()
    # Had anything been written, the MP missing from this listing would show it.
    serve(fake_web, without_member(copy_samples(tmp_path), 90005))
    fake_web.add(**failure)
    settings.PARLIAMENT_API_URL = fake_web.url + "/api"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.3

    with pytest.raises(CommandError, match=message) as error:
        import_representatives()

    assert "\n" not in str(error.value)
    assert database_state() == before
    assert Representative.objects.get(parliament_id=90005).is_current


def drop_display_name(directory):
    page = directory / "members-search-skip-0.json"
    data = json.loads(page.read_text())
    del data["items"][3]["value"]["nameDisplayAs"]
    page.write_text(json.dumps(data))


def drop_contact(directory):
    (directory / "member-90007-contact.json").unlink()


def listing_changes_between_pages(directory):
    """Page 0 read before MP 90005 left, page 20 after: MP 90021 falls between them."""
    shutil.copy(SAMPLES / "members-search-skip-0.json", directory)


def negative_majority(directory):
    result = directory / "constituency-99003-election-result-latest.json"
    data = json.loads(result.read_text())
    data["value"]["majority"] = -5
    result.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (drop_display_name, r"members-search-skip-0\.json: items\[3\]\.value\.nameDisplayAs is "),
        (drop_contact, r"member-90007-contact\.json: no such file"),
        (listing_changes_between_pages, r"skip-20\.json: the listing changed while it was read"),
        (negative_majority, r"99003-election-result-latest\.json: value\.majority is negative"),
    ],
    ids=["missing-field", "missing-file", "incomplete-listing", "bad-number"],
)
def test_malformed_saved_responses_stop_the_import_and_change_nothing(tmp_path, spoil, message):
    import_representatives("--from-dir", str(SAMPLES))
    before = database_state()
    directory = without_member(copy_samples(tmp_path), 90005)
    spoil(directory)

    with pytest.raises(CommandError, match=message):
        import_representatives("--from-dir", str(directory))

    assert database_state() == before
