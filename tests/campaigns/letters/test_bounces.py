"""Bounces: a message returned to a letter's own envelope sender marks that letter
bounced, tells its writer, and lists the MP's address for organisers."""

import io
import sys
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from campaigns.letters import services
from campaigns.letters.bounces import bounce_read
from campaigns.letters.models import Letter
from campaigns.letters.selectors import bounce_report
from tests.campaigns.letters.helpers import LETTER_B, committed, outbox_to, write
from tests.factories import OrganiserFactory
from volunteers.mail import MailDeferred


def sent_letter(letter_campaign, n=0, **overrides):
    letter = write(letter_campaign, n, **overrides)
    with committed():
        services.letter_confirm(token=services.confirmation_token(letter))
    letter.refresh_from_db()
    assert letter.state == Letter.State.SENT
    mail.outbox.clear()
    return letter


def stdin(monkeypatch, raw: bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))


def dsn(letter, *, to=None, mp_address="mp1@example.org"):
    """An RFC 3464 delivery status notification for the letter, as a server sends it."""
    to = to or services.bounce_address(letter)
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@mx.parliament.example>\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
        "This is the mail system. Your message could not be delivered.\r\n"
        "\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.parliament.example\r\n\r\n"
        f"Final-Recipient: rfc822; {mp_address}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Subject: {letter.subject}\r\nX-Groundswell-Letter: {letter.pk}\r\n"
        "\r\n--B--\r\n"
    ).encode()


def test_a_simulated_bounce_for_a_letters_envelope_sender_marks_it_bounced_and_emails_the_writer(
    seats, letter_campaign, monkeypatch
):
    letter = sent_letter(letter_campaign, name="Jo Bloggs", email="jo@example.org")
    out = StringIO()
    stdin(monkeypatch, dsn(letter))  # as the mail system pipes it

    with committed():
        call_command("letter_bounce", stdout=out)

    letter.refresh_from_db()
    assert letter.state == Letter.State.BOUNCED and letter.bounced_at
    [told] = outbox_to("jo@example.org")
    assert "did not arrive" in told.subject and "Ms MP 1" in told.subject
    assert f"Letter {letter.pk}: bounced." in out.getvalue()
    assert not outbox_to(seats["ZA1 1AA"].email)


def test_a_dsn_in_a_file_names_its_letter_and_reason(seats, letter_campaign, tmp_path):
    letter = sent_letter(letter_campaign)
    message = tmp_path / "bounce.eml"
    message.write_bytes(dsn(letter))

    call_command("letter_bounce", str(message), stdout=StringIO())

    letter.refresh_from_db()
    assert letter.state == Letter.State.BOUNCED
    assert bounce_read(dsn(letter)).reason.startswith("Final-Recipient: rfc822; mp1@example.org")
    assert "550 5.1.1 User unknown" in bounce_read(dsn(letter)).reason


def test_the_address_is_found_in_delivered_to_or_the_returned_headers(seats, letter_campaign):
    letter = sent_letter(letter_campaign)
    address = services.bounce_address(letter)
    raw = (
        f"Delivered-To: {address}\r\nTo: postmaster@example.org\r\n"
        "X-Failed-Recipients: mp1@example.org\r\nSubject: failure\r\n\r\nGone.\r\n"
    ).encode()

    found = bounce_read(raw)

    assert found.addresses == [address.lower()]
    assert found.reason == "Failed recipients: mp1@example.org"


def test_a_second_bounce_changes_nothing_and_emails_no_one(seats, letter_campaign):
    letter = sent_letter(letter_campaign)
    address = services.bounce_address(letter)
    with committed():
        services.letter_bounce(address=address)
    assert [m.subject for m in mail.outbox][-1] == "Your letter to Ms MP 1 did not arrive"
    mail.outbox.clear()

    with committed():
        again = services.letter_bounce(address=address)
        services.letter_outcome_notice_send(letter_id=letter.pk)  # the task, run again

    assert again.state == Letter.State.BOUNCED
    assert mail.outbox == []


@pytest.mark.smtp
def test_the_writer_is_told_once_a_deferring_mail_server_lets_it_through(
    seats, letter_campaign, smtp_sink
):
    letter = sent_letter(letter_campaign, email="jo@example.org")
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.BOUNCED)
    smtp_sink.refuse("jo@example.org", 451, times=1)

    with pytest.raises(MailDeferred):
        services.letter_outcome_notice_send(letter_id=letter.pk)
    assert Letter.objects.get(pk=letter.pk).writer_told_at is None  # put back for the retry

    assert services.letter_outcome_notice_send(letter_id=letter.pk) is True
    assert services.letter_outcome_notice_send(letter_id=letter.pk) is False  # once
    to_writer = [m["Subject"] for m in smtp_sink.messages if "jo@" in m["X-Envelope-To"]]
    told = [subject for subject in to_writer if "did not arrive" in subject]
    assert told == ["Your letter to Ms MP 1 did not arrive"]
    assert Letter.objects.get(pk=letter.pk).writer_told_at is not None


def test_a_letter_not_sent_is_not_marked_bounced(seats, letter_campaign):
    letter = write(letter_campaign)  # awaiting confirmation
    mail.outbox.clear()

    services.letter_bounce(address=services.bounce_address(letter))

    letter.refresh_from_db()
    assert letter.state == Letter.State.AWAITING_CONFIRMATION and mail.outbox == []


def test_a_message_with_no_letter_address_is_a_one_line_error(seats, letter_campaign, tmp_path):
    letter = sent_letter(letter_campaign)
    forged = services.bounce_address(letter).replace("-", "-0", 1)  # the code does not match
    message = tmp_path / "spam.eml"
    message.write_bytes(f"To: {forged}\r\nSubject: hello\r\n\r\nhi\r\n".encode())

    with pytest.raises(CommandError) as error:
        call_command("letter_bounce", str(message), stdout=StringIO())

    assert "\n" not in str(error.value) and "no letter bounce address" in str(error.value)
    letter.refresh_from_db()
    assert letter.state == Letter.State.SENT


def test_organisers_see_mps_with_bounced_letters(client, seats, letter_campaign):
    letter = sent_letter(letter_campaign)
    sent_letter(letter_campaign, 2, postcode="ZA2 1AA", body=LETTER_B)
    services.letter_bounce(address=services.bounce_address(letter))

    [row] = bounce_report()
    client.force_login(OrganiserFactory())
    page = client.get(reverse("admin:letters_letter_bounces"))

    assert row["representative__name"] == "Ms MP 1" and row["bounced"] == 1
    assert page.status_code == 200
    assert seats["ZA1 1AA"].email.encode() in page.content
    assert seats["ZA2 1AA"].email.encode() not in page.content


def test_the_address_may_be_given_by_the_mail_system(seats, letter_campaign, monkeypatch):
    letter = sent_letter(letter_campaign)
    stdin(monkeypatch, b"Subject: Delivery failure\r\n\r\nUser unknown\r\n")

    call_command("letter_bounce", address=services.bounce_address(letter), stdout=StringIO())

    letter.refresh_from_db()
    assert letter.state == Letter.State.BOUNCED
