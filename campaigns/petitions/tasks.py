"""Celery tasks of petitions: thin, taking ids and calling a service, safe to run twice.

Tasks import services inside the function and services import this module at the top, so
the two never form an import circle.
"""

import logging

from celery import shared_task

from core.logging import counts_text

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def signature_confirmation_send(signature_id: int) -> bool:
    """Email the link that confirms a signature (services.signature_confirmation_send);
    retried with back-off while the mail server is unreachable or answers 4xx (the
    service raises volunteers.mail.MailDeferred, an OSError). A 5xx refusal is not raised,
    so it is never retried: the address is suppressed instead."""
    from campaigns.petitions import services

    return services.signature_confirmation_send(signature_id=signature_id)


@shared_task(ignore_result=True)
def petition_counts_apply() -> int:
    """Fold new signature counts into the totals (every PETITION_COUNT_INTERVAL seconds)."""
    from campaigns.petitions import services

    total = 0
    for _ in range(100):  # in a spike, keep going until the journal is drained
        applied = services.petition_counts_apply()
        total += applied
        if not applied:
            break
    return total


@shared_task(ignore_result=True)
def petition_counts_check() -> int:
    """Check every public petition's published counts against its counted signatures and
    repair any difference (every PETITION_COUNT_CHECK_INTERVAL seconds); returns how many
    petitions differed. Safe beside signing and counting, and to run twice."""
    from campaigns.petitions import services

    return sum(check.differs for check in services.petition_counts_check_all())


@shared_task(ignore_result=True)
def signatures_pressure_catch_up() -> int:
    """Record as pressure the signatures that counted at once, on petitions without
    confirmation (every PETITION_PRESSURE_INTERVAL seconds, looking back ten intervals, so
    a beat that stalls for a while misses none). Safe to run twice."""
    from datetime import timedelta

    from django.conf import settings

    from campaigns.petitions import services

    within = timedelta(seconds=10 * settings.PETITION_PRESSURE_INTERVAL)
    return services.signatures_pressure_catch_up(within=within)


@shared_task(ignore_result=True)
def petitions_retention() -> dict:
    """Daily: delete signatures never confirmed past UNCONFIRMED_RETENTION_DAYS and
    anonymise signers SIGNER_RETENTION_MONTHS after their petition closed; logs what it
    removed."""
    from campaigns.petitions import services

    removed = {
        "unconfirmed signatures deleted": services.signatures_unconfirmed_purge(),
        "signers anonymised": services.signers_anonymise(),
    }
    logger.info("Petitions retention: %s", counts_text(removed))
    return removed
