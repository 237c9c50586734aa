"""The settings module under different environments, each read in a fresh process, and
what its choices do: passwords hashed with Argon2, tasks queued rather than run in the web
process, and on real worker processes, tasks never lost when a process dies and never
hoarded behind a long one."""

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password

from config.celery import app
from tests.factories import PASSWORD, UserFactory
from tests.harness.services import redis_url

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
from config.celery import app
out = {
    "engine": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": app.conf.broker_url,
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "num_proxies": settings.REST_FRAMEWORK["NUM_PROXIES"],
    "allauth_proxies": settings.ALLAUTH_TRUSTED_PROXY_COUNT,
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}),
}
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        out["journal_mode"] = cursor.execute("PRAGMA journal_mode").fetchone()[0]
print(json.dumps(out))
"""

# Variables the test run may have set that would leak into the fresh process.
OWN_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "CACHE_URL",
    "DJANGO_ENV",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_PREPARED_STATEMENTS",
)


def run(code_or_args, tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if k not in OWN_VARIABLES}
    environment.update(GROUNDSWELL_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    environment.update(env)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def settings_under(tmp_path, **env) -> dict:
    result = run(PRINT_SETTINGS, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_local_defaults_need_no_services(tmp_path):
    local = settings_under(tmp_path)

    assert local["engine"] == "django.db.backends.sqlite3"
    assert local["journal_mode"] == "wal"
    assert local["broker"].startswith("filesystem://")
    assert local["cache"].endswith("LocMemCache")
    assert local["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert (tmp_path / "celery" / "queue").is_dir()


def test_services_come_from_the_environment(tmp_path):
    configured = settings_under(
        tmp_path,
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/groundswell",
        REDIS_URL="redis://127.0.0.1:6379/0",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
        TRUSTED_PROXY_COUNT="1",
    )

    assert configured["engine"] == "django.db.backends.postgresql"
    assert configured["cache"] == "django_redis.cache.RedisCache"
    assert configured["broker"] == "redis://127.0.0.1:6379/0"
    assert configured["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert configured["num_proxies"] == configured["allauth_proxies"] == 1


def test_postgresql_prepares_statements_unless_a_pooler_needs_them_off(tmp_path):
    url = "postgres://u:p@127.0.0.1:5432/groundswell"

    default = settings_under(tmp_path, DATABASE_URL=url)["db_options"]
    pooled = settings_under(tmp_path, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="off")

    assert default == {"server_side_binding": True, "prepare_threshold": 5}
    assert pooled["db_options"] == {}


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2_and_older_hashes_are_upgraded_at_sign_in(client):
    user = UserFactory()
    assert user.password.startswith("argon2$")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")  # as an older release
    user.save()

    assert client.login(email=user.email, password=PASSWORD)

    user.refresh_from_db()
    assert user.password.startswith("argon2$")


SEND_A_TASK = """
import django
django.setup()
from campaigns.petitions.tasks import petition_counts_apply
petition_counts_apply.delay()
"""


def test_local_defaults_queue_tasks_on_disk_for_the_worker_process(tmp_path):
    result = run(SEND_A_TASK, tmp_path)

    # Sent, not run in the sending process: a message waits in var/ for the worker.
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "celery" / "queue").iterdir())) == 1


@app.task(name="tests.test_settings.die_the_first_time")
def die_the_first_time(runs: str, test_pid: int) -> None:
    """Notes each run; on the first, its worker process dies (as if killed for memory)."""
    path = Path(runs)
    first = not path.exists()
    with path.open("a") as notes:
        notes.write(f"{os.getpid()}\n")
    if first and os.getpid() != test_pid:  # never the test process itself
        os.kill(os.getpid(), signal.SIGKILL)


@app.task(name="tests.test_settings.hold_until_released")
def hold_until_released(folder: str) -> None:
    (Path(folder) / "held").touch()
    deadline = time.monotonic() + 60
    while not (Path(folder) / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@app.task(name="tests.test_settings.note_ran")
def note_ran(folder: str) -> None:
    (Path(folder) / "queued ran").touch()


def wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.redis
@pytest.mark.celery_worker
def test_a_task_whose_worker_process_dies_is_run_again(celery_worker_process, tmp_path):
    worker = celery_worker_process(include="tests.test_settings")
    runs = tmp_path / "runs"

    app.send_task(die_the_first_time.name, args=[str(runs), os.getpid()], queue=worker.queue)

    assert wait_for(lambda: runs.exists() and len(runs.read_text().split()) == 2), (
        f"the task was not run again after its worker process died:\n{worker.output()[-3000:]}"
    )
    first, second = runs.read_text().split()
    assert first != second  # the second run was on a new worker process


@pytest.mark.redis
@pytest.mark.celery_worker
def test_a_task_queued_behind_a_long_one_stays_in_the_broker_for_any_free_worker(
    celery_worker_process, tmp_path
):
    import redis

    worker = celery_worker_process(include="tests.test_settings")
    app.send_task(hold_until_released.name, args=[str(tmp_path)], queue=worker.queue)
    assert wait_for(lambda: (tmp_path / "held").exists()), worker.output()[-3000:]

    app.send_task(note_ran.name, args=[str(tmp_path)], queue=worker.queue)

    # The busy worker does not take it for itself: another worker could have it now.
    with closing(redis.Redis.from_url(redis_url())) as broker:
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            assert broker.llen(worker.queue) == 1
            time.sleep(0.1)
    assert not (tmp_path / "queued ran").exists()
    (tmp_path / "release").touch()
    assert wait_for(lambda: (tmp_path / "queued ran").exists()), worker.output()[-3000:]


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(["manage.py", "check"], tmp_path, DJANGO_ENV="production", ALLOWED_HOSTS="x.org")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run(["manage.py", "check"], tmp_path, DJANGO_ENV="production", SECRET_KEY="k" * 60)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_profile_passes_the_deploy_check_with_no_warnings(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DJANGO_ENV="production",
        SECRET_KEY="a-long-random-production-secret-Zq8#vL2@pW9!mX4$kR7^tB1&nJ6*",
        ALLOWED_HOSTS="groundswell.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr + result.stdout
    assert "no issues" in result.stdout
