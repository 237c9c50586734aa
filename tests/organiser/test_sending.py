"""Fan-out and sending, on the test database with the real SMTP sink: each recipient once,
the headers, the re-checks before each batch, the weekly cap and quiet hours."""

import threading
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connections

from organiser import services, tasks
from organiser.models import OutboxEmail, ScheduledMessage
from tests.factories import ScheduledMessageFactory, StormFactory, SupporterFactory
from tests.harness.smtp import body_text
from tests.organiser.conftest import opted_in, pledged
from volunteers.mail import email_suppress
from volunteers.models import ConsentRecord
from volunteers.privacy import supporter_erase
from volunteers.services import email_unsubscribe

UK = ZoneInfo("Europe/London")
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UK)


def send_all(message) -> int:
    """Fan out (its senders are not run here) and send, as the beat and the worker would."""
    services.message_fan_out(message_id=message.pk)
    return services.outbox_send(message_id=message.pk)


def recipients_of(sink) -> Counter:
    return Counter(m["X-Envelope-To"] for m in sink.messages)


@pytest.fixture(autouse=True)
def _daytime():
    with time_machine.travel(NOON, tick=True):
        yield


@pytest.mark.django_db
def test_every_opted_in_supporter_gets_the_message_once(smtp_sink, settings):
    settings.ORGANISER_BATCH_SIZE = 7
    people = opted_in(20)
    SupporterFactory.create_batch(3)  # no consent: not in the audience
    message = ScheduledMessageFactory()

    assert send_all(message) == 20

    assert recipients_of(smtp_sink) == Counter(p.email for p in people)
    assert all(
        m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in smtp_sink.messages
    )
    message.refresh_from_db()
    assert message.state == ScheduledMessage.State.SENT
    assert services.outbox_send(message_id=message.pk) == 0  # run again: nothing more
    assert len(smtp_sink.messages) == 20


@pytest.mark.django_db
def test_fanning_out_twice_writes_each_recipient_once(smtp_sink):
    opted_in(5)
    message = ScheduledMessageFactory()

    assert services.message_fan_out(message_id=message.pk) == 5
    assert services.message_fan_out(message_id=message.pk) is None  # no longer scheduled
    assert OutboxEmail.objects.filter(message=message).count() == 5


@pytest.mark.django_db
def test_every_mass_email_carries_one_click_unsubscribe_headers_and_both_parts(smtp_sink, settings):
    [_person] = opted_in(1, name="Ada <b>Lovelace</b>")
    message = ScheduledMessageFactory(body="Hello {{ name }}, <script>x</script>")

    send_all(message)

    [email] = smtp_sink.messages
    link = str(email["List-Unsubscribe"]).strip()
    assert link.startswith(f"<{settings.SITE_URL}/unsubscribe/") and link.endswith("/>")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = email.get_body(preferencelist=("html",)).get_content()
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in html
    assert "Hello Ada <b>Lovelace</b>, <script>x</script>" in body_text(email)
    assert link.strip("<>") in body_text(email)


@pytest.mark.django_db
def test_a_message_cancelled_before_its_time_sends_nothing(smtp_sink):
    opted_in(3)
    message = ScheduledMessageFactory(send_at=NOON + timedelta(hours=1))

    services.message_cancel(message=message)
    with time_machine.travel(NOON + timedelta(hours=2)):
        assert services.messages_fan_out_due() == []

    assert smtp_sink.messages == []
    assert not OutboxEmail.objects.exists()


@pytest.mark.django_db
def test_a_message_cancelled_while_sending_sends_no_more(smtp_sink):
    opted_in(4)
    message = ScheduledMessageFactory()
    services.message_fan_out(message_id=message.pk)

    services.message_cancel(message=message)

    assert services.outbox_send(message_id=message.pk) == 0
    assert smtp_sink.messages == []
    assert set(OutboxEmail.objects.values_list("skip_reason", flat=True)) == {"cancelled"}


@pytest.mark.django_db
def test_a_message_edited_after_its_rows_were_written_sends_the_edited_text(smtp_sink):
    opted_in(3)
    message = ScheduledMessageFactory(body="First draft, with a mistake.")
    services.message_fan_out(message_id=message.pk)

    message.body = "The corrected text."
    services.message_save(message=message, text_changed=True)
    services.outbox_send(message_id=message.pk)

    assert [body_text(m).splitlines()[0] for m in smtp_sink.messages] == ["The corrected text."] * 3
    assert set(OutboxEmail.objects.values_list("version_sent", flat=True)) == {2}


@pytest.mark.django_db
def test_someone_who_unsubscribes_midway_gets_nothing_after(smtp_sink, settings):
    settings.ORGANISER_BATCH_SIZE = 2
    people = opted_in(6)
    message = ScheduledMessageFactory()
    services.message_fan_out(message_id=message.pk)
    last = people[-1]
    # After the first batch goes, the last person unsubscribes (as from an earlier email).
    original = services.sending._send_batch
    calls = []

    def unsubscribe_after_first_batch(*args, **kwargs):
        sent = original(*args, **kwargs)
        if not calls:
            email_unsubscribe(email=last.email, source="test")
        calls.append(sent)
        return sent

    services.sending._send_batch = unsubscribe_after_first_batch
    try:
        services.outbox_send(message_id=message.pk)
    finally:
        services.sending._send_batch = original

    got = recipients_of(smtp_sink)
    assert last.email not in got
    assert sum(got.values()) == 5
    row = OutboxEmail.objects.get(supporter=last)
    assert (row.state, row.skip_reason) == ("skipped", "suppressed")


@pytest.mark.django_db
def test_withdrawn_consent_and_erasure_are_honoured_at_send_time(smtp_sink):
    keeps, withdraws, erased = opted_in(3)
    message = ScheduledMessageFactory()
    services.message_fan_out(message_id=message.pk)
    ConsentRecord.objects.filter(supporter=withdraws).update(withdrawn_at=NOON)
    supporter_erase(supporter=erased)

    services.outbox_send(message_id=message.pk)

    assert list(recipients_of(smtp_sink)) == [keeps.email]
    assert OutboxEmail.objects.get(supporter=withdraws).skip_reason == "no_consent"
    assert not OutboxEmail.objects.filter(supporter=erased).exists()  # erasure dropped it


@pytest.mark.django_db
def test_a_bounced_address_is_skipped_as_suppressed(smtp_sink):
    [person] = opted_in(1)
    email_suppress(email=person.email, reason="bounced")
    message = ScheduledMessageFactory()

    send_all(message)

    assert smtp_sink.messages == []
    assert OutboxEmail.objects.get().skip_reason == "suppressed"


@pytest.mark.django_db
def test_the_weekly_cap_holds_across_messages_and_frees_up_after_seven_days(smtp_sink, settings):
    settings.ORGANISER_WEEKLY_CAP = 2
    [_person] = opted_in(1)
    for day in range(3):
        with time_machine.travel(NOON + timedelta(days=day)):
            send_all(ScheduledMessageFactory())
    assert len(smtp_sink.messages) == 2
    assert OutboxEmail.objects.filter(skip_reason="capped").count() == 1

    with time_machine.travel(NOON + timedelta(days=7, minutes=1)):
        send_all(ScheduledMessageFactory())  # the first is more than 7 days old now
    assert len(smtp_sink.messages) == 3


@pytest.mark.django_db
def test_reminders_are_not_capped(smtp_sink, settings, storm):
    settings.ORGANISER_WEEKLY_CAP = 1
    [_person] = pledged(storm, 1)
    for minutes in (0, 10, 20):
        with time_machine.travel(NOON + timedelta(minutes=minutes)):
            send_all(
                ScheduledMessageFactory(
                    audience="storm_pledgers", storm=storm, send_by=storm.starts_at
                )
            )
    assert len(smtp_sink.messages) == 3


@pytest.mark.django_db
def test_storm_reminders_go_to_confirmed_pledgers_only(smtp_sink, storm):
    pledgers = pledged(storm, 3)
    other = StormFactory()
    pledged(other, 2)
    opted_in(2)  # campaign email consent does not make someone a pledger
    message = ScheduledMessageFactory(
        audience="storm_pledgers", storm=storm, send_by=storm.starts_at, subject="{{ hashtag }}"
    )

    send_all(message)

    assert recipients_of(smtp_sink) == Counter(p.email for p in pledgers)
    assert {m["Subject"] for m in smtp_sink.messages} == {"#LetMembersChoose"}


@pytest.mark.django_db
def test_nothing_is_sent_in_quiet_hours_and_it_resumes_after(smtp_sink, settings):
    settings.ORGANISER_QUIET_HOURS = "21:00-08:00"
    opted_in(2)
    message = ScheduledMessageFactory()
    night = datetime(2026, 11, 24, 23, 30, tzinfo=UK)
    with time_machine.travel(night):
        services.message_fan_out(message_id=message.pk)
        assert services.outbox_send(message_id=message.pk) == 0
        assert services.outbox_sweep() == []  # nothing re-enqueued at night either
    with time_machine.travel(night + timedelta(hours=9)):  # 08:30
        assert services.outbox_send(message_id=message.pk) == 2
    assert len(smtp_sink.messages) == 2


@pytest.mark.django_db
def test_a_reminder_past_its_send_by_time_is_skipped_as_too_late(smtp_sink, storm):
    pledged(storm, 2)
    message = ScheduledMessageFactory(
        audience="storm_pledgers", storm=storm, send_by=NOON + timedelta(minutes=5)
    )
    services.message_fan_out(message_id=message.pk)

    with time_machine.travel(NOON + timedelta(minutes=6)):
        assert services.outbox_send(message_id=message.pk) == 0

    assert smtp_sink.messages == []
    assert set(OutboxEmail.objects.values_list("skip_reason", flat=True)) == {"late"}
    message.refresh_from_db()
    assert message.state == "sent"


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_sender_is_taken_again_once_it_expires(smtp_sink, settings):
    settings.ORGANISER_CLAIM_SECONDS = 60
    opted_in(3)
    message = ScheduledMessageFactory()
    services.message_fan_out(message_id=message.pk)
    # A sender claimed everything and died before sending.
    _token, ids = services.sending._claim(message, services.sending.timezone.now())
    assert len(ids) == 3

    assert services.outbox_send(message_id=message.pk) == 0  # still claimed
    with time_machine.travel(NOON + timedelta(seconds=61)):
        assert services.outbox_sweep() == [message.pk]
        assert services.outbox_send(message_id=message.pk) == 3
    assert len(smtp_sink.messages) == 3


@pytest.mark.django_db
def test_a_permanent_refusal_fails_that_row_and_suppresses_the_address(smtp_sink):
    refused, fine = opted_in(2)
    smtp_sink.refuse(refused.email, 550)
    message = ScheduledMessageFactory()

    send_all(message)

    assert list(recipients_of(smtp_sink)) == [fine.email]
    assert OutboxEmail.objects.get(supporter=refused).state == "failed"
    message.refresh_from_db()
    assert message.state == "sent"


@pytest.mark.django_db
def test_a_deferral_leaves_the_rest_waiting_for_the_sweeper(smtp_sink):
    first, _second = opted_in(2)
    smtp_sink.refuse(first.email, 451, times=1)
    message = ScheduledMessageFactory()
    services.message_fan_out(message_id=message.pk)

    from organiser.tasks import outbox_send

    assert outbox_send(message.pk) == 0
    assert OutboxEmail.objects.filter(state="pending", claim_token__isnull=True).count() == 2
    assert services.outbox_send(message_id=message.pk) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_sender_task_delivered_twice_at_once_sends_each_email_once(
    smtp_sink, settings, monkeypatch
):
    settings.ORGANISER_BATCH_SIZE = 10
    people = opted_in(120)
    message = ScheduledMessageFactory()
    # The fan-out's own sender (run in-process here) is left out: the two below are it,
    # delivered twice.
    monkeypatch.setattr(tasks.outbox_send, "delay_on_commit", lambda *args: None)
    services.message_fan_out(message_id=message.pk)
    sent, start = [], threading.Barrier(2)

    def sender():
        try:
            start.wait()
            sent.append(services.outbox_send(message_id=message.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert recipients_of(smtp_sink) == Counter(p.email for p in people)
    assert sum(sent) == 120 and all(sent)  # both worked, on different rows


@pytest.mark.django_db
def test_a_server_that_defers_again_and_again_fails_nobody(smtp_sink):
    [person] = opted_in(1)
    smtp_sink.refuse(person.email, 451, times=services.sending.MAX_ATTEMPTS + 1)
    message = ScheduledMessageFactory()
    services.message_fan_out(message_id=message.pk)

    for _ in range(services.sending.MAX_ATTEMPTS + 1):
        assert tasks.outbox_send(message.pk) == 0
    assert services.outbox_send(message_id=message.pk) == 1

    assert OutboxEmail.objects.get().state == "sent"


@pytest.mark.django_db
def test_a_row_whose_senders_keep_dying_is_failed_after_five_claims(smtp_sink):
    opted_in(1)
    message = ScheduledMessageFactory()
    services.message_fan_out(message_id=message.pk)
    for attempt in range(services.sending.MAX_ATTEMPTS):
        # A sender claims it and dies; its claim runs out.
        with time_machine.travel(NOON + timedelta(hours=attempt)):
            services.sending._claim(message, services.sending.timezone.now())

    with time_machine.travel(NOON + timedelta(hours=6)):
        assert services.outbox_send(message_id=message.pk) == 0

    assert OutboxEmail.objects.get().state == "failed"
    assert smtp_sink.messages == []


@pytest.mark.django_db
def test_a_dead_senders_rows_are_resumed_as_soon_as_their_claim_runs_out(smtp_sink, settings):
    settings.ORGANISER_CLAIM_SECONDS, settings.ORGANISER_TICK = 60, 1
    settings.ORGANISER_BATCH_SIZE = 2
    opted_in(4)
    message = ScheduledMessageFactory()
    services.message_fan_out(message_id=message.pk)
    services.sending._claim(message, services.sending.timezone.now())  # then it died
    with time_machine.travel(NOON + timedelta(seconds=30)):
        assert services.outbox_send(message_id=message.pk) == 2  # another sender, the rest

    # Its claim runs out at +60 s; nobody has claimed since +30 s.
    with time_machine.travel(NOON + timedelta(seconds=59)):
        assert services.outbox_sweep() == []
    with time_machine.travel(NOON + timedelta(seconds=61)):
        assert services.outbox_sweep() == [message.pk]  # not a whole claim period later
        assert services.outbox_send(message_id=message.pk) == 2
