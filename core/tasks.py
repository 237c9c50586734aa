"""The bottom layer's one periodic job: forgetting kept API answers (core/idempotency.py)."""

from celery import shared_task

from core import idempotency


@shared_task(ignore_result=True)
def idempotency_keys_purge() -> int:
    return idempotency.idempotency_keys_purge()
