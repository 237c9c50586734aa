"""Celery tasks of letters: thin, taking ids and calling a service, safe to run twice.

Tasks import services inside the function and services import this module at the top, so
the two never form an import circle. They run on the "letters" queue (CELERY_TASK_ROUTES).
"""

from celery import shared_task

from volunteers.mail import MailDeferred

RETRY = {"autoretry_for": (MailDeferred,), "retry_backoff": True, "max_retries": 8}


@shared_task(acks_late=True, **RETRY)
def letter_confirmation_send(letter_id: int) -> bool:
    """Email the writer the link that confirms their letter."""
    from campaigns.letters import services

    return services.letter_confirmation_send(letter_id=letter_id)


@shared_task(acks_late=True, **RETRY)
def letter_send(letter_id: int) -> bool:
    """Send a confirmed letter to the MP, at most once (services.letter_send); retried with
    back-off while the mail server defers it."""
    from campaigns.letters import services

    return services.letter_send(letter_id=letter_id)


@shared_task(acks_late=True, **RETRY)
def letter_copy_send(letter_id: int) -> bool:
    """Email the writer a copy of their sent letter, at most once."""
    from campaigns.letters import services

    return services.letter_copy_send(letter_id=letter_id)
