"""Sign-up does the same expensive work whether or not the address is known: the
password is hashed exactly once either way, so the answer takes as long and says
nothing. (Counted through a hasher that counts, never by timing: bench/sign_up_timing.py
measures the times.)"""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory, sign_up_details

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 42"
APP = "/_allauth/app/v1"


class CountingHasher(PBKDF2PasswordHasher):
    """PBKDF2, counting the passwords it hashes."""

    algorithm = "counting_pbkdf2"
    iterations = 1000  # the count matters here, not the cost
    hashed = 0

    def encode(self, password, salt, iterations=None):
        type(self).hashed += 1
        return super().encode(password, salt, iterations)


@pytest.fixture
def hashes(settings):
    """How many passwords are hashed from here on."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    UserFactory(email="known@example.org")
    CountingHasher.hashed = 0
    return lambda: CountingHasher.hashed


def web_sign_up(client, email):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, **sign_up_details()},
    )


def app_sign_up(client, email):
    return client.post(
        APP + "/auth/signup",
        {"email": email, "password": PASSWORD, **sign_up_details()},
        content_type="application/json",
    )


@pytest.mark.parametrize("sign_up", [web_sign_up, app_sign_up], ids=["web", "app"])
def test_sign_up_for_a_new_address_hashes_the_password_once(client, hashes, sign_up):
    sign_up(client, "new@example.org")

    assert hashes() == 1


@pytest.mark.parametrize("sign_up", [web_sign_up, app_sign_up], ids=["web", "app"])
def test_sign_up_for_a_known_address_hashes_the_password_once_too(client, hashes, sign_up):
    sign_up(client, "known@example.org")

    assert hashes() == 1
    assert [m.subject for m in mail.outbox if "Already Exists" in m.subject]


def test_sign_up_with_a_password_refused_as_too_common_hashes_nothing(client, hashes):
    for email in ("new@example.org", "known@example.org"):
        client.post(
            reverse("account_signup"),
            {
                "email": email,
                "password1": "password123",
                "password2": "password123",
                **sign_up_details(),
            },
        )

    assert hashes() == 0


def test_the_password_hashed_while_checking_the_form_is_the_one_that_signs_in(client, hashes):
    web_sign_up(client, "new@example.org")
    EmailAddress.objects.filter(email="new@example.org").update(verified=True)

    assert client.login(email="new@example.org", password=PASSWORD)


def test_changing_a_password_hashes_the_new_one_only_once(client, hashes):
    client.force_login(UserFactory(email="changer@example.org"))
    CountingHasher.hashed = 0
    new = "another long passphrase 77"

    client.post(
        reverse("account_change_password"),
        {"oldpassword": "correct horse battery staple", "password1": new, "password2": new},
    )

    assert hashes() == 2  # the old one, to check it, and the new one, to store it
    assert client.login(email="changer@example.org", password=new)
