"""Writes of pressure: recording an action against a target, and withdrawing it.

Apps that produce actions (petitions, letters) call these with a `source` naming what
produced the action ("petitions.signature", "letters.letter") and that thing's id. Both are
safe to repeat: the unique constraint on (source, source_id, target) records a thing once
however often, and under whatever concurrency, it is fed; withdrawing what is not there
does nothing. Neither opens a transaction of its own (each is one statement, atomic by
itself), so a caller's transaction holds the record together with the change that caused
it, and no savepoint is added to the caller's path.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.pressure.models import ActionKind, ActionRecord
from campaigns.targets.models import Target
from core.db import insert_unless_exists
from volunteers.models import Supporter

SOURCE_MAX = ActionRecord._meta.get_field("source").max_length


@dataclass(frozen=True)
class Action:
    """One action to record, for actions_record: by ids, so a caller can build many from
    one query's rows without loading targets or supporters."""

    target_id: int
    source_id: int
    supporter_id: int | None = None
    occurred_at: datetime | None = None


def _check(*, kind: str, source: str) -> None:
    errors = {}
    if kind not in ActionKind.values:
        errors["kind"] = f"Unknown kind of action: {kind!r}."
    if not source or len(source) > SOURCE_MAX:
        errors["source"] = f"Name the source in 1 to {SOURCE_MAX} characters."
    if errors:
        raise ValidationError(errors)


def action_record(
    *,
    target: Target,
    kind: str,
    source: str,
    source_id: int,
    supporter: Supporter | None = None,
    occurred_at: datetime | None = None,
) -> bool:
    """Record that `source`'s thing `source_id` pressed on `target`; True if this recorded
    it, False if it was already recorded (nothing changes then). One INSERT ... ON CONFLICT
    DO NOTHING. `occurred_at` is when the supporter acted (a letter's sending), now if not
    given. Raises ValidationError for an unknown kind or an empty or overlong source."""
    _check(kind=kind, source=source)
    record = ActionRecord(
        target_id=target.pk,
        kind=kind,
        source=source,
        source_id=source_id,
        supporter_id=supporter.pk if supporter is not None else None,
        occurred_at=occurred_at or timezone.now(),
    )
    return insert_unless_exists(record)


def actions_record(*, kind: str, source: str, actions: Iterable[Action]) -> None:
    """Record many actions of one kind and source in one INSERT (none for no actions),
    each once: those already recorded are left as they were."""
    _check(kind=kind, source=source)
    now = timezone.now()
    records = [
        ActionRecord(
            target_id=action.target_id,
            kind=kind,
            source=source,
            source_id=action.source_id,
            supporter_id=action.supporter_id,
            occurred_at=action.occurred_at or now,
        )
        for action in actions
    ]
    if records:
        ActionRecord.objects.bulk_create(records, ignore_conflicts=True)


def actions_withdraw(*, source: str, source_ids: Iterable[int]) -> int:
    """Delete the records of `source`'s things `source_ids` (against any target), in one
    DELETE; returns how many went.

    Deleted rather than flagged: a record says only "this thing counts as pressure now",
    and the thing itself keeps the history (an invalidated signature keeps when and why).
    A flag would copy that state here, every count and every index would have to leave
    flagged rows out, and a withdrawn row would still hold a supporter link for privacy
    to deal with. Recording again after a withdrawal simply inserts a new row.
    """
    ids = list(source_ids)
    if not ids:
        return 0
    deleted, _ = ActionRecord.objects.filter(source=source, source_id__in=ids).delete()
    return deleted
