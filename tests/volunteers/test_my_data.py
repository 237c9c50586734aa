"""A person's own data: download all of it; "delete me" with their password erases them
everywhere, keeps every count and never emails them again. On the web and in the API."""

import json

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, SupporterFactory, VolunteerFactory
from tests.harness.personal_data import columns_holding
from tests.volunteers.erasure import (
    EMAIL,
    NAME,
    PERSONAL,
    PHONE,
    PHONE_E164,
    PLACES,
    POST_URL,
    POSTCODE,
    counts_now,
    person,
    uploaded_files,
)
from volunteers.mail import email_is_suppressed
from volunteers.models import Supporter

__all__ = ["person"]  # the fixture


@pytest.fixture
def signed_in(client, person):
    volunteer = person[0]
    client.force_login(volunteer.user)
    return client


def test_the_download_holds_everything_of_the_person_and_nothing_of_anyone_else(signed_in):
    response = signed_in.get(reverse("volunteers:my-data-download"))

    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert data["volunteers"]["supporter"]["email"] == EMAIL
    assert len(data["petitions"]["signatures"]) == 1
    assert len(data["letters"]["letters"]) == 1
    assert len(data["storms"]["pledges"]) == 1
    assert data["events"]["rsvps"][0]["phone"] == PHONE
    assert data["organiser"]["emails"][0]["state"] == "sent", data["organiser"]
    volunteer = data["volunteers"]["volunteer"]
    assert (volunteer["phone"], volunteer["postcode"]) == (PHONE_E164, POSTCODE)
    assert volunteer["skills"] == [{"skill": "Design and memes", "level": "Expert"}]
    assert volunteer["availability"]["weekends"] is True
    assert (volunteer["tags"], volunteer["teams"]) == (["Has a car"], ["Social media"])
    assert [c["purpose"] for c in data["volunteers"]["consents"]] == ["campaign-email"]
    assert data["briefs"]["submissions"][0]["image_alt"] == f"A drawing by {NAME}"
    assert [a["url"] for a in data["pressure"]["reported_actions"]] == [POST_URL]
    assert "someone.else@example.org" not in response.content.decode()


def test_delete_me_with_a_wrong_password_erases_nothing_and_says_why(signed_in):
    response = signed_in.post(reverse("volunteers:my-data"), {"password": "not it"})

    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert Supporter.objects.filter(email=EMAIL, erased_at=None).exists()


def test_delete_me_erases_the_person_everywhere_keeps_the_counts_and_emails_them_never(
    signed_in, person, tmp_path
):
    _volunteer, petition, storm, shift, counts = person

    response = signed_in.post(reverse("volunteers:my-data"), {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:erased")
    assert columns_holding(PERSONAL, ignore=PLACES) == []
    assert uploaded_files(tmp_path) == []
    assert counts_now(petition, storm, shift) == counts
    assert email_is_suppressed(email=EMAIL, mass=True)
    # Signed out, and the account cannot sign in again.
    assert signed_in.get(reverse("volunteers:my-data")).status_code == 302
    assert not signed_in.login(email=EMAIL, password=PASSWORD)


def test_delete_me_stops_guessing_after_five_wrong_passwords(signed_in):
    for _ in range(5):
        signed_in.post(reverse("volunteers:my-data"), {"password": "guess"})

    response = signed_in.post(reverse("volunteers:my-data"), {"password": PASSWORD})

    assert "Too many tries" in response.content.decode()
    assert Supporter.objects.filter(email=EMAIL, erased_at=None).exists()


def test_the_data_page_offers_the_download_and_delete_me(signed_in):
    page = signed_in.get(reverse("volunteers:my-data")).content.decode()

    assert page.count("<h1>") == 1 and "<h1>Your data</h1>" in page
    assert reverse("volunteers:my-data-download") in page
    assert '<button type="submit">Delete me</button>' in page


def test_the_data_page_needs_signing_in(client, db):
    response = client.get(reverse("volunteers:my-data"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_api_exports_the_signed_in_person(signed_in):
    response = signed_in.get("/api/v1/me/export/")

    assert response.status_code == 200
    assert response.json()["volunteers"]["supporter"]["email"] == EMAIL


def test_the_api_deletes_me_only_with_my_password(signed_in, person, tmp_path):
    _volunteer, petition, storm, shift, counts = person

    wrong = signed_in.delete("/api/v1/me/", {"password": "nope"}, content_type="application/json")
    assert wrong.status_code == 400
    assert "password" in json.dumps(wrong.json())

    right = signed_in.delete("/api/v1/me/", {"password": PASSWORD}, content_type="application/json")
    assert right.status_code == 204
    assert columns_holding(PERSONAL, ignore=PLACES) == []
    assert uploaded_files(tmp_path) == []
    assert counts_now(petition, storm, shift) == counts


def test_the_api_refuses_export_and_deletion_to_nobody(client, db):
    SupporterFactory()
    assert client.get("/api/v1/me/export/").status_code in (401, 403)
    assert client.delete(
        "/api/v1/me/", {"password": "x"}, content_type="application/json"
    ).status_code in (401, 403)


def test_an_account_without_a_supporter_record_can_still_download_and_delete(client, db):
    volunteer = VolunteerFactory(email="new@example.org")
    Supporter.objects.filter(pk=volunteer.pk).delete()
    client.force_login(volunteer.user)

    assert client.get(reverse("volunteers:my-data-download")).status_code == 200
    assert client.post(reverse("volunteers:my-data"), {"password": PASSWORD}).status_code == 302
    assert columns_holding(["new@example.org"]) == []
