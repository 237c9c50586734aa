"""Organisers' judgements on signatures: invalidating them and restoring suspect ones. A
signature that starts or stops counting here stops or starts pressing its MP too
(services/pressure.py)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.petitions import abuse, tasks
from campaigns.petitions.models import CountChange, Signature
from campaigns.petitions.services.pressure import PRESSURE_SOURCE, signatures_pressure_record
from campaigns.pressure.services import actions_withdraw


def signatures_invalidate(*, signatures, reason: str) -> int:
    """Invalidate signatures with a reason; counted ones leave the totals exactly, and
    their pressure on their MP is withdrawn (one DELETE), in the same transaction.

    `signatures` is a queryset (by IP hash, domain, postcode, time range or ids); those
    already invalidated are left as they were. Returns how many were invalidated.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for invalidating signatures."})
    with transaction.atomic():
        # Locked in primary key order, as signatures_restore locks them, so the two
        # running at once on overlapping rows wait for one another instead of deadlocking.
        pending = signatures.filter(invalidated_at__isnull=True).order_by("pk").select_for_update()
        rows = list(pending.values_list("pk", "petition_id", "constituency_code", "counted"))
        if not rows:
            return 0
        Signature.objects.filter(pk__in=[r[0] for r in rows]).update(
            invalidated_at=timezone.now(), invalidation_reason=reason.strip()[:200], counted=False
        )
        CountChange.objects.bulk_create(
            [
                CountChange(petition_id=petition_id, constituency_code=code, delta=-1)
                for _, petition_id, code, counted in rows
                if counted
            ]
        )
        actions_withdraw(source=PRESSURE_SOURCE, source_ids=[r[0] for r in rows])
    return len(rows)


@dataclass(frozen=True)
class Restoration:
    """What signatures_restore did: how many it restored, how many of them count now, and
    how many were sent a confirmation email (the rest count once they confirm)."""

    restored: int
    counted: int
    emailed: int


def signatures_restore(*, signatures, reason: str, by=None) -> Restoration:
    """Clear the suspicion on suspect signatures, with a reason, so genuine signers count.

    `signatures` is a queryset; only those suspect and not invalidated are restored (an
    invalidated signature stays out, and restoring twice does nothing the second time).
    Each is locked (in primary key order, as signatures_invalidate locks them) and marked
    with who restored it, when and why. A confirmed one counts at once: counted is set,
    exactly one CountChange +1 written and its pressure on its MP recorded
    (pressure.signatures_pressure_record), in this transaction. An unconfirmed one is sent
    its confirmation email after commit (within abuse's cap per address), and counts
    once, through signature_confirm, when the link is followed. Raises ValidationError
    for an empty reason; nothing is changed then.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for restoring signatures."})
    with transaction.atomic():
        suspects = (
            signatures.filter(is_suspect=True, invalidated_at__isnull=True)
            .order_by("pk")
            .select_for_update()
        )
        rows = list(
            suspects.values_list(
                "pk", "petition_id", "constituency_code", "confirmed_at", "counted", "email"
            )
        )
        if not rows:
            return Restoration(restored=0, counted=0, emailed=0)
        now = timezone.now()
        marks = {
            "is_suspect": False,
            "restored_at": now,
            "restoration_reason": reason[:200],
            "restored_by": by,
        }
        confirmed = [row for row in rows if row[3] is not None]
        unconfirmed = [row for row in rows if row[3] is None]
        Signature.objects.filter(pk__in=[row[0] for row in confirmed]).update(counted=True, **marks)
        Signature.objects.filter(pk__in=[row[0] for row in unconfirmed]).update(**marks)
        now_counting = CountChange.objects.bulk_create(
            [
                CountChange(petition_id=petition_id, constituency_code=code, delta=1)
                for _, petition_id, code, _, counted, _ in confirmed
                if not counted
            ]
        )
        if confirmed:
            signatures_pressure_record(signature_ids=[row[0] for row in confirmed])
        allowed = abuse.confirmation_emails_allowed([row[5] for row in unconfirmed])
        emailed = [row[0] for row, ok in zip(unconfirmed, allowed, strict=True) if ok]
        for pk in emailed:
            tasks.signature_confirmation_send.delay_on_commit(pk)
    return Restoration(restored=len(rows), counted=len(now_counting), emailed=len(emailed))
