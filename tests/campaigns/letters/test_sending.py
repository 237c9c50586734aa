"""Confirming and sending: one email to the MP from the fixed sender, Reply-To the writer,
a copy to the writer; never twice."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.letters import services
from campaigns.letters.models import Letter
from tests.campaigns.letters.helpers import committed, outbox_to, write
from tests.harness.smtp import body_text
from volunteers.mail import MailDeferred


def _token(letter):
    [message] = outbox_to(letter.writer_email)
    return re.search(r"/letters/confirm/(\S+)/", message.body).group(1)


def _confirm(letter):
    token = _token(letter)
    mail.outbox.clear()
    with committed():
        return services.letter_confirm(token=token)


def test_confirmed_letter_is_sent_once_to_the_mp_and_copied_to_the_writer(seats, letter_campaign):
    letter = write(letter_campaign, name="Jo Bloggs", email="jo@example.org")

    _confirm(letter)

    letter.refresh_from_db()
    assert letter.state == Letter.State.SENT and letter.sent_at and letter.confirmed_at
    [to_mp] = outbox_to(seats["ZA1 1AA"].email)
    assert to_mp.extra_headers["From"] == "Jo Bloggs <letters@groundswell.example>"
    assert to_mp.reply_to == ["Jo Bloggs <jo@example.org>"]
    assert to_mp.from_email == services.bounce_address(letter)  # the SMTP envelope sender
    assert to_mp.body.startswith("Dear Ms MP1,\n\nI live in Testford")
    assert "0 High Street\nTestford\nZA1 1AA" in to_mp.body
    [copy] = outbox_to("jo@example.org")
    assert letter.body in copy.body


def test_following_the_link_twice_sends_once(seats, letter_campaign):
    letter = write(letter_campaign)
    token = _token(letter)
    mail.outbox.clear()

    for _ in range(2):
        with committed():
            services.letter_confirm(token=token)

    assert len(outbox_to(seats["ZA1 1AA"].email)) == 1


def test_a_tampered_link_is_refused(seats, letter_campaign):
    letter = write(letter_campaign)

    with pytest.raises(ValidationError) as caught:
        services.letter_confirm(token=_token(letter) + "x")

    assert "token" in caught.value.message_dict
    letter.refresh_from_db()
    assert letter.state == Letter.State.AWAITING_CONFIRMATION


def test_send_run_twice_sends_one_email(seats, letter_campaign):
    letter = write(letter_campaign)
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.QUEUED)
    mail.outbox.clear()

    first = services.letter_send(letter_id=letter.pk)
    second = services.letter_send(letter_id=letter.pk)

    assert (first, second) == (True, False)
    assert len(outbox_to(seats["ZA1 1AA"].email)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.smtp
def test_two_workers_at_once_send_one_email(seats, letter_campaign, smtp_sink):
    from django.db import connection

    letter = write(letter_campaign)
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.QUEUED)
    start = threading.Barrier(4)

    def worker():
        start.wait()
        try:
            return services.letter_send(letter_id=letter.pk)
        finally:
            connection.close()

    results = []
    threads = [threading.Thread(target=lambda: results.append(worker())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, False, False, True]
    mp = seats["ZA1 1AA"].email
    assert smtp_sink.attempts(mp) == 1


def test_mp_without_email_is_marked_for_printing_and_nothing_sent(seats, letter_campaign):
    seats["ZA1 1AA"].email = ""
    seats["ZA1 1AA"].save()
    letter = write(letter_campaign)

    _confirm(letter)

    letter.refresh_from_db()
    assert (letter.state, letter.needs_printing) == (Letter.State.QUEUED, True)
    assert mail.outbox == []


@pytest.mark.smtp
def test_mp_receives_one_letter_with_the_writer_as_reply_to(seats, letter_campaign, smtp_sink):
    letter = write(letter_campaign, name="Jo Bloggs", email="jo@example.org")
    token = re.search(r"/letters/confirm/(\S+)/", body_text(smtp_sink.wait_for("jo@example.org")))

    with committed():
        services.letter_confirm(token=token.group(1))
    services.letter_send(letter_id=letter.pk)  # a second run: nothing more

    mp = seats["ZA1 1AA"].email
    received = smtp_sink.wait_for(mp)
    assert received["From"] == "Jo Bloggs <letters@groundswell.example>"
    assert received["Reply-To"] == "Jo Bloggs <jo@example.org>"
    assert received.get_content_type() == "text/plain"
    assert smtp_sink.attempts(mp) == 1
    copies = [m for m in smtp_sink.messages if "jo@example.org" in m["X-Envelope-To"]]
    assert len(copies) == 2  # the confirmation link, then the copy
    assert "I live in Testford" in body_text(copies[1])


@pytest.mark.smtp
def test_envelope_sender_is_the_letters_bounce_address(seats, letter_campaign, smtp_sink):
    letter = write(letter_campaign)
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.QUEUED)
    # The sink refuses this MAIL FROM: only a send with it as envelope sender is refused.
    smtp_sink.refuse(services.bounce_address(letter), 553, at="MAIL")

    services.letter_send(letter_id=letter.pk)

    letter.refresh_from_db()
    assert letter.state == Letter.State.FAILED
    assert smtp_sink.attempts(seats["ZA1 1AA"].email) == 0


@pytest.mark.smtp
def test_passing_smtp_trouble_puts_the_letter_back_for_a_retry(seats, letter_campaign, smtp_sink):
    letter = write(letter_campaign)
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.QUEUED)
    smtp_sink.refuse(seats["ZA1 1AA"].email, 451, times=1)

    with pytest.raises(MailDeferred):
        services.letter_send(letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.state == Letter.State.QUEUED

    assert services.letter_send(letter_id=letter.pk) is True
    assert len([m for m in smtp_sink.messages if seats["ZA1 1AA"].email in m["X-Envelope-To"]]) == 1


@pytest.mark.smtp
def test_a_final_refusal_marks_the_letter_failed(seats, letter_campaign, smtp_sink):
    letter = write(letter_campaign)
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.QUEUED)
    smtp_sink.refuse(seats["ZA1 1AA"].email, 550)

    assert services.letter_send(letter_id=letter.pk) is False

    letter.refresh_from_db()
    assert (letter.state, letter.sent_at) == (Letter.State.FAILED, None)


def test_bounce_address_names_its_letter_and_cannot_be_forged(seats, letter_campaign):
    letter = write(letter_campaign)
    address = services.bounce_address(letter)

    assert address.startswith(f"bounces+{letter.pk}-")
    assert address.endswith("@groundswell.example")
    assert services.letter_for_bounce_address(address) == letter
    assert services.letter_for_bounce_address(f"bounces+{letter.pk}-000000000000@x") is None


def test_send_task_run_twice_sends_one_email(seats, letter_campaign):
    from campaigns.letters import tasks

    letter = write(letter_campaign)
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.QUEUED)
    mail.outbox.clear()

    with committed():
        tasks.letter_send.delay(letter.pk)
        tasks.letter_send.delay(letter.pk)

    assert len(outbox_to(seats["ZA1 1AA"].email)) == 1
    assert len(outbox_to(letter.writer_email)) == 1  # the copy, once


def test_letter_tasks_run_on_the_letters_queue(settings):
    from config.celery import app

    route = app.amqp.router.route({}, "campaigns.letters.tasks.letter_send")

    assert route["queue"].name == "letters"


def _stuck(letter_campaign, **ago):
    """A letter a worker claimed for sending `ago` before now and never finished."""
    letter = write(letter_campaign)
    Letter.objects.filter(pk=letter.pk).update(
        state=Letter.State.SENDING, sending_since=timezone.now() - timedelta(**ago)
    )
    mail.outbox.clear()
    return letter


def test_a_letter_stuck_sending_is_sent_again_once_when_an_organiser_says_so(
    seats, letter_campaign
):
    letter = _stuck(letter_campaign, minutes=61)

    with committed():
        assert services.letter_send_again(letter_id=letter.pk) is True
        assert services.letter_send_again(letter_id=letter.pk) is False

    letter.refresh_from_db()
    assert letter.state == Letter.State.SENT
    assert len(outbox_to(seats["ZA1 1AA"].email)) == 1


def test_a_letter_claimed_recently_or_not_sending_is_not_sent_again(seats, letter_campaign):
    sending_now = _stuck(letter_campaign, minutes=5)
    sent = write(letter_campaign, 1, postcode="ZA2 1AA")
    Letter.objects.filter(pk=sent.pk).update(state=Letter.State.SENT)

    with committed():
        assert services.letter_send_again(letter_id=sending_now.pk) is False
        assert services.letter_send_again(letter_id=sent.pk) is False

    assert Letter.objects.get(pk=sending_now.pk).state == Letter.State.SENDING
    assert outbox_to(seats["ZA1 1AA"].email) == outbox_to(seats["ZA2 1AA"].email) == []


def test_the_send_records_when_it_was_claimed(seats, letter_campaign):
    letter = write(letter_campaign)
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.QUEUED)

    services.letter_send(letter_id=letter.pk)

    assert Letter.objects.get(pk=letter.pk).sending_since is not None
