"""Smoke test of the fan-out benchmark's own parts (bench/reminder_fanout.py), so that a
change to what they reuse (organiser.rendering.Renderer, volunteers.mail.email_send) breaks
the suite rather than the next benchmark: its naive task renders and sends the message the
pipeline sends, its SMTP sink counts and records what it takes, and its tally finds
duplicates and missing addresses. Nothing here is timed."""

import json
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core import mail

from bench import reminder_fanout
from tests.factories import ScheduledMessageFactory, SupporterFactory


def test_the_naive_task_renders_the_message_and_sends_it(db):
    message = ScheduledMessageFactory(subject=reminder_fanout.SUBJECT, body=reminder_fanout.BODY)
    supporter = SupporterFactory(name="Ada Lovelace")

    assert reminder_fanout.naive_send(message.pk, supporter.pk) is True

    [sent] = mail.outbox
    assert sent.to == [supporter.email]
    assert sent.subject == "News for Ada: five nominations to go"
    assert "List-Unsubscribe" in sent.extra_headers


def test_the_tally_counts_duplicates_missing_and_unexpected_addresses():
    records = [
        (1.0, "a@x.example", "outbox.1.r"),
        (2.0, "a@x.example", "outbox.1.s"),
        (3.0, "b@x.example", "outbox.2.t"),
        (4.0, "z@x.example", "outbox.9.u"),
        (5.0, "c@elsewhere.example", ""),
    ]

    got = reminder_fanout.tally(records, {"a@x.example", "b@x.example", "c@x.example"}, "x.example")

    assert (got["deliveries"], got["distinct"], got["duplicates"]) == (4, 3, 1)
    assert (got["missing"], got["unexpected"], got["doubled"]) == (1, 1, ["a@x.example"])
    assert (got["first"], got["last"]) == (1.0, 4.0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.smtp
def test_the_sink_counts_and_records_every_delivery(tmp_path):
    smtp_port, control_port = _free_port(), _free_port()
    script = Path(reminder_fanout.__file__)
    sink = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(script), "--serve-sink", str(smtp_port), str(control_port), "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert sink.stdout.readline().strip() == b"sink ready"
        email = EmailMessage()
        email["From"], email["Subject"] = "from@example.org", "Hello"
        email["Message-ID"] = "<outbox.7.abc@example.org>"
        email.set_content("Hello")
        with smtplib.SMTP("127.0.0.1", smtp_port) as client:
            client.send_message(email, to_addrs=["One@fanout.example.org"])
            client.send_message(email, to_addrs=["one@fanout.example.org", "b@other.example"])
        with socket.create_connection(("127.0.0.1", control_port), timeout=10) as control:
            channel = control.makefile("rwb")
            channel.write(b"COUNT\n")
            channel.flush()
            counts = channel.readline()
            dump = tmp_path / "records.tsv"
            channel.write(f"DUMP {dump}\n".encode())
            channel.flush()
            assert channel.readline().strip() == b"OK 3"
    finally:
        sink.terminate()
        sink.wait(10)

    assert json.loads(counts) == {
        "messages": 3,
        "connections": 1,
        "domains": {"fanout.example.org": [2, 1], "other.example": [1, 1]},
    }
    rows = [line.split("\t") for line in dump.read_text().splitlines()]
    assert [(address, message_id) for _, address, message_id in rows] == [
        ("one@fanout.example.org", "outbox.7.abc"),
        ("one@fanout.example.org", "outbox.7.abc"),
        ("b@other.example", "outbox.7.abc"),
    ]
    assert all(abs(float(at) - time.time()) < 60 for at, _, _ in rows)
