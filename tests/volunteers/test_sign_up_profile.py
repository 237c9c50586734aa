"""Volunteer sign-up asks for a profile (name, postcode, phone, skills with levels,
availability, how they heard, separate consents), on the web and in the app API; the
profile joins the person's supporter record once the address is verified."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, SIGN_UP_POSTCODE, sign_up_details
from volunteers.models import ConsentRecord, Supporter, User, VolunteerProfile
from volunteers.services import CONSENT_WORDING, supporter_get_or_create

pytestmark = pytest.mark.django_db

APP = "/_allauth/app/v1"


def web_sign_up(client, email="sam@example.org", **fields):
    form = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("account_signup"), {**form, **sign_up_details(**fields)})


def app_sign_up(client, email="sam@example.org", **fields):
    body = {"email": email, "password": PASSWORD, **sign_up_details(**fields)}
    return client.post(APP + "/auth/signup", body, content_type="application/json")


def verify(client, email):
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", message.body).group(1)
    return client.post(reverse("account_confirm_email", args=[key]))


FULL = {
    "phone": "07400 123456",
    "skill-design": "3",
    "skill-video": "1",
    "weekday_evenings": "on",
    "weekends": "on",
    "hours_per_week": "4",
    "heard_from": "friend",
    "consent_volunteering": "on",
}


def test_the_web_sign_up_stores_the_whole_profile(client):
    response = web_sign_up(client, **FULL)

    assert response.status_code == 302, response.content.decode()[:2000]
    profile = VolunteerProfile.objects.get(user__email="sam@example.org")
    assert profile.user.name == "Sam Volunteer"
    assert (profile.postcode, profile.constituency_code, profile.constituency_name) == (
        SIGN_UP_POSTCODE,
        "E14009999",
        "Signupton",
    )
    assert profile.region == "London"
    assert profile.phone == "+447400123456"
    assert {(s.skill.slug, s.level) for s in profile.skills.all()} == {("design", 3), ("video", 1)}
    assert (profile.weekday_daytime, profile.weekday_evenings, profile.weekends) == (
        False,
        True,
        True,
    )
    assert profile.hours_per_week == 4
    assert profile.heard_from == "friend"


def test_ticked_consents_are_recorded_with_their_words_and_time_once_verified(client):
    signed_up_at = timezone.now() - timedelta(hours=3)
    with time_machine.travel(signed_up_at, tick=False):
        web_sign_up(client, **FULL)
    assert not ConsentRecord.objects.exists()  # nothing on anyone's record before verifying

    verify(client, "sam@example.org")

    [consent] = Supporter.objects.get(email="sam@example.org").consents.all()
    assert consent.purpose == ConsentRecord.Purpose.VOLUNTEERING
    assert consent.wording == CONSENT_WORDING[ConsentRecord.Purpose.VOLUNTEERING]
    assert consent.given_at == signed_up_at
    assert consent.source == "sign-up"
    assert VolunteerProfile.objects.get().pending_consents == []


def test_unticked_consents_record_nothing(client):
    web_sign_up(client)
    verify(client, "sam@example.org")

    assert not ConsentRecord.objects.exists()


def test_verifying_joins_the_profile_to_the_earlier_supporter_record(client):
    earlier, _ = supporter_get_or_create(email="sam@example.org", name="Sam")

    web_sign_up(client, **FULL)
    verify(client, "sam@example.org")

    earlier.refresh_from_db()
    assert earlier.user.email == "sam@example.org"
    assert (earlier.postcode, earlier.constituency_code) == (SIGN_UP_POSTCODE, "E14009999")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"postcode": "not a postcode"}, "postcode", "That is not a UK postcode"),
        ({"postcode": ""}, "postcode", "This field is required"),
        ({"name": ""}, "name", "This field is required"),
        ({"phone": "12345"}, "phone", "Enter a phone number"),
        ({"skill-design": "7"}, "skill-design", "Select a valid choice"),
        ({"hours_per_week": "500"}, "hours_per_week", "less than or equal to 80"),
        ({"heard_from": "carrier pigeon"}, "heard_from", "Select a valid choice"),
    ],
)
def test_bad_input_is_a_form_error_and_stores_nothing(client, fields, field, message):
    response = web_sign_up(client, **fields)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "There is a problem" in response.content.decode()
    assert not User.objects.exists() and not VolunteerProfile.objects.exists()


def test_the_app_api_takes_the_profile_with_skills_as_a_list(client):
    response = app_sign_up(
        client,
        phone="+44 7400 123456",
        skills=[{"skill": "design", "level": "expert"}, {"skill": "seo", "level": 2}],
        weekends=True,
        hours_per_week=6,
        consent_campaign_email=True,
    )

    assert response.status_code == 401, response.content  # verification pending
    profile = VolunteerProfile.objects.get()
    assert {(s.skill.slug, s.level) for s in profile.skills.all()} == {("design", 3), ("seo", 2)}
    assert profile.weekends and profile.hours_per_week == 6
    assert [c["purpose"] for c in profile.pending_consents] == ["campaign-email"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"postcode": "ZZ99 9ZZ9"}, "postcode"),
        ({"skills": [{"skill": "juggling", "level": 2}]}, None),
        ({"skills": [{"skill": "design", "level": "guru"}]}, "skill-design"),
        ({"phone": "call me"}, "phone"),
    ],
)
def test_the_app_api_answers_bad_input_with_a_400_naming_the_field(client, fields, field):
    response = app_sign_up(client, **fields)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and all(e.get("param") == field for e in errors), errors
    assert not User.objects.exists()


def test_a_sign_up_with_a_known_address_stores_no_profile(client):
    web_sign_up(client, email="known@example.org")
    profiles = VolunteerProfile.objects.count()

    response = web_sign_up(client, email="known@example.org", postcode=SIGN_UP_POSTCODE)

    assert response.status_code == 302
    assert VolunteerProfile.objects.count() == profiles == 1
