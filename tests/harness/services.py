"""Which real services the tests can reach, and what to do when one is missing."""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

CHROMIUM = "/usr/bin/chromium"


def services_required() -> bool:
    return os.environ.get("GROUNDSWELL_REQUIRE_SERVICES") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip the test with `reason` when a service is missing; fail instead in CI."""
    if condition:
        return
    if services_required():
        pytest.fail(f"GROUNDSWELL_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def database_vendor() -> str:
    return connection.vendor


def redis_url() -> str:
    return settings.REDIS_URL


def chromium_path() -> str | None:
    return CHROMIUM if shutil.which(CHROMIUM) else None
