"""Celery tasks of storms: thin, taking ids and calling a service, safe to run twice. They
run on the "storms" queue (CELERY_TASK_ROUTES); services import this module at the top
and tasks import services inside the function, so the two never form an import circle."""

import logging

from celery import shared_task

from core.logging import counts_text
from volunteers.mail import MailDeferred

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (MailDeferred,), "retry_backoff": True, "max_retries": 8}


@shared_task(acks_late=True, **RETRY)
def pledge_confirmation_send(pledge_id: int) -> bool:
    """Email a pledger the link that confirms their pledge."""
    from campaigns.storms import services

    return services.pledge_confirmation_send(pledge_id=pledge_id)


@shared_task(ignore_result=True)
def storms_retention() -> dict:
    """Daily: delete pledges never confirmed past UNCONFIRMED_RETENTION_DAYS; logs it."""
    from campaigns.storms import services

    removed = {"unconfirmed pledges deleted": services.pledges_unconfirmed_purge()}
    logger.info("Storms retention: %s", counts_text(removed))
    return removed
