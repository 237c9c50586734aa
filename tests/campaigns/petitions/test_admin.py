import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.petitions.models import Signature
from campaigns.petitions.selectors import SIGNATURE_EXPORT_COLUMNS
from campaigns.petitions.services import signatures_invalidate
from core.http import client_ip_hash
from tests.campaigns.petitions.helpers import counted_total, sign
from tests.factories import OrganiserFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:petitions_signature_changelist"
EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def organiser_client(client):
    client.force_login(OrganiserFactory())
    return client


@pytest.fixture
def counting_petition(petition):
    """The petition with signatures counting at once, so tests need not confirm by email."""
    petition.confirmation_required = False
    petition.save()
    return petition


def tool(name, petition):
    return reverse(f"admin:petitions_petition_{name}", args=[petition.pk])


def seat_totals(petition) -> dict[str, int]:
    return dict(petition.constituency_counts.values_list("constituency_code", "total"))


def invalidated_emails() -> set[str]:
    return set(
        Signature.objects.filter(invalidated_at__isnull=False).values_list("email", flat=True)
    )


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def local_minute(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# The changelist action


def test_invalidating_ten_selected_lowers_the_totals_by_exactly_ten(
    organiser_client, counting_petition, seats
):
    postcodes = ["ZA1 1AA"] * 5 + ["ZA2 1AA"] * 5 + ["ZA3 1AA"] * 5
    for n, postcode in enumerate(postcodes):
        sign(counting_petition, n, postcode=postcode)
    assert counted_total(counting_petition) == 15
    # All five in seat 1, four in seat 2, one in seat 3.
    chosen = [
        pk
        for code, how_many in [("E14000001", 5), ("E14000002", 4), ("E14000003", 1)]
        for pk in Signature.objects.filter(constituency_code=code)
        .order_by("pk")
        .values_list("pk", flat=True)[:how_many]
    ]
    selected = {"action": "invalidate_selected", "_selected_action": chosen}

    asked = organiser_client.post(reverse(CHANGELIST), selected)
    assert asked.status_code == 200
    assert "Invalidate 10 signatures" in asked.content.decode()
    assert invalidated_emails() == set()

    done = organiser_client.post(
        reverse(CHANGELIST), {**selected, "apply": "1", "reason": "Bulk sign-up"}, follow=True
    )

    assert "10 signatures invalidated" in done.content.decode()
    assert counted_total(counting_petition) == 5
    assert seat_totals(counting_petition) == {"E14000001": 0, "E14000002": 1, "E14000003": 4}
    assert set(
        Signature.objects.filter(pk__in=chosen).values_list("invalidation_reason", flat=True)
    ) == {"Bulk sign-up"}


def test_the_action_without_a_reason_changes_nothing(organiser_client, counting_petition, seats):
    sign(counting_petition)
    signature = Signature.objects.get()

    response = organiser_client.post(
        reverse(CHANGELIST),
        {"action": "invalidate_selected", "_selected_action": [signature.pk], "apply": "1",
         "reason": "  "},
    )  # fmt: skip

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert invalidated_emails() == set()
    assert counted_total(counting_petition) == 1


def test_the_action_leaves_already_invalidated_signatures_as_they_were(
    organiser_client, counting_petition, seats
):
    for n in range(4):
        sign(counting_petition, n)
    first_two = Signature.objects.filter(email__in=["signer0@example.org", "signer1@example.org"])
    signatures_invalidate(signatures=first_two, reason="First pass")

    done = organiser_client.post(
        reverse(CHANGELIST),
        {"action": "invalidate_selected", "apply": "1", "reason": "Second pass",
         "_selected_action": list(Signature.objects.values_list("pk", flat=True))},
        follow=True,
    )  # fmt: skip

    assert "2 signatures invalidated; 2 already were" in done.content.decode()
    assert counted_total(counting_petition) == 0  # 4 - 2 - 2, never below
    reasons = dict(Signature.objects.values_list("email", "invalidation_reason"))
    assert reasons["signer0@example.org"] == "First pass"
    assert reasons["signer3@example.org"] == "Second pass"


def test_selecting_all_that_match_a_filter_invalidates_beyond_the_page(
    organiser_client, counting_petition, seats
):
    for n in range(3):
        sign(counting_petition, n, postcode="ZA2 1AA")
    sign(counting_petition, 9, postcode="ZA3 1AA")
    on_page = Signature.objects.filter(constituency_code="E14000002").first()
    url = reverse(CHANGELIST) + "?q=ZA2"
    # The changelist posts the ticked rows on the page and select_across=1.
    selected = {"action": "invalidate_selected", "select_across": "1",
                "_selected_action": [on_page.pk]}  # fmt: skip

    asked = organiser_client.post(url, selected)
    assert "Invalidate 3 signatures" in asked.content.decode()
    organiser_client.post(url, {**selected, "apply": "1", "reason": "Whole postcode"})

    assert invalidated_emails() == {f"signer{n}@example.org" for n in range(3)}
    assert counted_total(counting_petition) == 1
    assert seat_totals(counting_petition) == {"E14000002": 0, "E14000003": 1}


def test_the_petition_page_links_to_each_tool(organiser_client, petition):
    response = organiser_client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))

    html = response.content.decode()
    for name in ["invalidate", "abuse", "statistics", "signatures_csv", "constituencies_csv"]:
        assert f'href="{tool(name, petition)}"' in html


def test_changelist_filters_by_state_and_searches_by_ip_hash(
    organiser_client, counting_petition, seats
):
    sign(counting_petition, 1, ip="203.0.113.7")
    sign(counting_petition, 2, ip="198.51.100.9")
    signatures_invalidate(
        signatures=Signature.objects.filter(email="signer2@example.org"), reason="Test"
    )

    invalidated = organiser_client.get(reverse(CHANGELIST), {"state": "invalidated"})
    counted = organiser_client.get(reverse(CHANGELIST), {"state": "counted"})
    found = organiser_client.get(reverse(CHANGELIST), {"q": client_ip_hash("203.0.113.7")})

    def emails(response):
        return [s.email for s in response.context["cl"].result_list]

    assert emails(invalidated) == ["signer2@example.org"]
    assert emails(counted) == ["signer1@example.org"]
    assert emails(found) == ["signer1@example.org"]


# Invalidating by criteria


@pytest.fixture
def crowd(counting_petition, seats):
    """Eleven counted signatures in groups that one criterion each picks out."""
    for n in range(3):
        sign(counting_petition, n, email=f"ip{n}@example.org", ip="203.0.113.7")
    for n in range(2):
        sign(counting_petition, n, email=f"bot{n}@bulk.example", ip=f"198.51.100.{n}")
    for n in range(2):
        sign(counting_petition, n, email=f"seat{n}@example.org", postcode="ZA3 1AA")
    for n in range(2):
        sign(counting_petition, n, email=f"early{n}@example.org")
    for n in range(2):
        sign(counting_petition, n, email=f"plain{n}@example.org")
    Signature.objects.filter(email__startswith="early").update(
        created_at=timezone.now() - timedelta(days=3)
    )
    assert counted_total(counting_petition) == 11
    return counting_petition


CRITERIA_CASES = {
    "ip hash": (
        lambda: {"ip_hash": client_ip_hash("203.0.113.7")},
        {"ip0@example.org", "ip1@example.org", "ip2@example.org"},
    ),
    "email domain": (
        lambda: {"email_domain": "@Bulk.Example"},
        {"bot0@bulk.example", "bot1@bulk.example"},
    ),
    "postcode": (
        lambda: {"postcode": "za31aa"},
        {"seat0@example.org", "seat1@example.org"},
    ),
    "postcode district": (
        lambda: {"postcode": "za3"},
        {"seat0@example.org", "seat1@example.org"},
    ),
    "time range": (
        lambda: {
            "signed_from": local_minute(timezone.now() - timedelta(days=4)),
            "signed_to": local_minute(timezone.now() - timedelta(days=2)),
        },
        {"early0@example.org", "early1@example.org"},
    ),
}


@pytest.mark.parametrize("case", CRITERIA_CASES)
def test_invalidating_by_criteria_invalidates_exactly_the_matching_ones(
    organiser_client, crowd, case
):
    criteria, expected = CRITERIA_CASES[case]
    form = {**criteria(), "reason": "Stuffing"}

    preview = organiser_client.post(tool("invalidate", crowd), form)
    assert f"{len(expected)} signatures match" in preview.content.decode()
    assert invalidated_emails() == set()

    done = organiser_client.post(tool("invalidate", crowd), {**form, "confirm": "1"}, follow=True)

    assert f"{len(expected)} signatures invalidated" in done.content.decode()
    assert invalidated_emails() == expected
    assert counted_total(crowd) == 11 - len(expected)


def test_invalidating_by_criteria_without_a_reason_changes_nothing(organiser_client, crowd):
    response = organiser_client.post(
        tool("invalidate", crowd),
        {"ip_hash": client_ip_hash("203.0.113.7"), "reason": "", "confirm": "1"},
    )

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert invalidated_emails() == set()
    assert counted_total(crowd) == 11


def test_invalidating_by_criteria_needs_at_least_one_criterion(organiser_client, crowd):
    response = organiser_client.post(
        tool("invalidate", crowd), {"reason": "Everything", "confirm": "1"}
    )

    assert "Give at least one of" in response.content.decode()
    assert invalidated_emails() == set()


def test_already_invalidated_signatures_are_not_taken_off_the_totals_twice(organiser_client, crowd):
    ip = client_ip_hash("203.0.113.7")
    organiser_client.post(
        tool("invalidate", crowd), {"ip_hash": ip, "reason": "First", "confirm": "1"}
    )
    assert counted_total(crowd) == 8

    again = organiser_client.post(
        tool("invalidate", crowd),
        {"email_domain": "example.org", "reason": "Second", "confirm": "1"},
        follow=True,
    )

    # example.org: the three by IP (already out), two by seat, two early, two plain.
    assert "6 signatures invalidated; 3 already were" in again.content.decode()
    assert counted_total(crowd) == 2
    assert seat_totals(crowd)["E14000001"] == 2  # the two at bulk.example
    assert Signature.objects.get(email="ip0@example.org").invalidation_reason == "First"


def test_a_link_from_the_abuse_report_prefills_the_form(organiser_client, crowd):
    ip = client_ip_hash("203.0.113.7")

    response = organiser_client.get(tool("invalidate", crowd), {"ip_hash": ip})

    assert response.context["form"]["ip_hash"].value() == ip
    assert invalidated_emails() == set()


# Reports


def test_abuse_report_lists_the_busiest_ip_hash_first(
    organiser_client, counting_petition, seats, django_assert_max_num_queries
):
    for n in range(4):
        sign(counting_petition, n, ip="203.0.113.7")
    for n in range(4, 16):
        sign(counting_petition, n, ip=f"198.51.100.{n}")
    sign(counting_petition, email="jo+petition@gmail.com")
    sign(counting_petition, email="j.o@gmail.com")

    # One query per table, however many rows: fewer queries than the 12 other IPs alone.
    with django_assert_max_num_queries(10):
        response = organiser_client.get(tool("abuse", counting_petition))

    busiest = response.context["ip_hashes"][0]
    assert (busiest["ip_hash"], busiest["total"], busiest["counted"]) == (
        client_ip_hash("203.0.113.7"), 4, 4,
    )  # fmt: skip
    assert len(response.context["ip_hashes"]) == 13
    assert response.context["domains"][0]["email_domain"] == "example.org"
    assert [(r["canonical_email"], r["total"]) for r in response.context["canonical_emails"]] == [
        ("jo@gmail.com", 2)
    ]
    html = response.content.decode()
    assert f"{tool('invalidate', counting_petition)}?ip_hash={busiest['ip_hash']}" in html
    assert f"{tool('invalidate', counting_petition)}?canonical_email=jo%40gmail.com" in html


def test_statistics_show_sources_referrers_and_states(organiser_client, counting_petition, seats):
    leader = sign(counting_petition, 1, name="Lead Sharer")
    for n in range(2, 5):
        sign(counting_petition, n, source="twitter", referred_by=leader.share_code)
    sign(counting_petition, 5, source="facebook")
    signatures_invalidate(
        signatures=Signature.objects.filter(email="signer5@example.org"), reason="Test"
    )

    response = organiser_client.get(tool("statistics", counting_petition))

    context = response.context
    assert [(r["source"], r["total"]) for r in context["sources"]] == [
        ("twitter", 3), ("facebook", 1), ("web", 1),
    ]  # fmt: skip
    [referrer] = context["referrers"]
    assert (referrer.code, referrer.name, referrer.total) == (leader.share_code, "Lead Sharer", 3)
    assert context["states"] == {
        "total": 5, "counted": 4, "pending": 0, "suspect": 0, "invalidated": 1,
    }  # fmt: skip
    html = response.content.decode()
    assert "twitter" in html
    assert "Lead Sharer" in html


# Exports


def test_signatures_csv_has_every_signature_with_formulas_defused(
    organiser_client, counting_petition, seats, django_assert_max_num_queries
):
    sign(counting_petition, 1, name=EVIL, postcode="ZA2 1AA", source="twitter")
    leader = sign(counting_petition, 2)
    sign(counting_petition, 3, referred_by=leader.share_code)
    signatures_invalidate(
        signatures=Signature.objects.filter(email="signer3@example.org"), reason="Test"
    )

    # Two queries, however many signatures: names of seats, then the rows in chunks.
    with django_assert_max_num_queries(5):
        response = organiser_client.get(tool("signatures_csv", counting_petition))
        content = response.getvalue()

    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(content)
    assert rows[0] == SIGNATURE_EXPORT_COLUMNS
    assert len(rows) == 4
    evil, second, third = rows[1:]
    assert evil[0] == "'" + EVIL
    assert evil[1:5] == ["signer1@example.org", "ZA2 1AA", "E14000002", "Testford 2"]
    assert (evil[7], evil[8]) == ("counted", "twitter")
    assert evil[5] and evil[6]  # signed at, confirmed at
    assert (second[7], second[9]) == ("counted", "")
    assert (third[7], third[9]) == ("invalidated", leader.share_code)


def test_per_constituency_csv_gives_the_published_counts_and_each_mp(
    organiser_client, counting_petition, seats
):
    mp = RepresentativeFactory(constituency=seats["ZA1 1AA"], name=EVIL, email="mp1@example.org")
    RepresentativeFactory(constituency=seats["ZA1 1AA"], is_current=False, name="Former MP")
    for n in range(3):
        sign(counting_petition, n, postcode="ZA1 1AA")
    sign(counting_petition, 3, postcode="ZA2 1AA")
    counted_total(counting_petition)
    sign(counting_petition, 4, postcode="ZA2 1AA")  # not yet applied, so not yet published

    response = organiser_client.get(tool("constituencies_csv", counting_petition))

    assert response["Content-Type"].startswith("text/csv")
    assert csv_rows(response.content) == [
        ["constituency code", "constituency name", "MP name", "MP email", "counted signatures"],
        ["E14000001", "Testford 1", "'" + EVIL, mp.email, "3"],
        ["E14000002", "Testford 2", "", "", "1"],
    ]


# Access


ALL_TOOLS = ["invalidate", "abuse", "statistics", "signatures_csv", "constituencies_csv"]


@pytest.mark.parametrize("name", ALL_TOOLS)
def test_a_non_staff_user_is_sent_to_log_in(client, petition, name):
    client.force_login(UserFactory())

    response = client.get(tool(name, petition))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("name", ALL_TOOLS)
def test_staff_without_change_permission_on_petitions_are_refused(client, petition, name):
    client.force_login(UserFactory(is_staff=True))

    response = client.get(tool(name, petition))

    assert response.status_code == 403


def test_a_non_staff_user_cannot_run_the_action(client, counting_petition, seats):
    sign(counting_petition)
    client.force_login(UserFactory())

    response = client.post(
        reverse(CHANGELIST),
        {"action": "invalidate_selected", "apply": "1", "reason": "x",
         "_selected_action": list(Signature.objects.values_list("pk", flat=True))},
    )  # fmt: skip

    assert response.status_code == 302
    assert invalidated_emails() == set()
