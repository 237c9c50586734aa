"""Benchmark of a scheduled message's fan-out: 50,000 recipients through the real pipeline
(beat fans out, two `mass` workers send claimed batches), one worker killed and restarted
partway, 10 confirmation emails a second going through meanwhile (bench/README.md,
"Reminder fan-out").

    .venv/bin/python bench/reminder_fanout.py                      # the acceptance run
    .venv/bin/python bench/reminder_fanout.py --recipients 2000    # a quick one

Set-up: its own PostgreSQL database (dropped and created), a private redis-server on a
free port as broker and cache, and an aiosmtpd sink in a process of its own on loopback
that records every delivery's recipient, Message-ID and arrival time. Then, in this order:

1. the limit: this process renders every message with organiser.rendering.Renderer and
   sends them all over one SMTP connection, no queue, no database writes (the supporters
   are read once, before the clock starts);
2. starts Celery as the Procfile does: two `mass` workers (prefork, one process each,
   `--include=bench.reminder_fanout` for the naive task below), the transactional worker
   (`--queues=celery,petitions,letters,storms,events,briefs`) and beat;
3. naive: one Celery task per recipient on the same two `mass` workers, each reading the
   message and the supporter, rendering with Renderer and sending over a new SMTP
   connection of its own (`naive_send` below);
4. the pipeline: the message's send_at is set to now (the trigger); beat's outbox_tend fans
   it out and the `mass` workers send it. At 40% delivered one `mass` worker's process group
   is killed with SIGKILL and a new one started a few seconds later; all along, 10 petition
   confirmation emails a second are enqueued through the real task
   (campaigns.petitions.tasks.signature_confirmation_send);
5. the limit again, with the workers stopped, so drift shows.

The report gives each one's emails per second, the pipeline's duplicates, missing and
trigger-to-last-delivered time, the confirmation emails' delays, the kill and restart
timeline, CPU per component, and the targets met or not. Written to
bench/results/reminder_fanout-<UTC time>.md. Run by hand, never in CI.
"""

import argparse
import contextlib
import importlib.metadata
import json
import math
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from celery import shared_task

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://groundswell:groundswell@127.0.0.1:5432/groundswell_bench_fanout"
MASS_DOMAIN = "fanout.example.org"  # the scheduled message's recipients
CONFIRM_DOMAIN = "confirm.example.net"  # the petition signers' confirmation emails
NAIVE_TASK = "bench.reminder_fanout.naive_send"
TARGETS = {"vs_naive": 5.0, "vs_limit": 0.7, "confirm_p99_s": 10.0}
SUBJECT = "News for {{ first_name }}: five nominations to go"
BODY = """Hello {{ first_name }},

Thirty MPs have nominated so far, and five more would do it. Your MP has not yet: a short
email from you this week is what moves them, and it takes two minutes.

Write to your MP: https://groundswell.example/letters/nominate/

Thank you for everything you have done so far. When we win, it will be because thousands
of people like you asked, again and again, politely and in their own words.

{{ site_name }}"""


# -- the naive baseline's task (imported by the `mass` workers with --include) --------------


@shared_task(name=NAIVE_TASK, ignore_result=True)
def naive_send(message_id: int, supporter_id: int) -> bool:
    """One recipient, the naive way: read the message and the supporter, render with the
    real Renderer, check the suppression list, send over a new SMTP connection."""
    from django.core.mail import get_connection

    from organiser.models import ScheduledMessage
    from organiser.rendering import Recipient, Renderer
    from volunteers.mail import Outcome, email_send
    from volunteers.models import Supporter

    message = ScheduledMessage.objects.get(pk=message_id)
    supporter = Supporter.objects.get(pk=supporter_id)
    renderer = Renderer(message)
    email = renderer.email(
        Recipient(supporter_id=supporter.pk, email=supporter.email, name=supporter.name),
        outbox_id=supporter.pk,
        connection=get_connection(),  # opened for this one message, closed after it
    )
    return email_send(message=email, source=f"message:{message_id}", mass=True) == Outcome.SENT


# -- the SMTP sink (a process of its own: --serve-sink) --------------------------------------


def _message_id(content: bytes) -> str:
    """The Message-ID's left part from `outbox.` on (Renderer's `outbox.<row>`), or all of
    it, found without parsing the message."""
    at = content.find(b"\nMessage-ID: <")
    if at < 0:
        return ""
    start = at + len(b"\nMessage-ID: <")
    end = content.find(b"@", start, start + 200)
    if end < 0:
        return ""
    left = content[start:end]
    return left[max(0, left.find(b"outbox.")) :].decode("ascii", "replace")


def serve_sink(smtp_port: int, control_port: int, connect_ms: int = 0) -> None:
    """An aiosmtpd server on 127.0.0.1:smtp_port that takes every message and records
    (arrival time, recipient, Message-ID), greeting each new connection after connect_ms
    milliseconds (what reaching a provider costs: --connect-latency); a line protocol on
    control_port answers COUNT
    (JSON: messages, connections, per domain [deliveries, distinct recipients]), DUMP <path>
    (writes the records as TSV) and RESET."""
    import asyncio

    from aiosmtpd.smtp import SMTP

    class Handler:
        def __init__(self):
            self.reset()

        def reset(self):
            self.records: list[tuple[float, str, str]] = []
            self.domains: Counter = Counter()
            self.distinct: dict[str, set] = {}
            self.connections = 0

        async def handle_DATA(self, server, session, envelope):
            now = time.time()
            message_id = _message_id(envelope.original_content or envelope.content or b"")
            for address in envelope.rcpt_tos:
                address = address.lower()
                domain = address.rpartition("@")[2]
                self.records.append((now, address, message_id))
                self.domains[domain] += 1
                self.distinct.setdefault(domain, set()).add(address)
            return "250 2.0.0 Message accepted for delivery"

    handler = Handler()

    class CountingSMTP(SMTP):
        def connection_made(self, transport):
            handler.connections += 1
            super().connection_made(transport)

        async def _handle_client(self):
            # The greeting comes connect_ms late, as from a provider across the internet
            # (TCP and TLS hand-shakes, EHLO again after STARTTLS: several round trips).
            if connect_ms:
                await asyncio.sleep(connect_ms / 1000)
            await super()._handle_client()

    async def control(reader, writer):
        while line := await reader.readline():
            command, _, argument = line.decode().strip().partition(" ")
            if command == "COUNT":
                reply = json.dumps(
                    {
                        "messages": len(handler.records),
                        "connections": handler.connections,
                        "domains": {
                            d: [n, len(handler.distinct.get(d, ()))]
                            for d, n in handler.domains.items()
                        },
                    }
                )
            elif command == "DUMP":
                with open(argument, "w") as out:
                    out.writelines(f"{t:.6f}\t{a}\t{m}\n" for t, a, m in handler.records)
                reply = f"OK {len(handler.records)}"
            elif command == "RESET":
                handler.reset()
                reply = "OK"
            else:
                reply = "ERR unknown command"
            writer.write(reply.encode() + b"\n")
            await writer.drain()
        writer.close()

    async def main():
        loop = asyncio.get_running_loop()
        await loop.create_server(
            lambda: CountingSMTP(handler, hostname="sink.bench", ident="bench sink"),
            "127.0.0.1",
            smtp_port,
            backlog=1024,
        )
        await asyncio.start_server(control, "127.0.0.1", control_port)
        print("sink ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


class Sink:
    """The sink process, seen from the benchmark: its ports and its control connection."""

    def __init__(self, processes, work_dir, connect_ms: int = 0):
        from bench.petition_sign import free_port, wait_for_log

        self.port, self.control_port = free_port(), free_port()
        self.work_dir = work_dir
        processes.start(
            "smtp-sink",
            [sys.executable, str(Path(__file__).resolve()), "--serve-sink",
             str(self.port), str(self.control_port), str(connect_ms)],
        )  # fmt: skip
        wait_for_log(work_dir / "smtp-sink.log", "sink ready", 30)
        self.sock = socket.create_connection(("127.0.0.1", self.control_port), timeout=120)
        self.file = self.sock.makefile("rwb")

    def ask(self, line: str) -> str:
        self.file.write(line.encode() + b"\n")
        self.file.flush()
        return self.file.readline().decode().strip()

    def counts(self) -> dict:
        return json.loads(self.ask("COUNT"))

    def delivered(self, domain: str) -> tuple[int, int]:
        """(deliveries, distinct recipients) to a domain so far."""
        return tuple(self.counts()["domains"].get(domain, [0, 0]))

    def reset(self) -> None:
        self.ask("RESET")

    def records(self, name: str) -> list[tuple[float, str, str]]:
        path = self.work_dir / f"sink-{name}.tsv"
        self.ask(f"DUMP {path}")
        rows = []
        for line in path.read_text().splitlines():
            at, address, message_id = line.split("\t")
            rows.append((float(at), address, message_id))
        return rows


# -- what the sink got ----------------------------------------------------------------------


def tally(records, expected: set[str], domain: str) -> dict:
    """Deliveries to `domain` against the addresses expected: duplicates (deliveries past the
    first to an address), missing, unexpected, first and last arrival."""
    mine = [r for r in records if r[1].endswith("@" + domain)]
    per_address = Counter(address for _, address, _ in mine)
    times = [at for at, _, _ in mine]
    return {
        "deliveries": len(mine),
        "distinct": len(per_address),
        "duplicates": sum(n - 1 for n in per_address.values() if n > 1),
        "doubled": sorted(a for a, n in per_address.items() if n > 1),
        "missing": len(expected - per_address.keys()),
        "unexpected": len(per_address.keys() - expected),
        "first": min(times) if times else None,
        "last": max(times) if times else None,
        "times": sorted(times),
    }


def percentile(values, share):
    from bench.loadgen import percentile as nearest_rank

    return nearest_rank(values, share)


# -- set-up -----------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=50_000, help="(50000)")
    parser.add_argument(
        "--naive-sample", type=int, default=5000, help="recipients of the naive run (5000)"
    )
    parser.add_argument(
        "--limit-sample", type=int, default=20_000, help="recipients of each limit run (20000)"
    )
    parser.add_argument(
        "--confirmations-per-second", type=float, default=10.0, help="during the fan-out (10)"
    )
    parser.add_argument(
        "--kill-at", type=float, default=0.4, help="share delivered when a worker is killed"
    )
    parser.add_argument(
        "--restart-after", type=float, default=3.0, help="seconds from kill to restart (3)"
    )
    parser.add_argument(
        "--claim-seconds", type=int, default=10, help="ORGANISER_CLAIM_SECONDS (10)"
    )
    parser.add_argument("--timeout", type=float, help="most seconds the pipeline may take")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_FANOUT_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample mass-b's pool process with py-spy during the pipeline (a diagnosis run: "
        "py-spy costs CPU, so not for the acceptance numbers)",
    )
    parser.add_argument("--no-report", action="store_true", help="print only, write no file")
    parser.add_argument(
        "--connect-latency",
        type=float,
        default=0.0,
        help="seconds the sink waits before greeting each new SMTP connection, standing in "
        "for reaching a real provider (TCP, STARTTLS, EHLO again: several round trips); "
        "0 is loopback's free connection (0)",
    )
    parser.add_argument("--serve-sink", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.naive_sample = min(args.naive_sample, args.recipients)
    args.limit_sample = min(args.limit_sample, args.recipients)
    args.timeout = args.timeout or max(600.0, args.recipients / 25)
    return args


def redis_start(processes, work_dir) -> tuple[str, str]:
    """A redis-server of the benchmark's own on a free port: nothing to share, or to leak."""
    import redis

    from bench.petition_sign import free_port

    port = free_port()
    processes.start(
        "redis",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(work_dir)],
    )  # fmt: skip
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start; see redis.log") from None
            time.sleep(0.1)
    version = client.info("server")["redis_version"]
    client.close()
    return f"redis://127.0.0.1:{port}/0", version


def data_create(recipients: int, confirmations: int) -> dict:
    """The opted-in audience, the message (scheduled for tomorrow: not due until the
    trigger) and a petition whose unconfirmed signers get the confirmation emails."""
    from django.utils import timezone

    from campaigns.petitions.models import Petition, Signature
    from campaigns.targets.models import Campaign
    from organiser.models import ScheduledMessage
    from volunteers.models import ConsentRecord, Supporter, canonical_email

    supporters = Supporter.objects.bulk_create(
        (
            Supporter(email=f"person{n}@{MASS_DOMAIN}", name=f"Person {n}")
            for n in range(recipients)
        ),
        batch_size=5000,
    )
    ConsentRecord.objects.bulk_create(
        (
            ConsentRecord(
                supporter_id=s.pk,
                purpose=ConsentRecord.Purpose.CAMPAIGN_EMAIL,
                wording="Yes, email me about this campaign.",
                source="bench",
            )
            for s in supporters
        ),
        batch_size=5000,
    )
    message = ScheduledMessage.objects.create(
        name="Benchmark fan-out",
        subject=SUBJECT,
        body=BODY,
        audience=ScheduledMessage.Audience.OPTED_IN,
        send_at=timezone.now() + timedelta(days=1),
        state=ScheduledMessage.State.SCHEDULED,
    )
    campaign = Campaign.objects.create(slug="bench-fanout", title="Benchmark fan-out")
    petition = Petition.objects.create(
        campaign=campaign,
        slug="bench-fanout",
        title="Benchmark petition",
        text="Made by bench/reminder_fanout.py.",
        state=Petition.State.OPEN,
        confirmation_required=True,
        opens_at=timezone.now() - timedelta(minutes=1),
    )
    signatures = Signature.objects.bulk_create(
        (
            Signature(
                petition=petition,
                name=f"Signer {n}",
                email=f"signer{n}@{CONFIRM_DOMAIN}",
                canonical_email=canonical_email(f"signer{n}@{CONFIRM_DOMAIN}"),
                email_domain=CONFIRM_DOMAIN,
                postcode="ZZ99 9ZZ",
                share_code=f"{n:012x}",
            )
            for n in range(confirmations)
        ),
        batch_size=5000,
    )
    return {
        "message_id": message.pk,
        "supporters": [(s.pk, s.email, s.name) for s in supporters],
        "signatures": [(s.pk, s.email) for s in signatures],
    }


# -- the three runs ---------------------------------------------------------------------------


def wait_for_sink(sink, domain, count, timeout, quiet=3.0) -> bool:
    """Wait until `count` distinct recipients of `domain` have arrived, then until nothing
    more has arrived for `quiet` seconds (late duplicates); whether all came in time."""
    deadline = time.monotonic() + timeout
    last, last_change = None, time.monotonic()
    while time.monotonic() < deadline:
        deliveries, distinct = sink.delivered(domain)
        if deliveries != last:
            last, last_change = deliveries, time.monotonic()
        if distinct >= count and time.monotonic() - last_change >= quiet:
            return True
        time.sleep(0.5)
    return False


def limit_run(sink, message_id, supporters, label, warm_up=0) -> dict:
    """One process, one SMTP connection, no queue, no database writes; after `warm_up`
    messages that are not counted (imports, compiled templates, the first connection)."""
    from django.core.mail import get_connection

    from bench.petition_sign import log
    from organiser.models import ScheduledMessage
    from organiser.rendering import Recipient, Renderer
    from volunteers.mail import Outcome, email_send

    renderer = Renderer(ScheduledMessage.objects.get(pk=message_id))
    if warm_up:
        connection = get_connection()
        for pk, email, name in supporters[:warm_up]:
            message = renderer.email(
                Recipient(supporter_id=pk, email=email, name=name), connection=connection
            )
            email_send(message=message, source="warm-up", mass=True, checked=True)
        connection.close()
        wait_for_sink(sink, MASS_DOMAIN, min(warm_up, len(supporters)), 30, quiet=0.5)
    log(f"limit ({label}): {len(supporters):,} messages over one SMTP connection")
    sink.reset()
    cpu0 = time.process_time()
    start = time.time()
    connection = get_connection()
    connection.open()
    sent = 0
    try:
        for pk, email, name in supporters:
            message = renderer.email(
                Recipient(supporter_id=pk, email=email, name=name),
                outbox_id=pk,
                connection=connection,
            )
            sent += (
                email_send(message=message, source=f"message:{message_id}", mass=True, checked=True)
                == Outcome.SENT
            )
    finally:
        connection.close()
    handed = time.time()
    cpu = time.process_time() - cpu0
    wait_for_sink(sink, MASS_DOMAIN, len(supporters), 60, quiet=1.0)
    got = tally(sink.records(f"limit-{label}"), {s[1] for s in supporters}, MASS_DOMAIN)
    seconds = got["last"] - start
    return {
        "label": label,
        "n": len(supporters),
        "start": start,
        "end": got["last"],
        "seconds": seconds,
        "rate": got["distinct"] / seconds,
        "cpu_per_email_ms": 1000 * cpu / max(1, sent),
        "handed_seconds": handed - start,
        "tally": got,
        "connections": sink.counts()["connections"],
    }


def naive_run(app, sink, message_id, supporters) -> dict:
    """One Celery task per recipient on the two `mass` workers, each its own connection."""
    from bench.petition_sign import log

    log(f"naive: {len(supporters):,} tasks, one per recipient, on queue mass")
    sink.reset()
    start = time.time()
    with app.producer_or_acquire() as producer:
        for pk, _, _ in supporters:
            app.send_task(NAIVE_TASK, args=(message_id, pk), queue="mass", producer=producer)
    enqueued = time.time()
    complete = wait_for_sink(sink, MASS_DOMAIN, len(supporters), max(300, len(supporters) / 5))
    got = tally(sink.records("naive"), {s[1] for s in supporters}, MASS_DOMAIN)
    end = got["last"] or time.time()
    return {
        "label": "naive",
        "n": len(supporters),
        "start": start,
        "end": end,
        "enqueue_seconds": enqueued - start,
        "seconds": end - start,
        "rate": got["distinct"] / (end - start),
        "complete": complete,
        "tally": got,
        "connections": sink.counts()["connections"],
    }


class Workers:
    """The Celery processes as the Procfile runs them, each in a process group of its own."""

    def __init__(self, processes, work_dir):
        from bench.petition_sign import BIN

        self.processes = processes
        self.work_dir = work_dir
        self.celery = str(BIN / "celery")
        self.mass_names: list[str] = []
        self.events: list[tuple[float, str]] = []

    def start_mass(self, name: str, wait: bool = True) -> None:
        self.processes.start(
            name,
            [self.celery, "-A", "config", "worker", "--loglevel=INFO", "--pool=prefork",
             "--concurrency=1", "--queues=mass", f"--hostname={name}@%h",
             "--include=bench.reminder_fanout"],
            cwd=self.work_dir,
        )  # fmt: skip
        self.mass_names.append(name)
        self.events.append((time.time(), f"{name} started"))
        if wait:
            deadline = time.monotonic() + 90
            while not self.ready(name):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start; see {name}.log")
                time.sleep(0.2)

    def ready(self, name: str) -> bool:
        """Whether the worker said it is ready (recorded the first time it is seen)."""
        if any(what == f"{name} ready" for _, what in self.events):
            return True
        path = self.work_dir / f"{name}.log"
        if path.exists() and " ready." in path.read_text(errors="replace"):
            self.events.append((time.time(), f"{name} ready"))
            return True
        return False

    def start_all(self) -> None:
        from bench.petition_sign import wait_for_log

        self.processes.start(
            "worker",
            [self.celery, "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2",
             "--queues=celery,petitions,letters,storms,events,briefs", "--hostname=worker@%h"],
            cwd=self.work_dir,
        )  # fmt: skip
        self.processes.start(
            "beat", [self.celery, "-A", "config", "beat", "--loglevel=INFO"], cwd=self.work_dir
        )
        self.start_mass("mass-a")
        self.start_mass("mass-b")
        wait_for_log(self.work_dir / "worker.log", " ready.", 90)
        wait_for_log(self.work_dir / "beat.log", "beat: Starting", 90)

    def kill(self, name: str) -> None:
        """SIGKILL to the worker and its pool process at once, as when a machine dies."""
        process = self.processes.started.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        process.log_file.close()
        self.events.append((time.time(), f"{name} killed (SIGKILL to its process group)"))

    def pid(self, *names):
        for name in names:
            if name in self.processes.started:
                return self.processes.started[name].pid
        return None


def pipeline_run(args, sink, workers, data) -> dict:
    """The real thing: trigger, fan-out by beat, two `mass` workers, one killed and restarted
    at args.kill_at delivered; confirmation emails at a fixed rate all along."""
    from django.utils import timezone

    from bench.petition_sign import log
    from campaigns.petitions.tasks import signature_confirmation_send
    from organiser.models import ScheduledMessage

    n = len(data["supporters"])
    signatures = data["signatures"]
    interval = 1 / args.confirmations_per_second if args.confirmations_per_second else None
    sink.reset()
    profiler = profile_start(workers, "mass-b") if args.profile else None
    log(f"pipeline: {n:,} recipients; trigger")
    cpu0 = time.process_time()
    trigger = time.time()
    ScheduledMessage.objects.filter(pk=data["message_id"]).update(send_at=timezone.now())
    enqueued: dict[str, float] = {}
    progress: list[tuple[float, int, int]] = []  # (time, deliveries, distinct) to MASS_DOMAIN
    killed_at = restarted_at = None
    delivered_at_kill = delivered_at_restart = None
    next_poll = next_confirmation = trigger
    all_arrived = None
    deadline = trigger + args.timeout
    timed_out = True
    while time.time() < deadline:
        now = time.time()
        # Confirmation emails on a fixed schedule, until the last mass email has arrived.
        while interval and all_arrived is None and now >= next_confirmation:
            if len(enqueued) >= len(signatures):
                break
            pk, email = signatures[len(enqueued)]
            enqueued[email] = time.time()
            signature_confirmation_send.delay(pk)
            next_confirmation += interval
        if now >= next_poll:
            next_poll = now + 0.25
            deliveries, distinct = sink.delivered(MASS_DOMAIN)
            progress.append((time.time(), deliveries, distinct))
            if killed_at is None and distinct >= args.kill_at * n:
                log(f"{distinct:,} delivered: killing mass-a")
                workers.kill("mass-a")
                killed_at, delivered_at_kill = time.time(), distinct
            if killed_at and restarted_at is None and now >= killed_at + args.restart_after:
                log(f"{distinct:,} delivered: starting mass-a2")
                restarted_at, delivered_at_restart = time.time(), distinct
                workers.start_mass("mass-a2", wait=False)
            if restarted_at:
                workers.ready("mass-a2")  # notes the time it is first seen ready
            if distinct >= n and all_arrived is None:
                all_arrived = time.time()
                log("every recipient has had the message")
            if all_arrived is not None and time.time() - all_arrived > 3:
                state = ScheduledMessage.objects.values_list("state", flat=True).get(
                    pk=data["message_id"]
                )
                if state == ScheduledMessage.State.SENT:
                    timed_out = False
                    break
        wake = min(next_poll, next_confirmation if all_arrived is None else next_poll)
        time.sleep(max(0.005, wake - time.time()))
    if timed_out:
        log("the pipeline ran past its timeout")
    own_cpu = time.process_time() - cpu0
    profile = profile_stop(workers, profiler) if profiler else None
    end = time.time()
    # The confirmation emails still on their way.
    wait_for_sink(sink, CONFIRM_DOMAIN, len(enqueued), 60, quiet=1.0)
    records = sink.records("pipeline")
    got = tally(records, {s[1] for s in data["supporters"]}, MASS_DOMAIN)
    arrived = {}
    for at, address, _ in records:
        if address.endswith("@" + CONFIRM_DOMAIN):
            arrived.setdefault(address, at)
    last = got["last"] or end
    during = {a: t for a, t in enqueued.items() if t <= last}
    delays = [arrived[a] - t for a, t in during.items() if a in arrived]
    return {
        "label": "pipeline",
        "n": n,
        "start": trigger,
        "end": last,
        "seconds": last - trigger,
        "rate": got["distinct"] / (last - trigger),
        "tally": got,
        "records": records,
        "progress": progress,
        "killed_at": killed_at,
        "delivered_at_kill": delivered_at_kill,
        "restarted_at": restarted_at,
        "delivered_at_restart": delivered_at_restart,
        "confirm_enqueued": len(enqueued),
        "confirm_during": len(during),
        "confirm_arrived": sum(1 for a in enqueued if a in arrived),
        "confirm_delays": delays,
        "connections": sink.counts()["connections"],
        "timed_out": timed_out,
        "own_cpu": own_cpu,
        "profile": profile,
    }


def _py_spy() -> str | None:
    import shutil

    return (
        os.environ.get("PY_SPY")
        or shutil.which("py-spy")
        or shutil.which(
            "py-spy",
            path="/tmp/pyspy/bin",  # noqa: S108 - where the README installs it
        )
    )


def profile_start(workers, name):
    """py-spy sampling the pool process (the one that runs the tasks) of worker `name`."""
    from bench.petition_sign import log

    py_spy = _py_spy()
    if not py_spy:
        log("--profile: py-spy not found (see bench/README.md); no profile")
        return None
    parent = workers.pid(name)
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    if not children:
        log(f"--profile: {name} has no pool process; no profile")
        return None
    output = workers.work_dir / f"profile-{name}.txt"
    workers.processes.start(
        "py-spy",
        [py_spy, "record", "--pid", children[0], "--rate", "100", "--format", "raw",
         "--nonblocking", "--idle", "--output", str(output)],
    )  # fmt: skip
    return output


def profile_stop(workers, output) -> dict | None:
    """Stop py-spy (it writes its samples on SIGINT) and sum them: for each function, the
    share of samples it was on the stack (inclusive) and on top (self)."""
    process = workers.processes.started.pop("py-spy", None)
    if process is None:
        return None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    process.log_file.close()
    if not output.exists():
        return None
    inclusive, own, total = Counter(), Counter(), 0
    for line in output.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        count = int(count)
        total += count
        frames = [_frame_name(f) for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    return {"total": total, "inclusive": inclusive, "own": own, "path": output}


def _frame_name(frame: str) -> str:
    """`function (path/file.py:line)` as `function (package/file.py)`."""
    function, _, where = frame.partition(" (")
    where = where.rstrip(")").rpartition(":")[0] or where.rstrip(")")
    for marker in ("site-packages/", "lib/python3.", str(REPO) + "/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            if marker == "lib/python3.":
                where = where.partition("/")[2]
            break
    return f"{function} ({where})"


def sampler_class():
    """bench.petition_sign's Sampler, plus the CPU of PostgreSQL backends that came and went
    between two samples (a Celery task opens a connection of its own: see the report),
    which the postmaster collects as its children's time when it reaps them."""
    from bench.petition_sign import Sampler

    class FanoutSampler(Sampler):
        def snapshot(self):
            at, own, machine = super().snapshot()
            postmaster = _postmaster()
            own["pg-exited"] = {postmaster[0]: postmaster[1]} if postmaster else {}
            return at, own, machine

    return FanoutSampler


def _postmaster() -> tuple[int, int] | None:
    """(pid, children's CPU jiffies) of PostgreSQL's postmaster: the `postgres` process whose
    parent is not one."""
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as file:
                    raw = file.read()
            except OSError:
                continue
            fields = raw[raw.rindex(")") + 2 :].split()
            stats[int(entry.name)] = (raw[raw.index("(") + 1 : raw.rindex(")")], fields)
    for pid, (comm, fields) in stats.items():
        parent = stats.get(int(fields[1]))
        if comm == "postgres" and (parent is None or parent[0] != "postgres"):
            return pid, int(fields[13]) + int(fields[14])
    return None


def outbox_facts(message_id) -> dict:
    from django.db.models import Count, Q

    from organiser.models import OutboxEmail, ScheduledMessage

    message = ScheduledMessage.objects.get(pk=message_id)
    rows = OutboxEmail.objects.filter(message_id=message_id)
    by_state = dict(rows.values_list("state").annotate(n=Count("pk")))
    return {
        "state": message.state,
        "fanned_out_at": message.fanned_out_at,
        "finished_at": message.finished_at,
        "by_state": by_state,
        "reclaimed": rows.filter(attempts__gt=1).count(),
        "attempts": dict(rows.values_list("attempts").annotate(n=Count("pk"))),
        "skips": dict(
            rows.filter(~Q(skip_reason="")).values_list("skip_reason").annotate(n=Count("pk"))
        ),
    }


def task_seconds(log_path, task_name) -> list[float]:
    """Run times of a task from a worker's log ("Task <name>[id] succeeded in Xs")."""
    import re

    pattern = re.compile(re.escape(task_name) + r"\[[^\]]+\] succeeded in ([0-9.]+)s")
    if not log_path.exists():
        return []
    return [float(m[1]) for m in pattern.finditer(log_path.read_text(errors="replace"))]


# -- the report -------------------------------------------------------------------------------


def _verdict(ok):
    return "**met**" if ok else "**NOT met**"


def _ms(seconds):
    return "-" if seconds is None else f"{seconds * 1000:,.0f} ms"


def versions(redis_version) -> dict:
    from django.db import connection

    found = {"Python": platform.python_version()}
    for package in ("Django", "celery", "kombu", "django-celery-beat", "redis", "psycopg",
                    "aiosmtpd"):  # fmt: skip
        found[package] = importlib.metadata.version(package)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        found["PostgreSQL server"] = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        found["synchronous_commit"] = cursor.fetchone()[0]
    found["redis-server"] = redis_version
    return found


def cpu_table(sampler, window, names) -> list[str]:
    cores = sampler.window(*window) if sampler else None
    if not cores:
        return ["(too short to sample)"]
    columns = [*names, "postgres", "pg-exited", "redis", "other", "machine"]
    lines = [
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join("---:" for _ in columns) + " |",
        "| " + " | ".join(f"{cores.get(c, 0):.2f}" for c in columns) + " |",
    ]
    lines.append("")
    lines.append(
        f"Cores used on average (of {os.cpu_count()}); machine busy "
        f"{cores['machine_busy_share']:.0%}; PostgreSQL backends of this database active "
        f"{cores['db_active']:.2f}, waiting on a lock {cores['db_lock_waiting']:.2f} on average. "
        "'postgres' is every PostgreSQL process alive at two samples, 'pg-exited' the "
        "backends that ended in between (connections opened and closed), both machine-wide; "
        "'redis' is any other Redis on the machine; 'other' everything else: this process, "
        "the kernel's network work for loopback (softirq), other users of the machine."
    )
    return lines


def report(args, started, facts, found, limits, naive, pipe, outbox, workers, sampler, work_dir):
    from django.conf import settings

    limit_rate = sum(r["rate"] for r in limits) / len(limits)
    vs_naive = pipe["rate"] / naive["rate"] if naive["rate"] else math.inf
    vs_limit = pipe["rate"] / limit_rate
    got = pipe["tally"]
    delays = pipe["confirm_delays"]
    p50, p99 = percentile(delays, 0.5), percentile(delays, 0.99)
    worst = max(delays) if delays else None
    confirm_ok = (
        p99 is not None and p99 < TARGETS["confirm_p99_s"]
        and pipe["confirm_arrived"] == pipe["confirm_enqueued"]
    )  # fmt: skip
    t0 = pipe["start"]
    lines = []
    add = lines.append
    add(f"# Reminder fan-out benchmark, {started:%Y-%m-%d %H:%M} UTC")
    add("")
    add(f"Command: `{' '.join(['.venv/bin/python', 'bench/reminder_fanout.py', *sys.argv[1:]])}`")
    add("")
    add("## Set-up")
    add("")
    add(
        f"- {facts['nproc']} CPUs ({facts.get('cpu', '?')}), {facts['memory_gib']:.1f} GiB, "
        f"Linux {facts['kernel']}; busy {facts['busy_before']:.0%} in the 3 s before the run. "
        "Everything (PostgreSQL, Redis, the Celery processes, the SMTP sink, this process) "
        "shares these CPUs."
    )
    add("- " + ", ".join(f"{k} {v}" for k, v in found.items()))
    add(
        f"- Database `{settings.DATABASES['default']['NAME']}` (dropped, created, migrated); a "
        "private redis-server on a free port as broker and cache; an aiosmtpd sink in a process "
        "of its own on 127.0.0.1 (takes every message, records recipient, Message-ID and "
        "arrival time). DJANGO_ENV=production (DEBUG off)."
    )
    add(
        f"- Connection cost: the sink greets each new SMTP connection after "
        f"{args.connect_latency * 1000:g} ms"
        + (
            " (standing in for a provider across the internet: TCP, STARTTLS and EHLO again "
            "are several round trips; `--connect-latency`)."
            if args.connect_latency
            else " (loopback: a new connection costs next to nothing; `--connect-latency` "
            "stands in for a real provider's)."
        )
    )
    add(
        "- Celery as in the Procfile: `mass-a` and `mass-b`, each `celery -A config worker "
        "--pool=prefork --concurrency=1 --queues=mass --include=bench.reminder_fanout`; "
        "`worker` (`--concurrency=2 --queues=celery,petitions,letters,storms,events,briefs`); "
        "`celery -A config beat` (DatabaseScheduler). ORGANISER_TICK=1, ORGANISER_CLAIM_SECONDS="
        f"{settings.ORGANISER_CLAIM_SECONDS}, ORGANISER_QUIET_HOURS=00:00-00:00 (none), "
        f"ORGANISER_BATCH_SIZE={settings.ORGANISER_BATCH_SIZE}, ORGANISER_SENDERS="
        f"{settings.ORGANISER_SENDERS} (defaults)."
    )
    add(
        f"- {args.recipients:,} supporters, each with a campaign-email consent; one "
        "ScheduledMessage to audience `opted_in` (about 1 KB of text, HTML alternative, "
        "unsubscribe headers)."
    )
    add("")
    add("## Emails per second")
    add("")
    add("| run | emails | seconds | emails/s | pipeline ÷ this | SMTP connections |")
    add("| --- | ---: | ---: | ---: | ---: | ---: |")
    rows = [
        ("pipeline (trigger to last delivered)", pipe),
        (f"naive: a task per recipient, own connection (sample {naive['n']:,})", naive),
        *[
            (f"limit, {r['label']}: one process, one connection (sample {r['n']:,})", r)
            for r in limits
        ],
    ]
    for name, r in rows:
        ratio = pipe["rate"] / r["rate"] if r["rate"] else math.inf
        add(
            f"| {name} | {r['tally']['distinct']:,} | {r['seconds']:.1f} | {r['rate']:,.0f} | "
            f"{ratio:.2f}x | {r['connections']:,} |"
        )
    add("")
    add(
        f"Limit as the mean of its two runs: {limit_rate:,.0f}/s. The limit's own CPU: "
        + ", ".join(f"{r['cpu_per_email_ms']:.2f} ms per email ({r['label']})" for r in limits)
        + " in this process (rendering and SMTP client). Naive: enqueueing took "
        f"{naive['enqueue_seconds']:.1f} s of its {naive['seconds']:.1f} s; duplicates "
        f"{naive['tally']['duplicates']}, missing {naive['tally']['missing']}"
        + ("" if naive["complete"] else " (**it did not finish in time**)")
        + f". Limit runs: duplicates {sum(r['tally']['duplicates'] for r in limits)}, missing "
        f"{sum(r['tally']['missing'] for r in limits)}."
    )
    add("")
    add("## Pipeline: duplicates, missing, time")
    add("")
    add(
        f"- **trigger to last delivered: {pipe['seconds']:.1f} s** for {got['distinct']:,} "
        f"recipients ({pipe['rate']:,.0f}/s); first delivery {got['first'] - t0:.1f} s after "
        "the trigger."
        if got["first"]
        else "- nothing delivered"
    )
    add(
        f"- **duplicates: {got['duplicates']}**, **missing: {got['missing']}** (of "
        f"{pipe['n']:,} addresses); unexpected addresses {got['unexpected']}."
    )
    if got["doubled"]:
        by_address = {}
        for at, address, message_id in pipe["records"]:
            if address in got["doubled"]:
                by_address.setdefault(address, []).append(f"{message_id} at +{at - t0:.2f} s")
        for address in got["doubled"][:5]:
            add(f"  - {address}: " + "; ".join(by_address[address]))
    fan = outbox["fanned_out_at"].timestamp() - t0 if outbox["fanned_out_at"] else None
    done = outbox["finished_at"].timestamp() - t0 if outbox["finished_at"] else None
    add(
        f"- Outbox: message `{outbox['state']}`; rows by state {outbox['by_state']}; skips "
        f"{outbox['skips'] or 'none'}; {outbox['reclaimed']:,} rows claimed more than once "
        f"(attempts {dict(sorted(outbox['attempts'].items()))})."
    )
    add(
        f"- SMTP connections opened during the pipeline: {pipe['connections']:,} (the "
        "confirmation emails open one each)."
    )
    if pipe["timed_out"]:
        add(f"- **The pipeline did not finish within {args.timeout:.0f} s.**")
    add("")
    add("## Confirmation emails during the fan-out")
    add("")
    add(
        f"`campaigns.petitions.tasks.signature_confirmation_send` enqueued at "
        f"{args.confirmations_per_second:g}/s from the trigger until the last mass email "
        f"arrived: {pipe['confirm_during']:,} enqueued in that time, "
        f"{pipe['confirm_arrived']:,} of {pipe['confirm_enqueued']:,} arrived in all. Delay "
        "from enqueueing to arrival at the sink:"
    )
    add("")
    add("| p50 | p99 | max |")
    add("| ---: | ---: | ---: |")
    add(f"| {_ms(p50)} | {_ms(p99)} | {_ms(worst)} |")
    add("")
    add("## Kill and restart timeline (seconds from the trigger)")
    add("")
    events = [(t0, "trigger: send_at set to now")]
    if fan is not None:
        events.append((t0 + fan, "fanned out (ScheduledMessage.fanned_out_at)"))
    if got["first"]:
        events.append((got["first"], "first email delivered"))
    events += [e for e in workers.events if e[0] >= t0]
    if pipe["killed_at"]:
        events.append(
            (pipe["killed_at"] + 1e-6, f"{pipe['delivered_at_kill']:,} delivered at the kill")
        )
    if pipe["restarted_at"]:
        events.append(
            (pipe["restarted_at"] + 1e-6, f"{pipe['delivered_at_restart']:,} delivered at restart")
        )
    if got["last"]:
        events.append((got["last"], "last email delivered"))
    if done is not None:
        events.append((t0 + done, "message SENT (finished_at)"))
    add("| at | what |")
    add("| ---: | --- |")
    for at, what in sorted(events):
        add(f"| {at - t0:+.1f} | {what} |")
    add("")
    times = got["times"]
    if times:
        marks = []
        for share in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
            index = min(len(times) - 1, max(0, math.ceil(share * pipe["n"]) - 1))
            marks.append(f"{share:.0%} at {times[index] - t0:.1f} s")
        add("Deliveries: " + ", ".join(marks) + ".")
        add("")
        low = times[min(len(times) - 1, int(0.1 * len(times)))]
        high = times[min(len(times) - 1, int(0.9 * len(times)))]
        if high > low:
            add(
                f"Between 10% and 90% delivered: {0.8 * len(times) / (high - low):,.0f}/s; "
                f"first to last delivery: {len(times) / max(1e-9, times[-1] - times[0]):,.0f}/s."
            )
            add("")
        if pipe["killed_at"]:
            ready = next((t for t, what in workers.events if what == "mass-a2 ready"), None)

            def rate(a, b):
                return sum(1 for t in times if a <= t < b) / (b - a) if b and b > a else 0

            kill = pipe["killed_at"]
            add(
                f"Delivery rate in the 10 s before the kill {rate(kill - 10, kill):,.0f}/s; "
                f"from the kill until the new worker was ready {rate(kill, ready):,.0f}/s; "
                f"in the 10 s after {rate(ready, (ready or 0) + 10):,.0f}/s."
            )
            add("")
    add("## CPU per component")
    add("")
    names = ["mass-a", "mass-b", "worker", "beat", "smtp-sink", "broker"]
    for title, window in (
        ("Pipeline, trigger to last delivered", (pipe["start"], pipe["end"])),
        ("Naive", (naive["start"], naive["end"])),
    ):
        add(f"{title}:")
        add("")
        lines.extend(cpu_table(sampler, window, names))
        add("")
    add(
        "`mass-a` counts the killed worker and then its replacement `mass-a2`. This process "
        f"used {pipe['own_cpu']:.1f} s of CPU during the pipeline "
        f"({pipe['own_cpu'] / max(1e-9, pipe['seconds']):.0%} of a core)."
    )
    add("")
    sends = {}
    for name in ("mass-a", "mass-b", "mass-a2"):
        sends[name] = task_seconds(work_dir / f"{name}.log", "organiser.tasks.outbox_send")
    add(
        "outbox_send tasks that finished, per worker (seconds each): "
        + "; ".join(
            f"{name}: " + (", ".join(f"{s:.1f}" for s in runs) or "none")
            for name, runs in sends.items()
        )
        + "."
    )
    add("")
    profile = pipe.get("profile")
    if profile and profile["total"]:
        add("## Where mass-b's pool process spent its time (py-spy, --profile)")
        add("")
        add(
            f"{profile['total']:,} samples at 100/s from the trigger to the end, waiting "
            "included (`py-spy record --idle --nonblocking`), so the shares are of wall-clock "
            "time; a wait on the SMTP server or PostgreSQL shows as the call that waits. Raw "
            f"stacks: `{profile['path']}`."
        )
        add("")
        add("| function | on the stack | on top |")
        add("| --- | ---: | ---: |")
        shown = 0
        for frame, count in profile["inclusive"].most_common():
            share = count / profile["total"]
            if share > 0.97:
                continue  # the worker's own loop, under everything
            add(f"| `{frame}` | {share:.1%} | {profile['own'][frame] / profile['total']:.1%} |")
            shown += 1
            if shown == 40:
                break
        add("")
    add("## Targets")
    add("")
    add(
        f"- pipeline ≥ {TARGETS['vs_naive']:g}x naive in emails/s: {vs_naive:.2f}x "
        f"({pipe['rate']:,.0f} vs {naive['rate']:,.0f}/s): "
        + _verdict(vs_naive >= TARGETS["vs_naive"])
    )
    add(
        f"- pipeline ≥ {TARGETS['vs_limit']:g}x the single-connection limit: {vs_limit:.2f}x "
        f"({pipe['rate']:,.0f} vs {limit_rate:,.0f}/s): "
        + _verdict(vs_limit >= TARGETS["vs_limit"])
    )
    add(f"- zero duplicates: {got['duplicates']}: {_verdict(got['duplicates'] == 0)}")
    add(f"- zero missing: {got['missing']}: {_verdict(got['missing'] == 0)}")
    add(
        f"- confirmation p99 under {TARGETS['confirm_p99_s']:g} s during the fan-out: "
        f"{_ms(p99)}"
        + ("" if pipe["confirm_arrived"] == pipe["confirm_enqueued"] else " (some never arrived)")
        + f": {_verdict(confirm_ok)}"
    )
    add("")
    add(f"Logs and the sink's records: `{work_dir}`.")
    add("")
    return "\n".join(lines)


# -- main -------------------------------------------------------------------------------------


def main():
    args = parse_args()
    if args.serve_sink:
        serve_sink(*args.serve_sink)
        return
    from bench.petition_sign import (
        Processes,
        database_recreate,
        django_setup,
        log,
        machine_facts,
    )

    started = datetime.now(UTC)
    work_dir = Path(tempfile.mkdtemp(prefix="groundswell-fanout-bench-"))
    log(f"work directory {work_dir} (logs, var dir, the sink's records)")
    facts = machine_facts()
    env = dict(os.environ)
    processes = Processes(env, work_dir)
    sampler = None

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        redis_url, redis_version = redis_start(processes, work_dir)
        sink = Sink(processes, work_dir, connect_ms=round(args.connect_latency * 1000))
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(48),
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL="https://groundswell.example",
            DATABASE_URL=args.database_url,
            REDIS_URL=redis_url,
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            GROUNDSWELL_VAR_DIR=str(work_dir / "var"),
            ORGANISER_TICK="1",
            ORGANISER_CLAIM_SECONDS=str(args.claim_seconds),
            ORGANISER_QUIET_HOURS="00:00-00:00",
            PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        )
        for name in ("CACHE_URL", "ORGANISER_BATCH_SIZE", "ORGANISER_SENDERS"):
            env.pop(name, None)
        os.environ.update(env)
        for name in ("CACHE_URL", "ORGANISER_BATCH_SIZE", "ORGANISER_SENDERS"):
            os.environ.pop(name, None)
        log("creating and migrating the database")
        database_recreate(args.database_url)
        django_setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        confirmations = math.ceil(args.confirmations_per_second * (args.timeout + 60))
        log(f"creating {args.recipients:,} opted-in supporters and {confirmations:,} signers")
        data = data_create(args.recipients, confirmations)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        found = versions(redis_version)

        workers = Workers(processes, work_dir)
        roots = {
            "mass-a": lambda: workers.pid("mass-a", "mass-a2"),
            "mass-b": lambda: workers.pid("mass-b"),
            "worker": lambda: workers.pid("worker"),
            "beat": lambda: workers.pid("beat"),
            "smtp-sink": lambda: workers.pid("smtp-sink"),
            "broker": lambda: workers.pid("redis"),
        }
        sampler = sampler_class()(roots, args.database_url)
        sampler.start()

        sample = data["supporters"][: args.limit_sample]
        limits = [limit_run(sink, data["message_id"], sample, "before", warm_up=500)]
        log("starting the Celery workers and beat")
        from config.celery import app

        workers.start_all()
        naive = naive_run(app, sink, data["message_id"], data["supporters"][: args.naive_sample])
        log(f"naive: {naive['rate']:,.0f}/s")
        time.sleep(3)  # the workers idle again
        pipe = pipeline_run(args, sink, workers, data)
        log(f"pipeline: {pipe['rate']:,.0f}/s")
        outbox = outbox_facts(data["message_id"])
        for name in ("mass-b", "mass-a2", "worker", "beat"):
            processes.stop(name)
        limits.append(limit_run(sink, data["message_id"], sample, "after"))
        connection.close()
    finally:
        if sampler is not None:
            sampler.stopping.set()
        processes.stop_all()
    text = report(
        args, started, facts, found, limits, naive, pipe, outbox, workers, sampler, work_dir
    )
    print(text)
    if not args.no_report:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"reminder_fanout-{started:%Y%m%dT%H%M%SZ}.md"
        path.write_text(text)
        log(f"report written to {path}")


if __name__ == "__main__":
    main()
