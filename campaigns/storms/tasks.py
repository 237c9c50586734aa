"""Celery tasks of storms: thin, taking ids and calling a service, safe to run twice. They
run on the "storms" queue (CELERY_TASK_ROUTES); services import this module at the top
and tasks import services inside the function, so the two never form an import circle."""

from celery import shared_task

from volunteers.mail import MailDeferred

RETRY = {"autoretry_for": (MailDeferred,), "retry_backoff": True, "max_retries": 8}


@shared_task(acks_late=True, **RETRY)
def pledge_confirmation_send(pledge_id: int) -> bool:
    """Email a pledger the link that confirms their pledge."""
    from campaigns.storms import services

    return services.pledge_confirmation_send(pledge_id=pledge_id)
