"""Writes to the tally. Every status change, from the admin, the API, a bulk action or an
import, goes through target_status_set so that each one leaves exactly one history row."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.targets.models import Target, TargetStatus, TargetStatusChange


@transaction.atomic
def target_status_set(
    *,
    target: Target,
    status: str,
    changed_by=None,
    source_url: str = "",
    note: str = "",
) -> TargetStatusChange | None:
    """Set a target's current status and record the change; no-op if it is unchanged.

    The target row is locked for the change, so two organisers changing the same target at
    once leave a history in which each row's from_status is the previous row's to_status.
    """
    if status not in TargetStatus.values:
        raise ValidationError({"status": f"{status!r} is not a target status."})
    locked = Target.objects.select_for_update().get(pk=target.pk)
    if locked.status == status:
        return None
    now = timezone.now()
    change = TargetStatusChange.objects.create(
        target=locked,
        from_status=locked.status,
        to_status=status,
        changed_by=changed_by,
        changed_at=now,
        source_url=source_url,
        note=note,
    )
    Target.objects.filter(pk=locked.pk).update(status=status, status_changed_at=now)
    target.status, target.status_changed_at = status, now
    return change
