"""Celery tasks of petitions: thin, taking ids, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from campaigns.petitions import services
from campaigns.petitions.models import Signature


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def signature_confirmation_send(signature_id: int) -> bool:
    """Email the link that confirms a signature. Sends nothing for a signature that is gone,
    already confirmed or invalidated, so a retry after a crash cannot send a useless mail.
    Retried with back-off while the mail server is unreachable."""
    signature = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if signature is None or signature.confirmed_at or signature.invalidated_at:
        return False
    path = reverse(
        "petitions:confirm",
        args=[signature.petition.slug, services.confirmation_token(signature)],
    )
    context = {
        "signature": signature,
        "petition": signature.petition,
        "link": settings.SITE_URL.rstrip("/") + path,
    }
    message = EmailMultiAlternatives(
        subject=f"Confirm your signature: {signature.petition.title}",
        body=render_to_string("petitions/email/confirm.txt", context),
        to=[signature.email],
    )
    message.send()
    return True


@shared_task(ignore_result=True)
def petition_counts_apply() -> int:
    """Fold new signature counts into the totals (every PETITION_COUNT_INTERVAL seconds)."""
    total = 0
    for _ in range(100):  # in a spike, keep going until the journal is drained
        applied = services.petition_counts_apply()
        total += applied
        if not applied:
            break
    return total
