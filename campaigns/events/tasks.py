"""Celery tasks of events: thin, taking ids and calling a service, safe to run twice. They
run on the "events" queue (CELERY_TASK_ROUTES); services import this module at the top
and tasks import services inside the function, so the two never form an import circle."""

from celery import shared_task

from volunteers.mail import MailDeferred

RETRY = {"autoretry_for": (MailDeferred,), "retry_backoff": True, "max_retries": 8}


@shared_task(acks_late=True, **RETRY)
def rsvp_email_send(rsvp_id: int, kind: str) -> bool:
    """Email an RSVP's person: "confirm" (the link that confirms an email sign-up), "placed"
    (their place or their place in the waiting list, with the check-in code) or "offer"
    (a freed place, with its expiry)."""
    from campaigns.events import emails

    return emails.rsvp_email_send(rsvp_id=rsvp_id, kind=kind)


@shared_task(acks_late=True)
def offers_expire() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): withdraw expired offers, offer the place on."""
    from campaigns.events import services

    return services.offers_expire()


@shared_task(acks_late=True, **RETRY)
def event_host_email_send(event_id: int) -> bool:
    """Tell a proposed event's host it was approved, or declined and why."""
    from campaigns.events import emails

    return emails.host_email_send(event_id=event_id)
