"""The dashboard's tables beyond path and push next (#21), on hand-built data where each
number is known: pressure by kind and window, the tally over time, petitions, events,
volunteers, email and abuse; their CSV and chart downloads; who may fetch them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from campaigns.events.models import RSVP
from campaigns.petitions.models import PetitionViewDay, Signature
from campaigns.targets.models import TargetStatusChange
from organiser.dashboard import dashboard_compute, dashboard_tables
from organiser.models import DashboardFigure, OutboxEmail
from tests.factories import (
    ActionRecordFactory,
    CampaignFactory,
    EventFactory,
    LetterCampaignFactory,
    LetterFactory,
    OrganiserFactory,
    PetitionFactory,
    ScheduledMessageFactory,
    ShiftFactory,
    SupporterFactory,
    TargetFactory,
    UserFactory,
)

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def tables(campaign) -> dict:
    return {table.key: table for table in dashboard_tables(campaign, now=NOW)}


def column(table, name) -> list:
    index = table.columns.index(name)
    return [row[index] for row in table.rows]


def test_pressure_per_target_counts_each_kind_over_7_and_30_days_with_the_reply_rate():
    campaign = CampaignFactory()
    pressed = TargetFactory(campaign=campaign, status="undecided")
    quiet = TargetFactory(campaign=campaign, status="leaning")
    for days, kind in [(1, "letter"), (3, "letter"), (10, "letter"), (40, "letter"), (2, "call")]:
        ActionRecordFactory(target=pressed, kind=kind, occurred_at=NOW - timedelta(days=days))
    letters = LetterCampaignFactory(campaign=campaign)
    for reply in ["yes", "yes", "no"]:
        LetterFactory(letter_campaign=letters, representative=pressed.representative, reply=reply)

    table = tables(campaign)["pressure-per-target"]

    assert column(table, "Target") == [pressed.name, quiet.name]  # most pressed first
    first = dict(zip(table.columns, table.rows[0], strict=True))
    assert (first["Letters, 7 days"], first["Letters, 30 days"]) == (2, 3)
    assert (first["Calls, 7 days"], first["Calls, 30 days"]) == (1, 1)
    assert first["All actions, 30 days"] == 4
    assert first["Replied to letters"] == "2 of 3"
    assert table.rows[1][-1] == 0
    assert "1 of 2 targets had none" in table.summary


def test_the_tally_over_time_walks_back_through_the_status_changes():
    campaign = CampaignFactory(threshold=3)
    early, late = TargetFactory.create_batch(2, campaign=campaign, status="nominated")
    TargetFactory(campaign=campaign, status="pledged")
    TargetStatusChange.objects.create(
        target=early, from_status="pledged", to_status="nominated",
        changed_at=NOW - timedelta(days=5),
    )  # fmt: skip
    TargetStatusChange.objects.create(
        target=late, from_status="undecided", to_status="nominated",
        changed_at=NOW - timedelta(days=1),
    )  # fmt: skip

    rows = {row[0]: row for row in tables(campaign)["tally-over-time"].rows}

    day = lambda n: (NOW - timedelta(days=n)).date().isoformat()  # noqa: E731
    assert rows[day(0)][1:3] == [2, 1]
    assert rows[day(1)][1:3] == [2, 1] and f"{late.name}: Undecided to Nominated" in rows[day(1)][3]
    assert rows[day(2)][1:3] == [1, 1]  # before `late` nominated
    assert rows[day(6)][1:3] == [0, 2]  # before `early` went from pledged to nominated
    assert rows[day(6)][3] == ""


def _signature(petition, **fields):
    n = Signature.objects.count()
    values = {
        "name": "Jo",
        "email": f"jo{n}@example.org",
        "canonical_email": f"jo{n}@example.org",
        "email_domain": "example.org",
        "postcode": "ZA1 1AA",
        "share_code": "x",
    }
    return Signature.objects.create(petition=petition, **{**values, **fields})


def test_petitions_per_day_by_source_by_code_and_from_view_to_confirmed():
    campaign = CampaignFactory()
    petition = PetitionFactory(campaign=campaign)
    yesterday = NOW - timedelta(days=1)
    PetitionViewDay.objects.create(petition=petition, day=yesterday.date(), views=40)
    for source, ref, confirmed in [
        ("twitter", "abc", True),
        ("twitter", "abc", False),
        ("web", "", True),
        ("twitter", "def", True),
    ]:
        _signature(
            petition,
            created_at=yesterday,
            source=source,
            referred_by=ref,
            confirmed_at=yesterday if confirmed else None,
            counted=confirmed,
        )
    _signature(petition, created_at=NOW - timedelta(days=45), confirmed_at=NOW, counted=True)

    found = tables(campaign)
    per_day = {row[0]: row[1:] for row in found["petitions-per-day"].rows}
    by_source = {row[0]: row[1:] for row in found["petitions-by-source"].rows}
    funnel = {row[0]: row[1] for row in found["petitions-funnel"].rows}

    assert per_day[yesterday.date().isoformat()] == [40, 4, 3, 3]
    assert by_source == {"twitter": [3, 2, 2, 0.6667], "web": [1, 1, 1, 1.0]}
    assert found["petitions-by-referral"].rows == [["abc", 2, 1, 0.5], ["def", 1, 1, 1.0]]
    assert funnel == {"Page views": 40, "Signed": 4, "Confirmed by email": 3, "Counted": 3}


def test_events_go_from_sign_up_to_attendance_by_kind_and_by_referrer():
    campaign = CampaignFactory()
    stall = ShiftFactory(event=EventFactory(campaign=campaign, kind="street_stall"))
    rally = ShiftFactory(event=EventFactory(campaign=campaign, kind="rally"))
    for shift, state, source in [
        (stall, "attended", "flyer"),
        (stall, "confirmed", "flyer"),
        (stall, "signed_up", "web"),
        (stall, "awaiting_confirmation", "web"),  # never confirmed their email
        (rally, "no_show", "web"),
    ]:
        supporter = SupporterFactory()
        RSVP.objects.create(
            shift=shift, supporter=supporter, name="Jo", email=supporter.email,
            state=state, code=f"c{supporter.pk}", source=source,
        )  # fmt: skip

    found = tables(campaign)

    assert found["events-by-kind"].rows == [
        ["Street stall", 3, 2, 1, 0.3333],
        ["Rally", 1, 0, 0, 0.0],
    ]
    assert found["events-by-source"].rows == [["flyer", 2, 2, 1, 0.5], ["web", 2, 0, 0, 0.0]]


def test_email_shows_each_message_with_its_complaint_rate_against_the_limit():
    ok = ScheduledMessageFactory(state="sent", subject="Fine", send_at=NOW - timedelta(days=2))
    bad = ScheduledMessageFactory(state="sent", subject="Spammy", send_at=NOW - timedelta(days=1))
    for message, complaints in [(ok, 0), (bad, 1)]:
        for i in range(200):
            OutboxEmail.objects.create(
                message=message,
                supporter=SupporterFactory(),
                state="sent",
                delivery="complained" if i < complaints else "delivered",
                unsubscribed_at=NOW if i == 199 else None,
            )

    table = tables(CampaignFactory())["email"]
    rows = {
        row[0].split(" ", 2)[2]: dict(zip(table.columns, row, strict=True)) for row in table.rows
    }

    assert rows["Fine"]["Complaint rate"] == 0.0 and rows["Fine"]["Over 0.3%"] == ""
    assert rows["Spammy"]["Complaint rate"] == 0.005 and rows["Spammy"]["Over 0.3%"] == "over"
    assert rows["Spammy"]["Delivered"] == 199 and rows["Spammy"]["Unsubscribed"] == 1
    assert "1 over the 0.3%" in table.summary


def test_abuse_adds_up_one_network_across_petitions_and_letters_and_what_waits():
    campaign = CampaignFactory()
    petition = PetitionFactory(campaign=campaign)
    letters = LetterCampaignFactory(campaign=campaign)
    for _ in range(3):
        _signature(petition, created_at=NOW, ip_hash="a" * 32, email_domain="spam.example")
    _signature(petition, created_at=NOW, ip_hash="b" * 32, is_suspect=True)
    for _ in range(2):
        LetterFactory(letter_campaign=letters, ip_hash="b" * 32, state="held_for_review")

    found = tables(campaign)

    assert found["abuse-ip-hashes"].rows == [["a" * 12, 3, 0, 0, 0], ["b" * 12, 1, 1, 2, 2]]
    assert found["abuse-email-domains"].rows[0] == ["spam.example", 3, 0, 0]
    assert found["abuse-waiting"].rows == [
        ["Suspect signatures", 1],
        ["Letters held for review", 2],
    ]


def test_volunteers_by_day_skill_and_region_with_the_active_ones(client):
    from tests.factories import sign_up_place

    sign_up_place()
    from volunteers.models import Skill, VolunteerProfile, VolunteerSkill

    skill = Skill.objects.get_or_create(slug="design", defaults={"name": "Design"})[0]
    skill.name = "Design"
    skill.save()
    for active in [True, False]:
        user = UserFactory()
        supporter = SupporterFactory(user=user, last_active_at=NOW if active else None)
        profile = VolunteerProfile.objects.create(
            user=supporter.user, postcode="ZA9 9ZZ", constituency_code="E14009999",
            constituency_name="Signupton", region="London",
        )  # fmt: skip
        VolunteerSkill.objects.create(volunteer=profile, skill=skill, level=2)

    found = tables(CampaignFactory())

    assert {row[0]: row[1] for row in found["volunteers-per-day"].rows}[NOW.date().isoformat()] == 2
    assert ["Design", 0, 2, 0, 2] in found["volunteers-by-skill"].rows
    assert ["London", 2, 1] in found["volunteers-by-region"].rows


def test_each_table_downloads_as_csv_and_its_chart_as_an_svg_without_script(client):
    campaign = CampaignFactory(threshold=2)
    TargetFactory(campaign=campaign, status="undecided", representative__name="=HYPERLINK(1)")
    dashboard_compute(campaign)
    client.force_login(OrganiserFactory())

    csv = client.get(reverse("dashboard:csv", args=[campaign.slug, "push-next"]))
    chart = client.get(reverse("dashboard:chart", args=[campaign.slug, "pressure-per-day"]))
    missing = client.get(reverse("dashboard:csv", args=[campaign.slug, "nothing-here"]))

    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("Target,Seat,Status,Score")
    assert lines[1].startswith("'=HYPERLINK(1)")  # text to a spreadsheet, never a formula
    assert chart["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in chart.content and b"<script" not in chart.content
    assert "'unsafe-inline'" in chart["Content-Security-Policy"]
    assert missing.status_code == 404


@pytest.mark.parametrize("name", ["csv", "chart"])
def test_a_volunteer_gets_403_for_the_downloads_too(client, name):
    campaign = CampaignFactory()
    dashboard_compute(campaign)
    key = DashboardFigure.objects.exclude(chart_svg="").filter(campaign=campaign).first().key
    client.force_login(UserFactory())

    response = client.get(reverse(f"dashboard:{name}", args=[campaign.slug, key]))

    assert response.status_code == 403


def test_a_page_view_of_a_petition_is_counted_for_its_day(client):
    petition = PetitionFactory(state="open")

    for _ in range(3):
        client.get(reverse("petitions:detail", args=[petition.slug]))

    assert PetitionViewDay.objects.get(petition=petition, day=NOW.date()).views == 3
