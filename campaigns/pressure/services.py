"""Writes of pressure: recording an action against a target, and withdrawing it; and the
actions supporters report themselves (action_report), which are recorded the same way.

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
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from campaigns.pressure.models import (
    URL_MAX,
    ActionKind,
    ActionRecord,
    ReportedAction,
    ReportedKind,
)
from campaigns.targets.models import Target
from core.db import insert_unless_exists
from volunteers.models import Supporter, User
from volunteers.services import supporter_link_user

SOURCE_MAX = ActionRecord._meta.get_field("source").max_length
# The source of the ActionRecord of a ReportedAction (source_id: its id).
REPORTED_SOURCE = "pressure.reported"


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


# --- Actions supporters report ------------------------------------------------------------


def _reported_checked(*, target_id, kind, url, occurred_at, now) -> tuple[Target, str, datetime]:
    """The target, address and time of a report, or ValidationError naming every field
    that is wrong."""
    errors = {}
    target = None
    if isinstance(target_id, int) and not isinstance(target_id, bool):
        target = (
            Target.objects.select_related("campaign", "representative", "organisation")
            .filter(pk=target_id, campaign__is_published=True)
            .first()
        )
    if target is None:
        errors["target"] = "Choose a target of a published campaign."
    if kind not in ReportedKind.values:
        labels = ", ".join(f"{value} ({label})" for value, label in ReportedKind.choices)
        errors["kind"] = f"Choose one of: {labels}."
    url = (url if isinstance(url, str) else "").strip()
    if kind == ReportedKind.POST:
        if not url:
            errors["url"] = "Give your post's address."
        else:
            try:
                if len(url) > URL_MAX:
                    raise ValidationError("too long")
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                errors["url"] = (
                    f"Enter your post's address, starting http:// or https:// (at most "
                    f"{URL_MAX} characters)."
                )
    elif url:
        errors["url"] = "Only a post has an address: leave it out."
    if occurred_at is None:
        occurred_at = now
    elif timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    days = settings.REPORTED_ACTION_MAX_AGE_DAYS
    if occurred_at > now + timedelta(seconds=settings.REPORTED_ACTION_CLOCK_SKEW_SECONDS):
        errors["occurred_at"] = "That is in the future: say when you did it."
    elif occurred_at < now - timedelta(days=days):
        errors["occurred_at"] = f"Report what you did in the last {days} days."
    if errors:
        raise ValidationError(errors)
    return target, url, occurred_at


def action_report(
    *,
    user: User,
    target_id: int,
    kind: str,
    url: str = "",
    occurred_at: datetime | None = None,
) -> tuple[ReportedAction, bool]:
    """A signed-in supporter says they acted against a target outside the platform: called
    the office, posted at the account (`url`, required, http or https, at most URL_MAX
    characters, never fetched) or attended a surgery, at `occurred_at` (now if not given;
    at most REPORTED_ACTION_MAX_AGE_DAYS ago and not in the future beyond
    REPORTED_ACTION_CLOCK_SKEW_SECONDS). Stored as a ReportedAction of the account's
    Supporter and recorded as pressure (an ActionRecord of its kind, REPORTED_SOURCE):
    (the report, True).

    Repeats merge: a report of the same kind against the same target by the same
    supporter acting within REPORTED_ACTION_MERGE_HOURS (either way) of one they made is
    that one, returned unchanged with False, and the counts do not move. Two reports at
    once are decided by a lock on the supporter's row, taken before looking for the
    earlier report, so the second waits for the first and finds it (the window slides, so
    no unique constraint can say it; the lock is per person, so nobody else waits).

    ValidationError naming each bad field: `target` (unknown, or not of a published
    campaign), `kind`, `url`, `occurred_at`. Nothing is stored then.
    """
    now = timezone.now()
    target, url, occurred_at = _reported_checked(
        target_id=target_id, kind=kind, url=url, occurred_at=occurred_at, now=now
    )
    window = timedelta(hours=settings.REPORTED_ACTION_MERGE_HOURS)
    with transaction.atomic():
        supporter = supporter_link_user(user=user)
        # This person's reports wait here for each other, to the end of the transaction.
        list(Supporter.objects.select_for_update().filter(pk=supporter.pk).values_list("pk"))
        earlier = (
            ReportedAction.objects.select_related(
                "target__campaign", "target__representative", "target__organisation"
            )
            .filter(
                supporter=supporter,
                target=target,
                kind=kind,
                occurred_at__gt=occurred_at - window,
                occurred_at__lt=occurred_at + window,
            )
            .order_by("-occurred_at", "-id")
            .first()
        )
        if earlier is not None:
            return earlier, False
        reported = ReportedAction.objects.create(
            supporter=supporter, target=target, kind=kind, url=url, occurred_at=occurred_at
        )
        action_record(
            target=target,
            kind=kind,
            source=REPORTED_SOURCE,
            source_id=reported.pk,
            supporter=supporter,
            occurred_at=occurred_at,
        )
    return reported, True
