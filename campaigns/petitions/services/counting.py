"""Counts: folding the journal into the published totals, and checking them against
the counted signatures."""

import logging
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db import connection, transaction
from django.db.models import CharField, Count, F, Sum, Value
from django.utils import timezone

from campaigns.petitions.models import (
    ConstituencyCount,
    CountChange,
    Petition,
    PetitionCount,
    Signature,
)

logger = logging.getLogger(__name__)


# The key of the advisory lock that lets one fold run at a time (any constant of our own).
FOLD_LOCK = 0x47_53_46_4C


def petition_counts_apply(*, batch: int = 10_000) -> int:
    """Fold waiting CountChanges into the counts; returns how many were applied.

    Each change is read, added to PetitionCount and ConstituencyCount, and deleted in one
    transaction, so it is applied exactly once even if the worker dies half-way (nothing is
    kept). One fold runs at a time, taking the journal in order: a second that starts
    meanwhile returns 0 at once (PostgreSQL: a transaction's advisory lock; SQLite writes
    one transaction at a time anyway). Two folds splitting the journal between them could
    apply an invalidation before the restore it follows, and take a total below zero.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
                if not cursor.fetchone()[0]:
                    return 0
        changes = CountChange.objects.order_by("pk")
        rows = list(changes.values_list("pk", "petition_id", "constituency_code", "delta")[:batch])
        if not rows:
            return 0
        totals: dict[int, int] = defaultdict(int)
        by_seat: dict[tuple[int, str], int] = defaultdict(int)
        for _, petition_id, code, delta in rows:
            totals[petition_id] += delta
            by_seat[petition_id, code] += delta
        now = timezone.now()
        PetitionCount.objects.bulk_create(
            [PetitionCount(petition_id=p) for p in totals], ignore_conflicts=True
        )
        for petition_id, delta in totals.items():
            PetitionCount.objects.filter(petition_id=petition_id).update(
                total=F("total") + delta, updated_at=now
            )
        ConstituencyCount.objects.bulk_create(
            [ConstituencyCount(petition_id=p, constituency_code=c) for p, c in by_seat],
            ignore_conflicts=True,
        )
        # One read and one write for all seats, not an UPDATE per seat: the rows are locked
        # (in a fixed order) so a concurrent run waits rather than losing an addition, then
        # written back by one INSERT ... ON CONFLICT DO UPDATE (bulk_update's CASE would
        # grow with the square of the number of seats).
        seats = (
            ConstituencyCount.objects.select_for_update()
            .filter(petition_id__in=totals, constituency_code__in={code for _, code in by_seat})
            .order_by("pk")
        )
        changed = []
        for seat in seats:
            delta = by_seat.get((seat.petition_id, seat.constituency_code))
            if delta:
                seat.total += delta
                changed.append(seat)
        ConstituencyCount.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["petition", "constituency_code"],
            update_fields=["total"],
            batch_size=1000,
        )
        CountChange.objects.filter(pk__in=[r[0] for r in rows]).delete()
    return len(rows)


SEATS_SHOWN = 10  # constituencies named in a report line; the rest are counted


@dataclass(frozen=True)
class SeatDifference:
    constituency_code: str
    published: int
    expected: int


@dataclass(frozen=True)
class CountCheck:
    """What petition_counts_check found for one petition: the published total and what it
    should be, the constituencies whose published totals differ, and whether it repaired
    them (it does not with repair=False, nor a count that would have to go below zero)."""

    petition_id: int
    slug: str
    published: int
    expected: int
    seats: tuple[SeatDifference, ...] = ()
    repaired: bool = False

    @property
    def differs(self) -> bool:
        return self.published != self.expected or bool(self.seats)

    @property
    def repairable(self) -> bool:
        """A count below zero would mean the journal takes away more than was ever counted:
        a fault to look into, not one to paper over."""
        return self.expected >= 0 and all(seat.expected >= 0 for seat in self.seats)

    def __str__(self) -> str:
        if not self.differs:
            return f"{self.slug}: {self.published}, as expected"
        parts = []
        if self.published != self.expected:
            parts.append(f"total {self.published} published, {self.expected} expected")
        parts += [
            f"{seat.constituency_code or '(no constituency)'} {seat.published} published, "
            f"{seat.expected} expected"
            for seat in self.seats[:SEATS_SHOWN]
        ]
        if len(self.seats) > SEATS_SHOWN:
            parts.append(f"{len(self.seats) - SEATS_SHOWN} more constituencies")
        outcome = "repaired" if self.repaired else "not repaired"
        return f"{self.slug}: {'; '.join(parts)}: {outcome}"


def _count_sources(petition_id: int):
    """One statement: per constituency, the counted signatures ("signed"), the journal rows
    not yet folded ("pending") and the published total ("published")."""

    def kind(name):
        return Value(name, output_field=CharField())

    signed = (
        Signature.objects.filter(petition_id=petition_id, counted=True)
        .order_by()
        .values("constituency_code")
        .annotate(kind=kind("signed"), n=Count("pk"))
        .values_list("kind", "constituency_code", "n")
    )
    pending = (
        CountChange.objects.filter(petition_id=petition_id)
        .order_by()
        .values("constituency_code")
        .annotate(kind=kind("pending"), n=Sum("delta"))
        .values_list("kind", "constituency_code", "n")
    )
    published = (
        ConstituencyCount.objects.filter(petition_id=petition_id)
        .order_by()
        .annotate(kind=kind("published"))
        .values_list("kind", "constituency_code", "total")
    )
    return signed.union(pending, published, all=True)


def _published_total_locked(petition_id: int):
    return (
        PetitionCount.objects.select_for_update(of=("self",))
        .filter(petition_id=petition_id)
        .values_list("total", "petition__slug")
        .first()
    )


def petition_counts_check(*, petition_id: int, repair: bool = True) -> CountCheck:
    """Compare a petition's published counts with its counted signatures; repair them.

    What is published should be the counted signatures less the journal rows (CountChange)
    not yet folded in: per petition (PetitionCount.total) and per constituency
    (ConstituencyCount). A difference is logged (the petition's slug and the numbers,
    nothing about any signer) and, with repair, the published totals are set to what they
    should be. Safe to run at any time, beside signing and beside petition_counts_apply:

    - The petition's PetitionCount row is locked first (FOR UPDATE). Every fold that takes
      in a change for this petition updates that row before it touches the constituency
      rows, and deletes the journal rows it folded in the same transaction. So a fold that
      has already updated it has committed by the time the lock is granted (and the next
      statement sees all of it: totals raised, journal rows gone), and one that has not
      waits until this check commits (its journal rows, locked but not deleted, are seen
      as pending, which is what they still are). The published counts of this petition
      cannot change while the check holds the lock, and two checks take turns.
    - Then the counted signatures, the pending journal and the published constituency
      totals are read in ONE statement. Under READ COMMITTED each statement sees one
      snapshot; signing, confirming, invalidating and restoring change a signature's
      counted flag and insert its journal row in one transaction, so that snapshot has
      both or neither, and counted minus pending is exact. Read in two statements, a
      transaction committing between them would show as a difference that is not there,
      and "repairing" it would break a right count.
    - Nothing here locks a signature or a journal row, so signers never wait for it. A
      repaired total is what the published count should be before the pending journal is
      folded, so the fold that runs next adds its changes to the right number.

    The check costs the same few queries whatever the number of constituencies. With
    repair=False it changes nothing (even the empty PetitionCount row it may make for a
    petition never counted is rolled back).
    """
    with transaction.atomic():
        check = _counts_compare(petition_id)
        if repair and check.differs and check.repairable:
            _counts_repair(check)
            check = replace(check, repaired=True)
        if not repair:
            transaction.set_rollback(True)
    if check.differs:
        # Repair asked for but impossible is an error; otherwise a difference is a warning.
        level = logging.ERROR if repair and not check.repaired else logging.WARNING
        logger.log(level, "Petition counts differed: %s", check)
    return check


def _counts_compare(petition_id: int) -> CountCheck:
    """The lock, then the one statement (see petition_counts_check)."""
    locked = _published_total_locked(petition_id)
    if locked is None:  # never folded: make the row (as the fold would) and lock it
        if not Petition.objects.filter(pk=petition_id).exists():
            raise Petition.DoesNotExist(f"No petition {petition_id}.")
        PetitionCount.objects.bulk_create(
            [PetitionCount(petition_id=petition_id)], ignore_conflicts=True
        )
        locked = _published_total_locked(petition_id)
    published_total, slug = locked
    signed: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    published: dict[str, int] = {}
    for kind, code, n in _count_sources(petition_id):
        if kind == "signed":
            signed[code] += n
        elif kind == "pending":
            pending[code] += n
        else:
            published[code] = n
    seats = tuple(
        SeatDifference(code, published.get(code, 0), signed[code] - pending[code])
        for code in sorted({*signed, *pending, *published})
        if published.get(code, 0) != signed[code] - pending[code]
    )
    expected_total = sum(signed.values()) - sum(pending.values())
    return CountCheck(petition_id, slug, published_total, expected_total, seats)


def _counts_repair(check: CountCheck) -> None:
    """Set the published counts to what they should be: at most two statements."""
    if check.published != check.expected:
        PetitionCount.objects.filter(petition_id=check.petition_id).update(
            total=check.expected, updated_at=timezone.now()
        )
    ConstituencyCount.objects.bulk_create(
        [
            ConstituencyCount(
                petition_id=check.petition_id,
                constituency_code=seat.constituency_code,
                total=seat.expected,
            )
            for seat in check.seats
        ],
        update_conflicts=True,
        unique_fields=["petition", "constituency_code"],
        update_fields=["total"],
        batch_size=1000,
    )


def petition_counts_check_all(*, repair: bool = True) -> list[CountCheck]:
    """petition_counts_check for every petition that is not a draft, each in a transaction
    of its own (so a lock is held for one petition at a time)."""
    ids = Petition.objects.exclude(state=Petition.State.DRAFT).order_by("pk")
    return [
        petition_counts_check(petition_id=pk, repair=repair)
        for pk in ids.values_list("pk", flat=True)
    ]
