"""Tasks enqueued inside a transaction reach the real worker, through Redis, only once the
transaction commits, and never if it rolls back."""

import queue

import pytest
from django.db import transaction

from config.celery import app
from volunteers.models import Supporter

pytestmark = [pytest.mark.redis, pytest.mark.celery_worker]

ran: queue.Queue = queue.Queue()


@app.task(name="tests.integration.note_supporter")
def note_supporter(supporter_id: int, label: str) -> None:
    """Reports whether the worker, on its own connection, can see the supporter."""
    ran.put((label, Supporter.objects.filter(pk=supporter_id).exists()))


@pytest.fixture(autouse=True)
def _empty_queue():
    while not ran.empty():
        ran.get_nowait()


def test_task_runs_on_the_worker_only_after_commit(celery_worker):
    with transaction.atomic():
        supporter = Supporter.objects.create(email="after-commit@example.org")
        note_supporter.delay_on_commit(supporter.pk, "committed")
        with pytest.raises(queue.Empty):
            ran.get(timeout=1)  # still inside the transaction: nothing was sent

    assert ran.get(timeout=20) == ("committed", True)


def test_task_never_runs_when_the_transaction_rolls_back(celery_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        supporter = Supporter.objects.create(email="rolled-back@example.org")
        note_supporter.delay_on_commit(supporter.pk, "rolled back")
        raise RuntimeError("the request failed")

    # A later task on the same queue and worker: once it has run, anything sent before
    # it would have run too.
    note_supporter.delay(0, "sentinel")

    assert ran.get(timeout=20) == ("sentinel", False)
    assert ran.empty()
