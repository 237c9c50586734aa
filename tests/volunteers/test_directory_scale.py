"""The directory filtered by skill and region runs the same queries over 20,000
volunteers as over a handful (PostgreSQL, where organisers meet it)."""

import pytest

from tests.factories import OrganiserFactory
from volunteers.models import Skill, Supporter, User, VolunteerProfile, VolunteerSkill
from volunteers.selectors import volunteer_directory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

REGIONS = ["London", "North West", "Scotland", "Wales"]


def volunteers_add(count: int, start: int) -> None:
    """`count` volunteers in bulk: every other one a designer, one in four in London."""
    design, writing = Skill.objects.get(slug="design"), Skill.objects.get(slug="writing")
    users = User.objects.bulk_create(
        User(email=f"v{n}@example.org", name=f"Volunteer {n}", password="!")
        for n in range(start, start + count)
    )
    Supporter.objects.bulk_create(Supporter(email=u.email, name=u.name, user=u) for u in users)
    profiles = VolunteerProfile.objects.bulk_create(
        VolunteerProfile(
            user=user,
            postcode="ZA1 1AA",
            constituency_code=f"E14{n % 650:06d}",
            constituency_name=f"Seat {n % 650}",
            region=REGIONS[n // 2 % 4],
            weekends=n % 3 == 0,
        )
        for n, user in enumerate(users, start=start)
    )
    VolunteerSkill.objects.bulk_create(
        VolunteerSkill(volunteer=p, skill=design if n % 2 else writing, level=n % 3 + 1)
        for n, p in enumerate(profiles, start=start)
    )


def test_directory_filtered_by_skill_and_region_runs_fixed_queries_over_20000(
    client, django_assert_max_num_queries
):
    client.force_login(OrganiserFactory())
    admin_list = "/admin/volunteers/volunteerprofile/?skill=design&level=2&region=London"
    api_list = "/api/v1/volunteers/?skill=design&min_level=2&region=London"

    def queries() -> tuple[int, int, int, int]:
        with django_assert_max_num_queries(60) as page:
            assert client.get(admin_list).status_code == 200
        with django_assert_max_num_queries(60) as api:
            body = client.get(api_list).json()
        matched = volunteer_directory(skill="design", min_level=2, region="London").count()
        assert len(body["results"]) == min(50, matched)
        with django_assert_max_num_queries(60) as deeper:  # the next page, by its cursor
            if body["next"]:
                client.get(body["next"])
        return (
            len(page.captured_queries),
            len(api.captured_queries),
            matched,
            len(deeper.captured_queries) if body["next"] else None,
        )

    volunteers_add(8, start=0)
    few = queries()
    volunteers_add(20_000, start=8)
    many = queries()

    assert many[:2] == few[:2]
    assert few[2] < many[2] and many[2] > 1000  # the filters matched real rows
    assert many[3] == many[1]  # a page further on costs the same
