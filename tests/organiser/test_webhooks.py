"""The email provider's tracking webhook (django-anymail, Mailgun's signed JSON events,
recorded samples in Mailgun's format): bounces and complaints suppress the address and
show on the message; a bad signature is refused."""

import copy
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from organiser import services
from organiser.models import OutboxEmail
from organiser.selectors import message_progress
from tests.factories import ScheduledMessageFactory
from tests.organiser.conftest import opted_in
from volunteers.mail import email_is_suppressed

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "mailgun"
KEY = "test-webhook-signing-key"
URL = "/anymail/mailgun/tracking/"


def sample(name: str, **event) -> dict:
    payload = json.loads((SAMPLES / f"{name}.json").read_text())
    payload["event-data"] |= event
    return payload


def signed(payload: dict, key: str = KEY) -> dict:
    payload = copy.deepcopy(payload)
    timestamp, token = "1534110422", "1234567890abcdef1234567890abcdef"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    payload["signature"] = {"timestamp": timestamp, "token": token, "signature": signature}
    return payload


@pytest.fixture(autouse=True)
def _signing_key(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


@pytest.fixture
def sent_row(db, smtp_sink):
    """One scheduled message sent to one person; the email as the sink got it."""
    [_person] = opted_in(1, email="invalid@example.com")
    message = ScheduledMessageFactory()
    services.message_fan_out(message_id=message.pk)
    services.outbox_send(message_id=message.pk)
    [email] = smtp_sink.messages
    return OutboxEmail.objects.get(), email


def post(client, payload):
    return client.post(URL, data=json.dumps(payload), content_type="application/json")


def test_a_signed_bounce_suppresses_the_address_and_marks_the_email_bounced(client, sent_row):
    row, email = sent_row
    message_id = str(email["Message-ID"]).strip().strip("<>")
    bounce = sample("failed-permanent", message={"headers": {"message-id": message_id}})

    response = post(client, signed(bounce))

    assert response.status_code == 200
    assert email_is_suppressed(email="invalid@example.com")  # no mail at all now
    row.refresh_from_db()
    assert row.delivery == "bounced"


def test_a_bounce_with_a_bad_signature_is_refused_and_changes_nothing(client, sent_row):
    row, _ = sent_row

    response = post(client, signed(sample("failed-permanent"), key="not-the-key"))

    assert response.status_code == 400
    assert not email_is_suppressed(email="invalid@example.com", mass=True)
    row.refresh_from_db()
    assert row.delivery == ""


def test_an_unsigned_event_is_refused(client, db):
    assert post(client, sample("failed-permanent")).status_code == 400
    assert not email_is_suppressed(email="invalid@example.com", mass=True)


def test_a_complaint_stops_mass_email_to_the_address_and_shows_on_the_message(client, sent_row):
    row, _ = sent_row
    complaint = sample(
        "complained", recipient="invalid@example.com", **{"user-variables": {"outbox": str(row.pk)}}
    )

    assert post(client, signed(complaint)).status_code == 200

    assert email_is_suppressed(email="invalid@example.com", mass=True)
    assert not email_is_suppressed(email="invalid@example.com")  # their own links still go
    row.refresh_from_db()
    assert row.delivery == "complained"
    assert message_progress(row.message)["complained"] == 1
