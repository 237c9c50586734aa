"""Mobile clients: sign-up, email verification and login over django-allauth's headless
API in app mode, then DRF requests authenticated with the X-Session-Token."""

import re

import pytest
from django.core import mail

from tests.factories import sign_up_details
from volunteers.models import Supporter

pytestmark = pytest.mark.django_db

APP = "/_allauth/app/v1"
ME = "/api/v1/me/"
PASSWORD = "a long and unusual passphrase 42"


def post(client, path, data, token=None):
    headers = {"HTTP_X_SESSION_TOKEN": token} if token else {}
    return client.post(APP + path, data, content_type="application/json", **headers)


def verification_key(email):
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    return re.search(r"/accounts/confirm-email/([^/\s]+)/", message.body).group(1)


def test_sign_up_verify_and_log_in_then_the_token_authenticates_the_api(client):
    signed_up = post(
        client,
        "/auth/signup",
        {"email": "Mo@Example.org", "password": PASSWORD, **sign_up_details()},
    )

    assert signed_up.status_code == 401  # not yet: the address must be verified first
    pending = signed_up.json()
    assert [f["id"] for f in pending["data"]["flows"] if f.get("is_pending")] == ["verify_email"]
    pending_token = pending["meta"]["session_token"]
    refused = client.get(ME, HTTP_X_SESSION_TOKEN=pending_token)
    # A session whose sign-in is not finished signs nobody in: 401, sign in again.
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")

    key = verification_key("mo@example.org")
    verified = post(client, "/auth/email/verify", {"key": key}, token=pending_token)

    assert verified.status_code == 200, verified.content
    assert verified.json()["meta"]["is_authenticated"] is True
    assert Supporter.objects.get(email="mo@example.org").user.email == "mo@example.org"

    logged_in = post(
        client,
        "/auth/login",
        {"email": "mo@example.org", "password": PASSWORD},
    )

    assert logged_in.status_code == 200
    token = logged_in.json()["meta"]["session_token"]
    client.cookies.clear()
    me = client.get(ME, HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200
    assert me.json()["email"] == "mo@example.org"
    assert me.json()["is_volunteer"] is True


def test_api_refuses_requests_without_a_valid_token(client):
    answers = {
        "none": client.get(ME),
        "bad": client.get(ME, HTTP_X_SESSION_TOKEN="not-a-real-token"),
        "bad, on a public endpoint": client.get(
            "/api/v1/campaigns/", HTTP_X_SESSION_TOKEN="not-a-real-token"
        ),
    }

    codes = {name: (a.status_code, a.json()["code"]) for name, a in answers.items()}
    assert codes == {
        "none": (401, "not_authenticated"),
        "bad": (401, "authentication_failed"),
        # a stale token is told at once, not served as a stranger
        "bad, on a public endpoint": (401, "authentication_failed"),
    }
    assert {a["WWW-Authenticate"] for a in answers.values()} == {'X-Session-Token realm="api"'}


def test_wrong_password_gets_a_field_error(client):
    response = post(client, "/auth/login", {"email": "nobody@example.org", "password": "nope"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] in ("email", "password")
