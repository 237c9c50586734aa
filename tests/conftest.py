"""Test harness shared by every test. Its pieces live in tests/harness/:

- factories.py (tests/factories.py): factory-boy factories for users, supporters, targets;
- harness/smtp.py: `smtp_sink`, a real SMTP server (aiosmtpd) collecting the site's mail;
- harness/browser.py: `browser` and `page`, Playwright on Debian's chromium;
- harness/worker.py: `celery_worker`, a real Celery worker on the Redis broker;
  `celery_worker_process`, real worker processes (to kill); `WorkerProcess` for any queues;
- harness/redis_server.py: `private_redis`, a Redis server of the test's own to restart;
- harness/fake_web.py: `fake_web`, a local HTTP server answering with recorded samples of
  the outside services (Parliament Members API, postcodes.io);
- harness/axe.py: `axe`, axe-core's WCAG 2.2 AA check of the page open in the browser.

Tests that need a service that is missing are skipped with the reason, except under
GROUNDSWELL_REQUIRE_SERVICES=1 (set by .ci/run), where they fail instead.
"""

import os
import uuid

import pytest
from django.conf import settings

from tests.harness.services import database_vendor, require

pytest_plugins = [
    "tests.harness.smtp",
    "tests.harness.browser",
    "tests.harness.worker",
    "tests.harness.redis_server",
    "tests.harness.fake_web",
    "tests.harness.axe",
]

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse
# to run beside it. The tests drive the browser and the ORM one after the other.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return [
        f"groundswell: database {database_vendor()} ({db.get('HOST') or db['NAME']}), "
        f"celery broker {settings.CELERY_BROKER_URL}, "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
    ]


def pytest_runtest_setup(item):
    """Tests marked `postgres` only mean something on PostgreSQL."""
    if item.get_closest_marker("postgres"):
        require(database_vendor() == "postgresql", "needs PostgreSQL: set DATABASE_URL")


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache namespace, so rate-limit counters never leak between
    tests, also when the cache is a shared Redis server."""
    prefix = uuid.uuid4().hex
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": prefix} for alias, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    """No quiet hours (ORGANISER_QUIET_HOURS), in which nothing mass is sent: tests run
    at any hour. Tests of quiet hours set them, and travel in time."""
    settings.ORGANISER_QUIET_HOURS = "00:00-00:00"


@pytest.fixture(autouse=True, scope="session")
def _eager_celery():
    """Unit tests run tasks in-process; the celery_worker fixture turns this off."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
