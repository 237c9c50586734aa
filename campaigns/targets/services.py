"""Writes to the tally. Every status change, from the admin, the API, a bulk action or an
import, goes through target_status_set so that each one leaves exactly one history row."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.targets.models import NOTE_MAX_LENGTH, Target, TargetStatus, TargetStatusChange

SOURCE_NEEDED = "A status change needs a source link: where was it reported?"


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

    A change must cite where it was reported: without a source_url, or with one that is not
    a link or is too long for the history, it raises ValidationError naming source_url and
    changes nothing. The target row is locked for the change, so two organisers changing
    the same target at once leave a history in which each row's from_status is the
    previous row's to_status.
    """
    source_url = source_url.strip()
    errors = {}
    if status not in TargetStatus.values:
        errors["status"] = f"{status!r} is not a target status."
    if source_url:
        try:
            TargetStatusChange._meta.get_field("source_url").run_validators(source_url)
        except ValidationError as error:
            errors["source_url"] = error.messages
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"A note has at most {NOTE_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    locked = Target.objects.select_for_update().get(pk=target.pk)
    if locked.status == status:
        return None
    if not source_url:
        raise ValidationError({"source_url": SOURCE_NEEDED})
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
