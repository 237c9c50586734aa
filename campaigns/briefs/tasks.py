"""Celery tasks of briefs: thin, taking ids and calling a service, safe to run twice. They
run on the "briefs" queue (CELERY_TASK_ROUTES); services import this module at the top and
tasks import services inside the function, so the two never form an import circle."""

from celery import shared_task

from volunteers.mail import MailDeferred


@shared_task(acks_late=True, autoretry_for=(MailDeferred,), retry_backoff=True, max_retries=8)
def review_notice_send(submission_id: int) -> bool:
    """Tell a volunteer their work was approved, or returned with a note."""
    from campaigns.briefs import services

    return services.review_notice_send(submission_id=submission_id)
