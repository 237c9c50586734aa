"""Fan-out and sending: every recipient of a scheduled message gets it once.

The schedule and the outbox live in the database; the broker only carries "work on message
M", which anyone can send again. So:

- `messages_fan_out_due` (beat, every ORGANISER_TICK seconds) writes one outbox row per
  recipient of each due message (unique per message and supporter, so writing twice adds
  nothing), marks the message SENDING and enqueues its senders, all in one transaction.
- `outbox_send` (a task on the `mass` queue) claims a batch of rows (FOR UPDATE SKIP
  LOCKED on PostgreSQL: two senders never hold one row), sends the batch over one SMTP
  connection and marks each row sent, under its claim, as soon as the server took it; then
  the next batch, until none is left.
- `outbox_sweep` (beat) re-enqueues senders for a message nobody has claimed from for a
  claim period: its tasks were lost with the broker, or its worker died. Rows whose claim
  expired are claimed again by the next sender.

A killed worker, a restarted Redis or a task delivered twice delays an email and never
doubles one, except in the one window SMTP leaves open: the server took the message and
the process died before the row was marked sent. That row is sent again when its claim
expires (docs/reminders.md).
"""

import logging
import uuid
from datetime import timedelta
from math import ceil

from django.conf import settings
from django.core.mail import get_connection
from django.db import connections, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from organiser import tasks
from organiser.models import OutboxEmail, ScheduledMessage
from organiser.rendering import Recipient, Renderer
from organiser.selectors import audience_supporters, shift_starts
from organiser.services.scheduling import in_quiet_hours
from volunteers.mail import MailDeferred, Outcome, email_send, suppressed_among

logger = logging.getLogger(__name__)

State = ScheduledMessage.State
Row = OutboxEmail.State
Skip = OutboxEmail.Skip
MAX_ATTEMPTS = 5  # claims of one row before it is failed (something kills every attempt)
FAN_OUT_CHUNK = 5000


def messages_fan_out_due(*, now=None) -> list[int]:
    """Fan out every scheduled message whose time has come; the ids fanned out."""
    now = now or timezone.now()
    due = ScheduledMessage.objects.filter(state=State.SCHEDULED, send_at__lte=now)
    return [
        pk for pk in due.values_list("pk", flat=True) if message_fan_out(message_id=pk, now=now)
    ]


def message_fan_out(*, message_id: int, now=None) -> int | None:
    """Write the message's outbox (one row per recipient now in its audience), mark it
    SENDING and enqueue its senders once that commits. None if it was not SCHEDULED (or
    another beat has it locked). Recipients are counted again when each row is sent."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            ScheduledMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, state=State.SCHEDULED)
            .first()
        )
        if message is None:
            return None
        written = 0
        chunk = []
        ids = audience_supporters(message).order_by("pk").values_list("pk", flat=True)
        for supporter_id in ids.iterator(chunk_size=FAN_OUT_CHUNK):
            chunk.append(OutboxEmail(message_id=message.pk, supporter_id=supporter_id))
            if len(chunk) == FAN_OUT_CHUNK:
                written += _write(chunk)
                chunk = []
        written += _write(chunk)
        message.state, message.fanned_out_at, message.last_claim_at = State.SENDING, now, now
        message.save(update_fields=["state", "fanned_out_at", "last_claim_at", "updated_at"])
        _enqueue_senders(message.pk, pending=written)
    logger.info("Scheduled message %s fanned out to %s recipients", message.pk, written)
    return written


def _write(rows: list[OutboxEmail]) -> int:
    if rows:
        OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _enqueue_senders(message_id: int, *, pending: int) -> None:
    senders = min(settings.ORGANISER_SENDERS, max(1, ceil(pending / settings.ORGANISER_BATCH_SIZE)))
    for _ in range(senders):
        tasks.outbox_send.delay_on_commit(message_id)


def outbox_send(*, message_id: int) -> int:
    """Send the message's waiting rows, batch after batch, until none is left to claim;
    how many this call sent. Sends each row at most once (but for the window in the module
    docstring), honours a cancel or an edit before each batch and an unsubscribe before
    each batch, and sends nothing in quiet hours (the sweeper resumes after them). Raises
    MailDeferred when the mail server cannot take mail now: the rest waits for a retry."""
    sent = 0
    while True:
        now = timezone.now()
        message = ScheduledMessage.objects.select_related(
            "storm", "event", "shift__event", "petition"
        ).get(pk=message_id)
        if message.state != State.SENDING:
            return sent
        if message.send_by and now >= message.send_by:
            _skip_all_pending(message, Skip.LATE)
            _finish_if_done(message.pk)
            return sent
        if in_quiet_hours(now):
            return sent
        token, ids = _claim(message, now)
        if not ids:
            _finish_if_done(message.pk)
            return sent
        sent += _send_batch(message, ids, token, now)


def _claim(message: ScheduledMessage, now) -> tuple[uuid.UUID, list[int]]:
    """Claim up to ORGANISER_BATCH_SIZE waiting rows nobody holds (or whose holder's claim
    expired) for ORGANISER_CLAIM_SECONDS."""
    token = uuid.uuid4()
    claimable = OutboxEmail.objects.filter(message_id=message.pk, state=Row.PENDING).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    with transaction.atomic():
        # A row whose every claim ended with its sender dead is failed, not retried forever.
        claimable.filter(attempts__gte=MAX_ATTEMPTS).update(
            state=Row.FAILED, claim_token=None, claimed_until=None
        )
        ids = list(
            claimable.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[: settings.ORGANISER_BATCH_SIZE]
        )
        if ids:
            OutboxEmail.objects.filter(pk__in=ids).update(
                claim_token=token,
                claimed_until=now + timedelta(seconds=settings.ORGANISER_CLAIM_SECONDS),
                attempts=F("attempts") + 1,
            )
            ScheduledMessage.objects.filter(pk=message.pk).update(last_claim_at=now)
    return token, ids


def _send_batch(message: ScheduledMessage, ids: list[int], token, now) -> int:
    """Check the claimed rows as a batch (erased, unsubscribed, consent or sign-up still
    live, weekly cap), send the rest over one SMTP connection, and let go of the claim."""
    mine = OutboxEmail.objects.filter(pk__in=ids, claim_token=token, state=Row.PENDING)
    rows = list(
        mine.select_related("supporter").only(
            "pk", "supporter__email", "supporter__name", "supporter__erased_at"
        )
    )
    supporter_ids = [row.supporter_id for row in rows]
    skips: dict[str, list[int]] = {}
    erased = {row.pk for row in rows if row.supporter.erased_at is not None}
    suppressed = suppressed_among(
        emails={row.supporter.email for row in rows if row.pk not in erased}, mass=True
    )
    still_in = set(
        audience_supporters(message).filter(pk__in=supporter_ids).values_list("pk", flat=True)
    )
    sent_this_week = _sent_this_week(message, supporter_ids, now)
    starts = (
        shift_starts(message, supporter_ids)
        if message.audience in (message.Audience.EVENT_RSVPS, message.Audience.SHIFT_RSVPS)
        else {}
    )
    to_send = []
    for row in rows:
        if row.pk in erased:
            skips.setdefault(Skip.ERASED, []).append(row.pk)
        elif row.supporter.email in suppressed:
            skips.setdefault(Skip.SUPPRESSED, []).append(row.pk)
        elif row.supporter_id not in still_in:
            skips.setdefault(Skip.NO_CONSENT, []).append(row.pk)
        elif (
            sent_this_week is not None
            and sent_this_week.get(row.supporter_id, 0) >= settings.ORGANISER_WEEKLY_CAP
        ):
            skips.setdefault(Skip.CAPPED, []).append(row.pk)
        else:
            if sent_this_week is not None:
                sent_this_week[row.supporter_id] = sent_this_week.get(row.supporter_id, 0) + 1
            to_send.append(row)
    for reason, skipped in skips.items():
        mine.filter(pk__in=skipped).update(
            state=Row.SKIPPED, skip_reason=reason, claim_token=None, claimed_until=None
        )
    try:
        return _deliver(message, to_send, token, now, starts)
    finally:
        # Whatever is still claimed (a send stopped early, or the server deferred) goes
        # back to the queue, and that claim is not counted against it: only claims that
        # end with their sender dead count towards MAX_ATTEMPTS.
        mine.update(claim_token=None, claimed_until=None, attempts=F("attempts") - 1)


def _sent_this_week(message: ScheduledMessage, supporter_ids, now) -> dict[int, int] | None:
    """Campaign emails each recipient was sent in the last 7 days; None for a reminder,
    which the weekly cap does not count (they asked for it)."""
    if message.kind != ScheduledMessage.Kind.CAMPAIGN:
        return None
    rows = (
        OutboxEmail.objects.filter(
            supporter_id__in=supporter_ids,
            state=Row.SENT,
            sent_at__gte=now - timedelta(days=7),
        )
        .exclude(message__audience__in=ScheduledMessage.REMINDER_AUDIENCES)
        .values("supporter_id")
        .annotate(n=Count("pk"))
    )
    return {row["supporter_id"]: row["n"] for row in rows}


def _deliver(message, rows, token, now, starts) -> int:
    if not rows:
        return 0
    renderer = Renderer(message)
    # Stop with time to spare before the claim runs out, so no other sender can take a
    # row this one is still sending.
    stop_at = now + timedelta(seconds=settings.ORGANISER_CLAIM_SECONDS * 0.8)
    source = f"message:{message.pk}"
    sent = 0
    mark = _Marks(token=token, version=renderer.version)
    connection = get_connection()
    connection.open()
    try:
        for row in rows:
            if timezone.now() >= stop_at:
                break
            recipient = Recipient(
                supporter_id=row.supporter_id,
                email=row.supporter.email,
                name=row.supporter.name,
                starts_at=starts.get(row.supporter_id),
            )
            email = renderer.email(recipient, outbox_id=row.pk, connection=connection)
            outcome = email_send(message=email, source=source, mass=True, checked=True)
            if outcome == Outcome.SENT:
                mark.sent(row.pk)
                sent += 1
            else:
                mark.failed(row.pk)
    except MailDeferred:
        logger.warning("The mail server deferred %s mail; the rest waits for a retry", source)
        raise
    finally:
        connection.close()
        mark.close()
    return sent


class _Marks:
    """Marks rows sent (or failed) under this sender's claim, one statement per row, as soon
    as the server has answered: the time between the server taking an email and its row
    saying so is the one window in which a dying worker leaves a duplicate, so it is kept
    to one prepared UPDATE, its SQL built once per batch. On PostgreSQL these commits do
    not wait for the disk (synchronous_commit off for this connection, while sending): a
    killed worker loses none of them; a PostgreSQL crash could lose the last fraction of
    a second of them, and those emails would be sent again (docs/reminders.md)."""

    def __init__(self, *, token, version: int):
        self.db = connections[OutboxEmail.objects.db]
        meta = OutboxEmail._meta
        column = {f.name: self.db.ops.quote_name(f.column) for f in meta.fields}
        # Names from the model's own metadata, quoted; every value is a parameter.
        self.sql = (
            f"UPDATE {self.db.ops.quote_name(meta.db_table)} SET {column['state']} = %s, "  # noqa: S608
            f"{column['sent_at']} = %s, {column['version_sent']} = %s, "
            f"{column['claim_token']} = NULL, {column['claimed_until']} = NULL "
            f"WHERE {column['id']} = %s AND {column['claim_token']} = %s "
            f"AND {column['state']} = %s"
        )
        self.token = meta.get_field("claim_token").get_db_prep_value(token, self.db)
        self.version = version
        self.postgres = self.db.vendor == "postgresql"
        self.cursor = self.db.cursor()
        if self.postgres:
            self.cursor.execute("SET synchronous_commit TO off")

    def _mark(self, pk: int, state: str, sent_at) -> None:
        at = self.db.ops.adapt_datetimefield_value(sent_at)
        self.cursor.execute(
            self.sql, [state, at, self.version if sent_at else None, pk, self.token, Row.PENDING]
        )

    def sent(self, pk: int) -> None:
        self._mark(pk, Row.SENT, timezone.now())

    def failed(self, pk: int) -> None:
        self._mark(pk, Row.FAILED, None)

    def close(self) -> None:
        try:
            if self.postgres:
                self.cursor.execute("RESET synchronous_commit")
        finally:
            self.cursor.close()


def _skip_all_pending(message: ScheduledMessage, reason: str) -> int:
    return OutboxEmail.objects.filter(message_id=message.pk, state=Row.PENDING).update(
        state=Row.SKIPPED, skip_reason=reason, claim_token=None, claimed_until=None
    )


def _finish_if_done(message_id: int) -> bool:
    """SENDING becomes SENT once no row is left waiting."""
    if OutboxEmail.objects.filter(message_id=message_id, state=Row.PENDING).exists():
        return False
    return bool(
        ScheduledMessage.objects.filter(pk=message_id, state=State.SENDING).update(
            state=State.SENT, finished_at=timezone.now()
        )
    )


def outbox_sweep(*, now=None) -> list[int]:
    """Enqueue senders again for each message being sent that nobody has claimed from for a
    claim period (its tasks were lost with the broker, or its worker died) or whose only
    waiting rows are claims that ran out, and finish those with nothing left; the ids
    re-enqueued."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.ORGANISER_CLAIM_SECONDS)
    resumed = []
    pending = OutboxEmail.objects.filter(message=OuterRef("pk"), state=Row.PENDING)
    # A sender that died left its claim to run out while the others finished: once it has,
    # and nobody holds a claim, it need not wait a claim period more.
    left_behind = (
        Exists(pending.filter(claimed_until__lt=now))
        & ~Exists(pending.filter(claimed_until__gte=now))
        & Q(last_claim_at__lt=now - timedelta(seconds=2 * settings.ORGANISER_TICK))
    )
    sending = ScheduledMessage.objects.filter(state=State.SENDING).filter(
        Q(last_claim_at__isnull=True) | Q(last_claim_at__lt=stale) | left_behind
    )
    for message in sending.only("pk", "send_by"):
        pending = OutboxEmail.objects.filter(message_id=message.pk, state=Row.PENDING).count()
        if not pending:
            _finish_if_done(message.pk)
            continue
        late = message.send_by is not None and now >= message.send_by
        if in_quiet_hours(now) and not late:
            continue
        with transaction.atomic():
            ScheduledMessage.objects.filter(pk=message.pk).update(last_claim_at=now)
            _enqueue_senders(message.pk, pending=pending)
        resumed.append(message.pk)
    if resumed:
        logger.info("Re-enqueued senders for scheduled messages %s", resumed)
    return resumed
