"""Organisers' review of held letters: release or reject with a reason."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.letters import tasks
from campaigns.letters.models import Letter

logger = logging.getLogger(__name__)


def letter_release(*, letter_id: int) -> bool:
    """An organiser releases a letter HELD_FOR_REVIEW: it becomes AWAITING_CONFIRMATION
    from now (awaiting_since: a letter held for days still has its full week to be
    confirmed) and its confirmation email goes after commit (an organiser's decision, so
    outside the per-address cap). True if this call released it; False for a letter gone
    or not held (released twice, one email)."""
    with transaction.atomic():
        held = Letter.objects.filter(pk=letter_id, state=Letter.State.HELD_FOR_REVIEW)
        released = held.update(
            state=Letter.State.AWAITING_CONFIRMATION, awaiting_since=timezone.now()
        )
        if released:
            tasks.letter_confirmation_send.delay_on_commit(letter_id)
    return bool(released)


def letter_reject(*, letter_id: int, reason: str) -> bool:
    """An organiser rejects a letter HELD_FOR_REVIEW, saying why: it becomes FAILED
    (failed_at) and is never sent, and the writer is told why by email
    (letter_outcome_notice_send, a task enqueued after commit). True if this call rejected
    it; False for a letter gone or not held. ValidationError({"reason"}) for an empty
    reason. The reason is stored on the letter (rejection_reason) and emailed."""
    reason = " ".join((reason if isinstance(reason, str) else "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the letter is rejected: the writer is told."})
    with transaction.atomic():
        rejected = Letter.objects.filter(pk=letter_id, state=Letter.State.HELD_FOR_REVIEW).update(
            state=Letter.State.FAILED,
            failed_at=timezone.now(),
            rejection_reason=reason[: Letter._meta.get_field("rejection_reason").max_length],
        )
        if rejected:
            tasks.letter_outcome_notice_send.delay_on_commit(letter_id)
    if rejected:
        logger.info("Letter %s rejected after review: %s", letter_id, reason)
    return bool(rejected)
