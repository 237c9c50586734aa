"""The bottom layer's periodic jobs: forgetting kept API answers (core/idempotency.py) and
old removals (core/sync.py)."""

from celery import shared_task

from core import idempotency, sync


@shared_task(ignore_result=True)
def idempotency_keys_purge() -> int:
    return idempotency.idempotency_keys_purge()


@shared_task(ignore_result=True)
def tombstones_purge() -> int:
    return sync.tombstones_purge()
