"""GET/PATCH /api/v1/me/, GET /api/v1/me/actions/ and /api/v1/me/next-actions/."""

import pytest

from campaigns.petitions.services import petition_sign
from tests.factories import PetitionFactory, PostcodeFallbackFactory, UserFactory, sign_up_details
from volunteers.models import ConsentRecord, Skill, Supporter, VolunteerProfile
from volunteers.places import place_for_postcode
from volunteers.services import ProfileDetails, supporter_link_user, volunteer_sign_up

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


@pytest.fixture
def volunteer(client):
    user = UserFactory(email="sam@example.org", name="Sam Volunteer")
    place = place_for_postcode(sign_up_details()["postcode"])
    design = Skill.objects.get(slug="design")
    volunteer_sign_up(
        user=user,
        details=ProfileDetails(place=place, phone="+447400123456", skills={design: 2}),
    )
    supporter_link_user(user=user)
    client.force_login(user)
    return user


def patch(client, body):
    return client.patch(ME, body, content_type="application/json")


def test_get_me_gives_the_profile_and_the_consents(client, volunteer):
    me = client.get(ME).json()

    assert me["email"] == "sam@example.org" and me["is_volunteer"] is True
    assert me["profile"]["constituency_code"] == "E14009999"
    assert me["profile"]["phone"] == "+447400123456"
    assert me["profile"]["skills"] == [
        {"skill": "design", "name": "Design and memes", "level": 2, "level_name": "Confident"}
    ]
    assert me["consents"] == {"volunteering": False, "campaign_email": False}


def test_patch_changes_only_what_it_gives(client, volunteer):
    PostcodeFallbackFactory(code="ZA5 5AB", constituency_code="E14000555")

    response = patch(
        client,
        {
            "postcode": "za5 5ab",
            "skills": [{"skill": "video", "level": "expert"}, {"skill": "seo", "level": 1}],
            "availability": {"weekends": True, "hours_per_week": 5},
            "consents": {"campaign_email": True},
        },
    )

    assert response.status_code == 200, response.json()
    me = response.json()
    assert me["profile"]["constituency_code"] == "E14000555"
    assert {(s["skill"], s["level"]) for s in me["profile"]["skills"]} == {("video", 3), ("seo", 1)}
    assert me["profile"]["availability"] == {
        "weekday_daytime": False,
        "weekday_evenings": False,
        "weekends": True,
        "hours_per_week": 5,
    }
    assert me["profile"]["phone"] == "+447400123456"  # not given: unchanged
    assert me["consents"] == {"volunteering": False, "campaign_email": True}
    assert Supporter.objects.get(user=volunteer).constituency_code == "E14000555"


def test_patch_withdraws_a_consent_and_keeps_its_record(client, volunteer):
    patch(client, {"consents": {"volunteering": True}})
    response = patch(client, {"consents": {"volunteering": False}})

    assert response.json()["consents"]["volunteering"] is False
    [record] = ConsentRecord.objects.filter(supporter__user=volunteer)
    assert record.withdrawn_at is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"postcode": "not a postcode"}, "postcode"),
        ({"phone": "call me maybe"}, "phone"),
        ({"skills": [{"skill": "juggling", "level": 2}]}, "skills"),
        # NUL in a looked-up value: PostgreSQL refuses the query, which was a 500.
        ({"skills": [{"skill": "des\x00ign", "level": 2}]}, "skills"),
        ({"skills": [{"skill": "design", "level": "guru"}]}, "skills"),
        ({"availability": {"hours_per_week": 200}}, "availability"),
        ({"heard_from": "a dream"}, "heard_from"),
        ({"name": "x" * 151}, "name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(client, volunteer, body, field):
    before = VolunteerProfile.objects.get(user=volunteer)

    response = patch(client, body)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    after = VolunteerProfile.objects.get(user=volunteer)
    assert after.updated_at == before.updated_at
    assert [s.skill.slug for s in after.skills.all()] == ["design"]


def test_an_account_without_a_profile_is_asked_for_a_postcode_first(client):
    client.force_login(UserFactory())

    response = patch(client, {"phone": "07400 123456"})

    assert response.status_code == 400
    assert response.json()["fields"] == {"postcode": ["Enter your postcode."]}


def test_my_actions_and_next_actions(client, volunteer):
    signed, unsigned = PetitionFactory(title="Signed one"), PetitionFactory(title="Open one")
    petition_sign(petition=signed, name="Sam", email="sam@example.org", postcode="ZA9 9ZZ")

    actions = client.get(ME + "actions/").json()
    next_actions = client.get(ME + "next-actions/").json()

    assert [a["title"] for a in actions["results"]] == ["Signed the petition: Signed one"]
    assert actions["results"][0]["kind"] == "signature"
    assert [a["url"] for a in next_actions] == [f"/petitions/{unsigned.slug}/"]


def test_my_actions_run_the_same_queries_however_many(
    client, volunteer, django_assert_max_num_queries
):
    def sign(n):
        for _ in range(n):
            petition_sign(
                petition=PetitionFactory(), name="Sam", email="sam@example.org", postcode="ZA9 9ZZ"
            )

    sign(1)
    with django_assert_max_num_queries(30) as few:
        client.get(ME + "actions/")
        client.get(ME + "next-actions/")
    sign(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(ME + "actions/").json()["count"] == 11
        client.get(ME + "next-actions/")


@pytest.mark.parametrize("path", ["", "actions/", "next-actions/", "export/"])
def test_each_needs_a_signed_in_account(client, path):
    response = client.get(ME + path)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
