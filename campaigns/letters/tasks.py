"""Celery tasks of letters: thin, taking ids and calling a service, safe to run twice.

Tasks import services inside the function and services import this module at the top, so
the two never form an import circle. They run on the "letters" queue (CELERY_TASK_ROUTES).
"""

import logging

from celery import shared_task

from core.logging import counts_text
from volunteers.mail import MailDeferred

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (MailDeferred,), "retry_backoff": True, "max_retries": 8}


@shared_task(acks_late=True, **RETRY)
def letter_confirmation_send(letter_id: int) -> bool:
    """Email the writer the link that confirms their letter."""
    from campaigns.letters import services

    return services.letter_confirmation_send(letter_id=letter_id)


@shared_task(acks_late=True, **RETRY)
def letter_rewrite_invite_send(letter_id: int) -> bool:
    """Email the writer of a letter held as too like others the link to make it their own."""
    from campaigns.letters import services

    return services.letter_rewrite_invite_send(letter_id=letter_id)


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


@shared_task(acks_late=True, **RETRY)
def letter_outcome_notice_send(letter_id: int) -> bool:
    """Tell the writer, once, that their letter bounced or was turned down after review."""
    from campaigns.letters import services

    return services.letter_outcome_notice_send(letter_id=letter_id)


@shared_task(acks_late=True)
def letters_confirmations_tend() -> tuple[int, int]:
    """Periodic (CELERY_BEAT_SCHEDULE): expire letters unconfirmed past
    LETTER_CONFIRMATION_MAX_AGE, then enqueue the one reminder for those a day old. One
    batch of each per run."""
    from campaigns.letters import services

    return services.letters_expire(), services.letter_reminders_enqueue()


@shared_task(acks_late=True, **RETRY)
def letter_reminder_send(letter_id: int) -> bool:
    """Email the writer the one reminder to confirm their letter."""
    from campaigns.letters import services

    return services.letter_reminder_send(letter_id=letter_id)


@shared_task(acks_late=True)
def letters_follow_up() -> int:
    """Periodic: enqueue "Did your MP reply?" for letters sent LETTER_FOLLOW_UP_DAYS ago."""
    from campaigns.letters import services

    return services.letter_follow_ups_enqueue()


@shared_task(acks_late=True, **RETRY)
def letter_follow_up_send(letter_id: int) -> bool:
    """Ask the writer of a sent letter, once, whether their MP replied."""
    from campaigns.letters import services

    return services.letter_follow_up_send(letter_id=letter_id)


@shared_task(acks_late=True)
def letters_scrub() -> int:
    """Periodic: remove text and addresses of letters past LETTER_RETENTION_DAYS."""
    from campaigns.letters import services

    return services.letters_scrub()


@shared_task(ignore_result=True)
def letters_retention() -> dict:
    """Daily: delete letters never confirmed past UNCONFIRMED_RETENTION_DAYS; logs it.
    (Text and addresses of the others go after LETTER_RETENTION_DAYS: letters_scrub.)"""
    from campaigns.letters import services

    removed = {"unconfirmed letters deleted": services.letters_unconfirmed_purge()}
    logger.info("Letters retention: %s", counts_text(removed))
    return removed
