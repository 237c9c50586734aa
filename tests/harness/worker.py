"""`celery_worker`: a real Celery worker, in a thread, consuming from the Redis broker.
`celery_beat`: a real Celery beat, in a thread, sending the project's schedule to it.
`celery_worker_process`: starts real `celery -A config worker` processes (prefork), for
what only a pool of processes shows: a worker process dying, prefetching."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connections

from tests.harness.services import redis_url, require

# The queues of the Procfile's two workers, "worker" and "mass".
WORKER_QUEUES = ["celery", "petitions", "letters", "storms", "events", "briefs", "mass"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker(transactional_db):
    """A worker that runs tasks the way production does: sent through Redis after commit,
    consumed by a worker with its own database connection."""
    require(bool(redis_url()), "needs a Redis broker: set REDIS_URL (as .ci/run does)")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    # This worker is a thread of the test process: a database connection it kept between
    # tasks (CELERY_DB_REUSE_MAX, as production's worker processes do) would outlive it
    # and hold the test database open. Here each task closes its connections, as Celery
    # does by default. Read once, when the first worker starts in this process.
    app.conf.CELERY_DB_REUSE_MAX = None
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


class Beat:
    """Celery beat as the Procfile runs it (`celery -A config beat`): the configured
    scheduler (django-celery-beat's DatabaseScheduler, which reads CELERY_BEAT_SCHEDULE
    into the database) sending due tasks through the broker. Not running until start(),
    so a test can first show what happens without it."""

    def __init__(self, app):
        self.app = app
        self._service = None
        self._thread = None
        self._failure = None
        self._stopped = False

    def start(self) -> None:
        from celery.beat import Service

        assert self._thread is None, "beat was started already"
        self._service = Service(self.app, scheduler_cls=self.app.conf.beat_scheduler)
        self._thread = threading.Thread(target=self._run, name="celery-beat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self.app.set_current()
        try:
            self._service.start()
        except Exception as error:  # re-raised in the test by stop()
            self._failure = error
        finally:
            connections.close_all()  # this thread's connection, before the test database goes

    def kill(self) -> None:
        """SIGKILL to the worker and its pool at once, as when a machine dies: no task is
        finished, acknowledged or handed back."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 30) -> None:
        """Stop ticking, write the schedule back (as beat does on shutdown) and wait for the
        thread; raises what made beat fail, if anything did."""
        if self._thread is None or self._stopped:
            return
        self._service.stop(wait=False)
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"beat did not stop within {timeout} s"
        self._stopped = True
        # The database scheduler also registers a sync at interpreter exit; it has synced
        # already, and by then the test database is gone.
        scheduler = vars(self._service).get("scheduler")  # only if the thread made one
        if getattr(scheduler, "_finalize", None) is not None:
            scheduler._finalize.cancel()
        if self._failure is not None:
            raise self._failure


@pytest.fixture
def celery_beat(celery_worker):
    """A real beat beside the real worker; call .start(). Stopped at teardown, before the
    worker, and its failure (if any) fails the test."""
    from config.celery import app

    beat = Beat(app)
    try:
        yield beat
    finally:
        beat.stop()


class WorkerProcess:
    """`celery -A config worker` in a process group of its own, with the project's
    settings, consuming only `queue` (a queue of its own, so nothing else reaches it), or
    the named `queues`; `env` adds to its environment (another database, broker or mail
    server), and `beat` runs beat inside it (`-B`)."""

    def __init__(
        self,
        *,
        include: str | None = None,
        concurrency: int,
        log: Path,
        queues: list[str] | None = None,
        env: dict[str, str] | None = None,
        beat: bool = False,
    ):
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        self.log = log
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--pool=prefork", f"--concurrency={concurrency}",
            f"--queues={','.join(queues or [self.queue])}",
            f"--hostname={self.queue}@%h", "--loglevel=INFO",
            "--without-mingle", "--without-gossip", "--without-heartbeat",
        ]  # fmt: skip
        if include:
            command.append(f"--include={include}")
        if beat:
            command += ["--beat", f"--schedule={log.parent / (self.queue + '-beat')}"]
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **(env or {})}
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and Celery
                command,
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while " ready." not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the worker did not start:\n{self.output()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the worker and its pool at once, as when a machine dies: no task is
        finished, acknowledged or handed back."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 30) -> None:
        """Warm shutdown (SIGTERM, as a supervisor stops it); killed if it hangs."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own group: it and its pool
            self.process.wait()


@pytest.fixture
def celery_worker_process(tmp_path):
    """Starts a real worker process: `celery_worker_process(include="tests.module")` imports
    that module's tasks too, and returns a ready WorkerProcess. Tasks are sent to it with
    `app.send_task(name, args, queue=worker.queue)`. Stopped, and its queue deleted from
    Redis, at teardown."""
    require(bool(redis_url()), "needs a Redis broker: set REDIS_URL (as .ci/run does)")
    import redis

    from config.celery import app

    started: list[WorkerProcess] = []

    def start(*, include: str, concurrency: int = 1) -> WorkerProcess:
        worker = WorkerProcess(
            include=include, concurrency=concurrency, log=tmp_path / f"worker-{len(started)}.log"
        )
        started.append(worker)
        worker.wait_until_ready()
        return worker

    app.conf.task_always_eager = False
    try:
        yield start
    finally:
        app.conf.task_always_eager = True
        broker = redis.Redis.from_url(redis_url())
        for worker in started:
            worker.stop()
            # The queue, and the bindings kombu keeps for its exchange of the same name.
            bindings = list(broker.scan_iter(match=f"_kombu.binding*.{worker.queue}"))
            broker.delete(worker.queue, *bindings)
        broker.close()
