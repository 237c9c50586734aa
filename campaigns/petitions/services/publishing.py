"""Opening and closing a petition: what the organiser's admin and their schedule call."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from campaigns.petitions.models import Petition


@transaction.atomic
def petition_open(*, petition: Petition) -> bool:
    """A draft petition opens for signatures now. True if this call opened it."""
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    if petition.state != Petition.State.DRAFT:
        return False
    now = timezone.now()
    petition.state = Petition.State.OPEN
    petition.opens_at = min(petition.opens_at, now)
    if petition.closes_at is not None and petition.closes_at <= now:
        petition.closes_at = None  # a past closing date would shut it at once
    petition.save(update_fields=["state", "opens_at", "closes_at"])
    return True


@transaction.atomic
def petition_close(*, petition: Petition) -> bool:
    """An open petition stops taking signatures now (its signatures and counts stay). True
    if this call closed it."""
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    if petition.state != Petition.State.OPEN:
        return False
    now = timezone.now()
    petition.state = Petition.State.CLOSED
    if petition.closes_at is None or petition.closes_at > now:
        petition.closes_at = max(now, petition.opens_at + timedelta(seconds=1))
    petition.save(update_fields=["state", "closes_at"])
    return True
