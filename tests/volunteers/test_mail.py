"""Sending email through volunteers.mail to a real SMTP server (the aiosmtpd sink), which
refuses as real servers do: a final refusal (5xx) is recorded on the suppression list and
never tried again; passing trouble (4xx, no connection) is deferred for a retry."""

import socket

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse

from tests.factories import OrganiserFactory
from volunteers.mail import (
    MailDeferred,
    Outcome,
    email_is_suppressed,
    email_send,
    email_suppress,
    email_unsuppress,
)
from volunteers.models import EmailSuppression

pytestmark = [pytest.mark.django_db, pytest.mark.smtp]

JO = "jo@example.org"


def message(to=JO) -> EmailMessage:
    return EmailMessage(subject="Hello", body="A message.", to=[to])


def test_a_message_the_server_takes_is_sent(smtp_sink):
    assert email_send(message=message(), source="test") is Outcome.SENT

    assert smtp_sink.wait_for(to=JO)["Subject"] == "Hello"


def test_a_recipient_refused_for_good_is_suppressed(smtp_sink):
    smtp_sink.refuse(JO, 550)

    outcome = email_send(message=message(), source="petition:save-the-pier")

    assert outcome is Outcome.REFUSED
    assert email_is_suppressed(email=JO)
    entry = EmailSuppression.objects.get()
    assert (entry.reason, entry.smtp_code, entry.source) == (
        "refused",
        550,
        "petition:save-the-pier",
    )
    assert "Recipient address rejected" in entry.smtp_reply


def test_the_suppression_list_never_holds_the_address(smtp_sink):
    smtp_sink.refuse(JO, 550)

    email_send(message=message(), source="test")

    stored = EmailSuppression.objects.values_list(
        "address_hash", "smtp_reply", "source", "reason"
    ).get()
    assert not any("jo" in value.lower() for value in stored)


def test_a_suppressed_address_is_never_tried_again(smtp_sink):
    smtp_sink.refuse(JO, 550)
    email_send(message=message(), source="test")

    outcome = email_send(message=message(), source="test")

    assert outcome is Outcome.SUPPRESSED
    assert smtp_sink.attempts(JO) == 1


def test_every_spelling_of_a_suppressed_address_is_suppressed(smtp_sink):
    email_suppress(email=JO, reason=EmailSuppression.Reason.REFUSED)

    outcome = email_send(message=message(" Jo@EXAMPLE.org"), source="test")

    assert outcome is Outcome.SUPPRESSED
    assert smtp_sink.attempts(JO) == 0


def test_a_message_refused_for_good_suppresses_its_recipient(smtp_sink):
    smtp_sink.refuse(JO, 554, at="DATA")

    assert email_send(message=message(), source="test") is Outcome.REFUSED
    assert email_is_suppressed(email=JO)


@pytest.mark.parametrize(("code", "at"), [(451, "RCPT"), (450, "RCPT"), (452, "DATA")])
def test_a_passing_refusal_is_deferred_and_suppresses_nothing(smtp_sink, code, at):
    smtp_sink.refuse(JO, code, at=at)

    with pytest.raises(MailDeferred) as deferred:
        email_send(message=message(), source="test")

    assert deferred.value.code == code
    assert not EmailSuppression.objects.exists()


def test_a_deferral_names_no_address(smtp_sink):
    smtp_sink.refuse(JO, 451)

    with pytest.raises(MailDeferred) as deferred:
        email_send(message=message(), source="test")

    assert "451" in str(deferred.value)
    assert "jo@" not in str(deferred.value).lower()
    assert deferred.value.__cause__ is None and deferred.value.__suppress_context__


def test_a_mail_server_that_cannot_be_reached_is_deferred(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port

    with pytest.raises(MailDeferred) as deferred:
        email_send(message=message(), source="test")

    assert deferred.value.code is None
    assert not EmailSuppression.objects.exists()


def test_a_refused_sender_is_not_blamed_on_the_recipient(smtp_sink, settings):
    settings.DEFAULT_FROM_EMAIL = "noreply@groundswell.example"
    smtp_sink.refuse("noreply@groundswell.example", 553, at="MAIL")

    outcome = email_send(message=message(), source="test")

    assert outcome is Outcome.REFUSED
    assert not email_is_suppressed(email=JO)


def test_an_address_taken_off_the_list_is_sent_to_again(smtp_sink):
    email_suppress(email=JO, reason=EmailSuppression.Reason.REFUSED)

    email_unsuppress(email=JO)

    assert email_send(message=message(), source="test") is Outcome.SENT


def test_the_list_survives_a_rotated_secret_key(smtp_sink, settings):
    email_suppress(email=JO, reason=EmailSuppression.Reason.REFUSED)

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new secret key, rotated in"

    assert email_send(message=message(), source="test") is Outcome.SUPPRESSED


def test_an_organiser_finds_a_suppressed_address_by_typing_it(client):
    client.force_login(OrganiserFactory())
    email_suppress(email=JO, reason=EmailSuppression.Reason.REFUSED, smtp_code=550)
    email_suppress(email="someone@example.org", reason=EmailSuppression.Reason.REFUSED)
    url = reverse("admin:volunteers_emailsuppression_changelist")

    found = client.get(url, {"q": " Jo@Example.org "})
    not_found = client.get(url, {"q": "nobody@example.org"})

    assert found.context["cl"].result_count == 1
    assert not_found.context["cl"].result_count == 0
