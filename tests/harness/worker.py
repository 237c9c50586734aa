"""`celery_worker`: a real Celery worker, in a thread, consuming from the Redis broker."""

import pytest

from tests.harness.services import redis_url, require

WORKER_QUEUES = ["celery", "petitions"]  # as the Procfile's worker


@pytest.fixture
def celery_worker(transactional_db):
    """A worker that runs tasks the way production does: sent through Redis after commit,
    consumed by a worker with its own database connection."""
    require(bool(redis_url()), "needs a Redis broker: set REDIS_URL (as .ci/run does)")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=30,
            queues=WORKER_QUEUES,
        ) as w:
            yield w
    finally:
        app.conf.task_always_eager = True
