import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, sign_up_details
from volunteers.models import User

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_email_is_the_login_in_any_case(client):
    UserFactory(email="Ada.Lovelace@Example.org")

    response = sign_in(client, "  ADA.LOVELACE@example.ORG ")

    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].email == "ada.lovelace@example.org"


def test_unverified_account_cannot_sign_in(client):
    UserFactory(email="new@example.org", verified=False)

    sign_in(client, "new@example.org")

    assert not client.get(reverse("home")).context["user"].is_authenticated
    assert any("new@example.org" in m.to for m in mail.outbox)


def test_passwords_are_hashed_with_argon2():
    user = UserFactory()

    assert identify_hasher(user.password).algorithm == "argon2"


def test_sign_up_with_a_known_address_answers_as_for_a_new_one(client):
    UserFactory(email="known@example.org")
    form = {
        "email": "known@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **sign_up_details(),
    }

    known = client.post(reverse("account_signup"), form)
    new = client.post(reverse("account_signup"), {**form, "email": "fresh@example.org"})

    assert known.status_code == new.status_code == 302
    assert known["Location"] == new["Location"]
    assert User.objects.filter(email="known@example.org").count() == 1


def test_admin_login_is_the_rate_limited_account_login(client):
    response = client.get("/admin/")
    response = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_repeated_failed_logins_are_refused_even_with_the_right_password(client):
    UserFactory(email="organiser@example.org", is_staff=True)
    for _ in range(5):
        sign_in(client, "organiser@example.org", "wrong password")

    response = sign_in(client, "organiser@example.org")

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_organiser_reaches_the_admin_after_signing_in(client):
    UserFactory(email="organiser@example.org", is_staff=True, is_superuser=True)

    sign_in(client, "organiser@example.org")

    assert client.get("/admin/").status_code == 200


def test_password_reset_by_emailed_link(client):
    UserFactory(email="forgetful@example.org")

    client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    form_page = client.get(link.group(1), follow=True)
    new_password = "another long passphrase 77"
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": new_password, "password2": new_password},
    )

    assert client.login(email="forgetful@example.org", password=new_password)


def test_password_reset_answers_the_same_for_an_unknown_address(client):
    UserFactory(email="known@example.org")

    known = client.post(reverse("account_reset_password"), {"email": "known@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
