"""The volunteer directory for organisers: the admin list with its filters, CSV export,
GET /api/v1/volunteers/, the audit log of every view and export; and that a volunteer
reaches none of it, nor any other organiser endpoint."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver
from django.utils import timezone

from tests.factories import OrganiserFactory, UserFactory
from volunteers.models import (
    OrganiserAccess,
    Skill,
    Supporter,
    Tag,
    Team,
    User,
    VolunteerProfile,
    VolunteerSkill,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/volunteers/volunteerprofile/"
API = "/api/v1/volunteers/"


def volunteer(name, *, region="London", code="E14000001", skills=(), weekends=False, active=None):
    user = UserFactory(name=name, email=f"{name.split()[0].lower()}@example.org")
    Supporter.objects.create(email=user.email, name=name, user=user, last_active_at=active)
    profile = VolunteerProfile.objects.create(
        user=user,
        postcode="ZA1 1AA",
        constituency_code=code,
        constituency_name=f"Seat {code}",
        region=region,
        weekends=weekends,
        phone="+447400123456",
    )
    for slug, level in skills:
        VolunteerSkill.objects.create(
            volunteer=profile, skill=Skill.objects.get(slug=slug), level=level
        )
    return profile


@pytest.fixture
def people(db):
    return {
        "ada": volunteer("Ada Designer", skills=[("design", 3)], weekends=True),
        "bo": volunteer("Bo Learner", skills=[("design", 1)]),
        "cy": volunteer(
            "Cy Northern", region="North West", code="E14000002", skills=[("design", 3)]
        ),
        "di": volunteer("Di Writer", skills=[("writing", 2)], active=timezone.now()),
    }


@pytest.fixture
def organiser(client):
    user = OrganiserFactory(email="organiser@example.org")
    client.force_login(user)
    return user


def names_listed(response) -> set[str]:
    return set(re.findall(r'class="field-name">(?:<a [^>]*>)?([^<]+)<', response.content.decode()))


def test_the_admin_list_filters_by_skill_level_region_and_availability(client, organiser, people):
    def listed(query):
        return names_listed(client.get(CHANGELIST + query))

    assert listed("?skill=design") == {"Ada Designer", "Bo Learner", "Cy Northern"}
    assert listed("?skill=design&level=3") == {"Ada Designer", "Cy Northern"}
    assert listed("?skill=design&level=3&region=London") == {"Ada Designer"}
    assert listed("?weekends__exact=1") == {"Ada Designer"}
    assert listed("?active=7") == {"Di Writer"}
    assert listed("?active=not-7") == {"Ada Designer", "Bo Learner", "Cy Northern"}


def test_tags_and_teams_with_leads(client, organiser, people):
    team = Team.objects.create(name="Social media")
    team.leads.add(people["ada"])
    people["ada"].teams.add(team)
    people["bo"].teams.add(team)
    people["cy"].tags.add(Tag.objects.create(name="Has a car"))

    assert names_listed(client.get(CHANGELIST + f"?teams__id__exact={team.pk}")) == {
        "Ada Designer",
        "Bo Learner",
    }
    teams = client.get("/admin/volunteers/team/").content.decode()
    assert "Ada Designer" in teams  # the lead


def test_the_csv_export_of_a_filtered_list_is_logged_without_the_search(client, organiser, people):
    selected = [people["ada"].pk, people["cy"].pk]

    response = client.post(
        CHANGELIST + "?skill=design&level=3&q=designer",
        {"action": "export_csv", "_selected_action": selected},
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["name", "email", "phone"]
    assert {row[0] for row in rows[1:]} == {"Ada Designer"}  # the search narrowed it
    assert rows[1][7] == "Design and memes (Expert)"
    [entry] = OrganiserAccess.objects.all()
    assert (entry.organiser, entry.action) == (organiser, "exported")
    assert entry.detail == "1 volunteers; filters: level=3, skill=design; with a search"
    assert "designer" not in entry.detail


def test_viewing_a_volunteers_record_is_logged(client, organiser, people):
    response = client.get(f"{CHANGELIST}{people['bo'].pk}/change/")

    assert response.status_code == 200
    assert "+447400123456" in response.content.decode()
    [entry] = OrganiserAccess.objects.all()
    assert (entry.organiser, entry.action, entry.volunteer_id) == (
        organiser,
        "viewed",
        people["bo"].pk,
    )


def test_the_api_lists_volunteers_for_organisers_with_filters_and_logs_it(
    client, organiser, people
):
    response = client.get(API, {"skill": "design", "min_level": 3, "region": "London"})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["name"], row["email"], row["phone"]) == (
        "Ada Designer",
        "ada@example.org",
        "+447400123456",
    )
    assert row["skills"][0]["level_name"] == "Expert"
    [entry] = OrganiserAccess.objects.all()
    assert entry.action == "listed"
    assert entry.detail == "1 volunteers shown; filters: skill=design, min_level=3, region=London"


def test_the_api_filters_by_availability_and_activity(client, organiser, people):
    since = (timezone.now() - timedelta(days=1)).isoformat()

    weekends = client.get(API, {"available": "weekends"}).json()["results"]
    active = client.get(API, {"active_since": since}).json()["results"]

    assert [r["name"] for r in weekends] == ["Ada Designer"]
    assert [r["name"] for r in active] == ["Di Writer"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"skill": "juggling"}, "skill"),
        ({"min_level": 9}, "min_level"),
        ({"available": "x"}, "available"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client, organiser, query, field):
    response = client.get(API, query)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_a_staff_account_without_the_view_permission_is_refused(client, people):
    client.force_login(OrganiserFactory(is_superuser=False))

    assert client.get(API).status_code == 403


# A volunteer reaches none of it


def admin_paths() -> list[str]:
    """Every page of the admin (each model's list, add, change, delete and history pages
    and the organisers' own tools), with 1 for each id in it."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append(route)

    walk(admin.site.get_urls(), "/admin/")
    paths = set()
    for route in found:
        path = re.sub(r"<(?:\w+:)?\w+>", "1", route).replace("^", "").replace("$", "")
        if "(?P" in path or "\\" in path:  # the catch-all and regex routes
            continue
        paths.add(path)
    return sorted(paths)


def test_the_admin_has_many_pages_to_check():
    paths = admin_paths()

    assert CHANGELIST in paths and "/admin/volunteers/organiseraccess/" in paths
    assert len(paths) > 100


def test_a_volunteer_is_refused_every_admin_page(client, people):
    """One test over every page (each a request and its redirect), naming those that let
    a volunteer in."""
    client.force_login(people["bo"].user)
    let_in = []

    for path in admin_paths():
        response = client.get(path, follow=True)
        if response.status_code not in (403, 404) or b"+447400123456" in response.content:
            let_in.append((path, response.status_code))

    assert let_in == []


def test_a_volunteer_is_refused_the_export_and_another_persons_record(client, people):
    client.force_login(people["bo"].user)

    exported = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [people["ada"].pk]}, follow=True
    )
    record = client.get(f"{CHANGELIST}{people['ada'].pk}/change/", follow=True)

    assert exported.status_code == record.status_code == 403
    assert "ada@example.org" not in exported.content.decode() + record.content.decode()
    assert not OrganiserAccess.objects.exists()


ORGANISER_API = [
    ("get", API, None),
    ("get", API + "?skill=design", None),
    ("get", "/api/v1/actions/?all=1", None),
    ("patch", "/api/v1/campaigns/{campaign}/targets/{target}/", {"status": "nominated"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ORGANISER_API)
def test_a_volunteer_is_refused_every_organiser_endpoint_of_the_api(
    client, people, method, path, body
):
    from tests.factories import TargetFactory

    target = TargetFactory()
    client.force_login(people["bo"].user)

    response = getattr(client, method)(
        path.format(campaign=target.campaign.slug, target=target.pk),
        body,
        content_type="application/json",
    )

    assert response.status_code in (403, 404)
    assert "ada@example.org" not in response.content.decode()
    target.refresh_from_db()
    assert target.status != "nominated"


def test_signed_out_nobody_gets_the_directory(client, people):
    assert client.get(API).status_code == 401
    assert User.objects.filter(is_staff=True).count() == 0


def test_organisers_see_a_supporters_consent_history(client, organiser):
    from volunteers.services import consent_set

    supporter = Supporter.objects.create(email="jo@example.org")
    consent_set(supporter=supporter, purpose="campaign-email", wanted=True, source="petition:x")
    consent_set(supporter=supporter, purpose="campaign-email", wanted=False, source="profile")

    page = client.get(f"/admin/volunteers/supporter/{supporter.pk}/change/").content.decode()

    assert "consent history" in page.lower()
    assert "Campaign email" in page and "(petition:x)" in page and "withdrawn" in page


def test_organisers_download_the_data_of_someone_without_an_account(client, organiser):
    from campaigns.petitions.services import petition_sign
    from tests.factories import PetitionFactory, PostcodeFallbackFactory

    PostcodeFallbackFactory(code="ZA1 1AA")
    petition_sign(
        petition=PetitionFactory(), name="Jo Bloggs", email="jo@example.org", postcode="ZA1 1AA"
    )
    someone_else = Supporter.objects.create(email="other@example.org")
    jo = Supporter.objects.get(email="jo@example.org")

    response = client.post(
        "/admin/volunteers/supporter/", {"action": "export_data", "_selected_action": [jo.pk]}
    )

    data = response.json()[str(jo.pk)]
    assert data["volunteers"]["supporter"]["email"] == "jo@example.org"
    assert data["petitions"]["signatures"][0]["name"] == "Jo Bloggs"
    assert someone_else.email not in response.content.decode()
    [entry] = OrganiserAccess.objects.all()
    assert (entry.action, entry.detail) == ("exported", f"data of supporters {jo.pk}")
