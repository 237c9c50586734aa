"""Signatures as pressure: a counted signature from a constituency whose MP the petition's
campaign targets is an ActionRecord against that target (campaigns.pressure).

Signatures that start counting through a link (signing.signature_confirm) or an organiser
(moderation.signatures_restore) are recorded in the same transaction. Those that count at
once, on petitions without confirmation, start counting on the signing hot path, which
takes no extra statement; signatures_pressure_catch_up records them shortly after, from a
periodic task.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from campaigns.petitions.models import Signature
from campaigns.pressure.models import ActionKind, ActionRecord
from campaigns.pressure.selectors import constituency_targets
from campaigns.pressure.services import Action, actions_record

PRESSURE_SOURCE = "petitions.signature"


def _target_of_signature():
    """The target a signature (the outer query's row) presses: its petition's campaign's
    target for the current MP of the signer's constituency."""
    return constituency_targets(
        campaign=OuterRef("petition__campaign_id"),
        constituency_code=OuterRef("constituency_code"),
    )


def signatures_pressure_record(*, signature_ids: list[int]) -> None:
    """Record each of these (counting) signatures as a "signature" action against its
    petition's campaign's target for the signer's constituency, if the campaign targets
    that constituency's current MP; when it happened is when it was confirmed.

    Two statements whatever the number of signatures: one SELECT finding each one's
    target, one INSERT (none if no signature has a target). Safe to repeat: pressure
    records a signature once. Call it inside the transaction that makes them count.
    """
    target = _target_of_signature().values("pk")[:1]
    rows = (
        Signature.objects.filter(pk__in=signature_ids)
        .annotate(pressed_id=Subquery(target))
        .filter(pressed_id__isnull=False)
        .order_by()
        .values_list("pk", "supporter_id", "confirmed_at", "pressed_id")
    )
    actions_record(
        kind=ActionKind.SIGNATURE,
        source=PRESSURE_SOURCE,
        actions=[
            Action(target_id=target_id, source_id=pk, supporter_id=supporter_id, occurred_at=at)
            for pk, supporter_id, at, target_id in rows
        ],
    )


def signatures_pressure_catch_up(*, within: timedelta, batch: int = 5_000) -> int:
    """Record the counted signatures of the last `within` that are not yet pressure (those
    of petitions without confirmation), at most `batch` a run; returns how many were looked
    at. The rows are locked while they are recorded, as invalidation locks them, so a
    signature invalidated meanwhile is never recorded after its withdrawal. Safe to run
    twice and beside signing: pressure records a signature once."""
    recorded = ActionRecord.objects.filter(source=PRESSURE_SOURCE, source_id=OuterRef("pk"))
    with transaction.atomic():
        due = list(
            Signature.objects.filter(
                counted=True,
                invalidated_at__isnull=True,
                created_at__gte=timezone.now() - within,
            )
            # Only signatures that press a target, so those from seats nobody targets are
            # not looked at again on every run (and cannot crowd the batch).
            .filter(Exists(_target_of_signature()))
            .exclude(Exists(recorded))
            .order_by("pk")
            .select_for_update(of=("self",))
            .values_list("pk", flat=True)[:batch]
        )
        if due:
            signatures_pressure_record(signature_ids=due)
    return len(due)
