"""Account email (verification, password reset, "account exists"): named by SITE_NAME,
capped per address, and sent through volunteers.mail like every other email."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, sign_up_details
from volunteers.mail import email_suppress
from volunteers.models import EmailSuppression

pytestmark = pytest.mark.django_db

SITE_NAME = "Testshire Voices"
APP = "/_allauth/app/v1"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_NAME = SITE_NAME
    # allauth's own limits would stop these tests before the cap under test does.
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "reset_password": "100/m/ip,100/m/key",
        "signup": "100/m/ip",
    }


def reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email})


def sign_up(client, email):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, **sign_up_details()},
    )


def sent_to(email) -> list:
    return [message for message in mail.outbox if email in message.to]


def without_links(text: str) -> str:
    return re.sub(r"https?://\S+", "", text)


# The cap on account email to one address


def test_password_reset_requests_past_the_cap_send_nothing(client, settings):
    settings.ACCOUNT_EMAILS_PER_ADDRESS = (3, 86400)
    UserFactory(email="forgetful@example.org")

    responses = [reset(client, "forgetful@example.org") for _ in range(4)]

    assert len(sent_to("forgetful@example.org")) == 3
    assert {(r.status_code, r["Location"]) for r in responses} == {
        (302, reverse("account_reset_password_done"))
    }


def test_the_default_cap_is_five_a_day(client):
    UserFactory(email="forgetful@example.org")

    for _ in range(6):
        reset(client, "forgetful@example.org")

    assert len(sent_to("forgetful@example.org")) == 5


def test_sign_up_and_reset_email_share_one_cap(client, settings):
    settings.ACCOUNT_EMAILS_PER_ADDRESS = (3, 86400)
    UserFactory(email="known@example.org")

    for _ in range(2):
        sign_up(client, "known@example.org")  # "an account already exists" emails
    for _ in range(2):
        reset(client, "known@example.org")

    assert len(sent_to("known@example.org")) == 3


def test_the_cap_counts_each_address_apart(client, settings):
    settings.ACCOUNT_EMAILS_PER_ADDRESS = (1, 86400)
    UserFactory(email="one@example.org")
    UserFactory(email="two@example.org")

    for email in ["one@example.org", "one@example.org", "two@example.org"]:
        reset(client, email)

    assert (len(sent_to("one@example.org")), len(sent_to("two@example.org"))) == (1, 1)


def test_the_cap_holds_for_every_spelling_of_an_address(client, settings):
    settings.ACCOUNT_EMAILS_PER_ADDRESS = (1, 86400)
    UserFactory(email="forgetful@example.org")

    reset(client, "forgetful@example.org")
    reset(client, "  FORGETFUL@example.org ")

    assert len(mail.outbox) == 1


def test_the_cap_counts_the_addresses_that_reach_one_inbox_together(client, settings):
    settings.ACCOUNT_EMAILS_PER_ADDRESS = (1, 86400)

    sign_up(client, "jo+first@gmail.com")
    sign_up(client, "j.o+second@gmail.com")

    assert len(mail.outbox) == 1


# Naming the site


@pytest.mark.parametrize(
    ("send", "kind"),
    [
        (lambda client: sign_up(client, "new@example.org"), "verification"),
        (lambda client: sign_up(client, "known@example.org"), "account exists"),
        (lambda client: reset(client, "known@example.org"), "password reset"),
    ],
)
def test_account_email_names_the_site_not_the_host(client, send, kind):
    UserFactory(email="known@example.org")

    send(client)

    [message] = mail.outbox
    assert message.subject.startswith(f"[{SITE_NAME}] "), kind
    assert SITE_NAME in message.body, kind
    for host in ("testserver", "127.0.0.1:8000"):
        assert host not in message.subject, kind
        assert host not in without_links(message.body), kind


def test_verification_email_over_the_api_names_the_site(client):
    client.post(
        APP + "/auth/signup",
        {"email": "mo@example.org", "password": PASSWORD, **sign_up_details()},
        content_type="application/json",
    )

    [message] = mail.outbox
    assert SITE_NAME in message.subject and SITE_NAME in message.body
    assert "testserver" not in without_links(message.body)


# Through volunteers.mail


def test_no_account_email_goes_to_a_suppressed_address(client):
    UserFactory(email="bounced@example.org")
    email_suppress(email="bounced@example.org", reason=EmailSuppression.Reason.REFUSED)

    response = reset(client, "bounced@example.org")

    assert response.status_code == 302
    assert mail.outbox == []


def test_an_account_email_refused_for_good_suppresses_the_address(client, smtp_sink):
    UserFactory(email="gone@example.org")
    smtp_sink.refuse("gone@example.org", 550)

    response = reset(client, "gone@example.org")

    assert response.status_code == 302
    assert EmailSuppression.objects.get().source == "account:password_reset_key"


def test_forms_answer_as_usual_while_the_mail_server_is_unreachable(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    UserFactory(email="known@example.org")

    assert reset(client, "known@example.org").status_code == 302
    assert sign_up(client, "new@example.org").status_code == 302
