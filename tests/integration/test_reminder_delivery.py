"""Scheduled messages end to end: PostgreSQL, a real Celery worker with beat (two prefork
processes, `celery -A config worker -B`) on a real Redis broker, sending to the SMTP sink.
2,000 recipients receive exactly 2,000 emails, each once: undisturbed, with the worker
killed (SIGKILL) partway and started again, and with Redis restarted (emptied) partway."""

import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from organiser.models import OutboxEmail, ScheduledMessage
from tests.factories import ScheduledMessageFactory
from tests.harness.worker import WorkerProcess
from volunteers.models import ConsentRecord, Supporter

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
]

RECIPIENTS = 2000


@pytest.fixture
def audience():
    """RECIPIENTS supporters who opted in to campaign email, written in bulk."""
    supporters = Supporter.objects.bulk_create(
        Supporter(email=f"person{n}@example.org", name=f"Person {n}") for n in range(RECIPIENTS)
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(supporter=s, purpose="campaign-email", wording="yes", source="test")
        for s in supporters
    )
    return {s.email for s in supporters}


@pytest.fixture
def start_worker(tmp_path, smtp_sink, private_redis):
    """Starts the worker (with beat) against the test database, the private Redis and
    the sink; quick ticks and claims, so a lost sender is noticed in seconds."""
    db = connection.settings_dict
    env = {
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "REDIS_URL": private_redis.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink_port(smtp_sink)}",
        "GROUNDSWELL_VAR_DIR": str(tmp_path / "var"),
        "ORGANISER_TICK": "1",
        "ORGANISER_CLAIM_SECONDS": "4",
        "ORGANISER_BATCH_SIZE": "100",
        "ORGANISER_QUIET_HOURS": "00:00-00:00",  # none: the test may run at night
        "PETITION_COUNT_INTERVAL": "3600",
    }
    started = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(
            concurrency=2,
            log=tmp_path / f"worker-{len(started)}.log",
            queues=["mass", "celery"],
            env=env,
            beat=True,
        )
        started.append(worker)
        worker.wait_until_ready()
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


def smtp_sink_port(sink) -> int:
    return settings.EMAIL_PORT  # where the smtp_sink fixture pointed the site


def delivered(sink) -> Counter:
    return Counter(str(m["X-Envelope-To"]) for m in sink.messages)


def assert_each_once(sink, audience, worker):
    assert sink.wait_for_count(RECIPIENTS, timeout=120), (
        f"{sink.count()} of {RECIPIENTS} arrived:\n{worker.output()[-3000:]}"
    )
    message = ScheduledMessage.objects.get()
    deadline = timezone.now() + timezone.timedelta(seconds=30)
    while message.state != "sent" and timezone.now() < deadline:
        message.refresh_from_db()
    got = delivered(sink)
    assert set(got) == audience
    assert max(got.values()) == 1, [a for a, n in got.items() if n > 1][:5]
    assert sink.count() == RECIPIENTS
    # Every one with the one-click unsubscribe (RFC 8058) headers.
    assert {str(m["List-Unsubscribe-Post"]) for m in sink.messages} == {
        "List-Unsubscribe=One-Click"
    }
    assert all("/unsubscribe/" in str(m["List-Unsubscribe"]) for m in sink.messages)
    assert message.state == "sent"
    assert OutboxEmail.objects.filter(state="sent").count() == RECIPIENTS


def test_two_thousand_recipients_get_one_email_each(smtp_sink, audience, start_worker):
    ScheduledMessageFactory()
    worker = start_worker()

    assert_each_once(smtp_sink, audience, worker)


def test_a_worker_killed_partway_and_restarted_loses_and_doubles_nothing(
    smtp_sink, audience, start_worker
):
    smtp_sink.hold_after(600)
    ScheduledMessageFactory()
    worker = start_worker()
    assert smtp_sink.wait_for_count(600, timeout=60), worker.output()[-3000:]
    # Both pool processes are waiting for the server's reply to MAIL FROM: each has a
    # batch claimed, part sent and marked, and the rest not yet sent.
    deadline = timezone.now() + timezone.timedelta(seconds=10)
    while smtp_sink.waiting_at_mail() < 2 and timezone.now() < deadline:
        time.sleep(0.05)
    worker.kill()
    assert OutboxEmail.objects.filter(state="pending", claim_token__isnull=False).exists()
    smtp_sink.release()

    worker = start_worker()

    assert_each_once(smtp_sink, audience, worker)
    # The rows the killed processes held were claimed again once their claims ran out.
    assert OutboxEmail.objects.filter(attempts__gt=1).exists()


def test_redis_restarted_partway_loses_and_doubles_nothing(
    smtp_sink, audience, start_worker, private_redis
):
    smtp_sink.hold_after(600)
    ScheduledMessageFactory()
    worker = start_worker()
    assert smtp_sink.wait_for_count(600, timeout=60), worker.output()[-3000:]

    private_redis.restart()  # every queued task is gone
    smtp_sink.release()

    assert_each_once(smtp_sink, audience, worker)
