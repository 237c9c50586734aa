"""The settings module under different environments, each read in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

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
    "hasher": settings.PASSWORD_HASHERS[0],
    "debug": settings.DEBUG,
    "acks_late": app.conf.task_acks_late,
    "reject_on_worker_lost": app.conf.task_reject_on_worker_lost,
    "prefetch": app.conf.worker_prefetch_multiplier,
    "eager": app.conf.task_always_eager,
    "beat_scheduler": app.conf.beat_scheduler,
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


def test_argon2_comes_first_and_celery_is_set_for_reliability(tmp_path):
    local = settings_under(tmp_path)

    assert local["hasher"] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert (local["acks_late"], local["reject_on_worker_lost"], local["prefetch"]) == (
        True,
        True,
        1,
    )
    assert local["eager"] is False
    assert local["beat_scheduler"] == "django_celery_beat.schedulers:DatabaseScheduler"


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


def test_beat_folds_petition_counts_well_within_five_seconds():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["petition-counts"]

    assert entry["task"] == "campaigns.petitions.tasks.petition_counts_apply"
    assert entry["schedule"] <= 2.5
