"""Settings for the benchmark's gunicorn, Celery worker and beat: the project's settings
(read from the environment that bench/petition_sign.py sets) plus the baseline views' URLs
and a cache key prefix of the run's own, so no rate-limit counter leaks between runs."""

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403
from config.settings import CACHES, DATABASES, REDIS_URL, env

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not REDIS_URL:
    raise ImproperlyConfigured(
        "bench.settings needs DATABASE_URL (PostgreSQL) and REDIS_URL; "
        "run the benchmark with bench/petition_sign.py, which sets them"
    )

ROOT_URLCONF = "bench.urls"
CACHES["default"]["KEY_PREFIX"] = env.str("BENCH_CACHE_PREFIX", default="groundswell-bench")
