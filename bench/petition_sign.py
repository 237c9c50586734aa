"""Benchmark of petition signing and counting on gunicorn, PostgreSQL, Redis and Celery.

    .venv/bin/python bench/petition_sign.py             # the full run (make bench)
    .venv/bin/python bench/petition_sign.py --seconds 5 # a quick one

Creates (drops first) its own database, migrates it and seeds the demo data; starts
gunicorn, a Celery worker and Celery beat with bench.settings in the production profile;
runs the real signing endpoint and the two baselines (bench/baselines.py) one after
another, each on a fresh petition, with bench/loadgen.py as the load generator in a
process of its own; then a fixed-rate run of the real endpoint. After each run it waits
for the count journal to drain and checks the counts. Writes a Markdown report to
bench/results/ and prints it; stops everything it started at the end or on Ctrl-C.
Needs PostgreSQL and Redis running: see bench/README.md.
"""

import argparse
import contextlib
import importlib.metadata
import io
import itertools
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = REPO / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://groundswell:groundswell@127.0.0.1:5432/groundswell_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
CAMPAIGN_SLUG = "demo-nominations"  # made by seed_demo
VARIANTS = {
    "real": "/api/v1/petitions/{slug}/signatures/",
    "naive": "/bench/petitions/{slug}/naive/signatures/",
    "insert-only": "/bench/petitions/{slug}/insert-only/signatures/",
}
COUNT_PATH = "/api/v1/petitions/{slug}/count/"
TARGETS = {"vs_naive": 1.4, "vs_insert_only": 0.9, "p99_ms": 100.0, "lag_s": 5.0}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="load per variant (30)")
    parser.add_argument("--signers", type=int, default=64, help="concurrent signers (64)")
    parser.add_argument("--pollers", type=int, default=32, help="clients polling the count (32)")
    parser.add_argument(
        "--poll-interval", type=float, default=1.0, help="seconds between polls (1.0)"
    )
    parser.add_argument(
        "--repeat-share", type=float, default=0.05, help="share of repeated emails (0.05)"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=500,
        help="signatures/s of the target's fixed-rate run (500); 0 skips",
    )
    parser.add_argument(
        "--extra-rates", default="100,200", help="more fixed-rate runs (100,200; '' for none)"
    )
    parser.add_argument(
        "--rate-seconds", type=float, help="length of each fixed-rate run (--seconds)"
    )
    parser.add_argument("--variants", default="real,naive,insert-only", help="(all three)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="runs of every variant, every other round in reverse order, so that drift over "
        "the benchmark falls on all variants alike (2)",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument(
        "--worker-class", default="sync", choices=["sync", "gthread"], help="(sync)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (4)")
    parser.add_argument(
        "--warmup", type=float, default=3, help="seconds per endpoint, not measured (3)"
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn port (a free one)")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--no-report", action="store_true", help="print only, write no file")
    args = parser.parse_args()
    args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    args.rate_seconds = args.rate_seconds or args.seconds
    args.rates = [float(r) for r in args.extra_rates.split(",") if r.strip()]
    args.rates = sorted({*args.rates, *([args.rate] if args.rate else [])})
    return args


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- processes ------------------------------------------------------------------------------


class Processes:
    """Everything the benchmark starts, each in a process group of its own, so stopping
    one stops its children (gunicorn's and Celery's workers) and nothing else."""

    def __init__(self, env, log_dir):
        self.env = env
        self.log_dir = log_dir
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name, command, cwd=REPO):
        log_file = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop
        process = subprocess.Popen(  # noqa: S603 - our own command line
            command,
            cwd=cwd,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_file = log_file
        self.started[name] = process
        return process

    def stop(self, name):
        process = self.started.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        process.log_file.close()

    def stop_all(self):
        for name in reversed(list(self.started)):
            self.stop(name)

    def check_alive(self):
        for name, process in self.started.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}); see {name}.log")


def wait_for_log(path, text, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{path.name} did not say {text!r} within {timeout}s")


def wait_for_http(port, timeout):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/petitions/",
        headers={"Accept": "application/json", "X-Forwarded-Proto": "https"},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on 127.0.0.1:{port} within {timeout}s")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- CPU and database sampling ---------------------------------------------------------------


def _processes():
    """{pid: (comm, ppid, cpu jiffies)} for every process now."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as file:
                raw = file.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry.name)] = (comm, int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def _machine_jiffies():
    with open("/proc/stat") as file:
        values = [int(v) for v in file.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


class Sampler(threading.Thread):
    """Twice a second: CPU time per component and for the machine, and what the benchmark
    database's active backends are waiting on. Cheap next to the load."""

    def __init__(self, roots, database_url):
        super().__init__(daemon=True)
        self.roots = roots  # component name -> callable giving the root pid (or None)
        self.database_url = database_url
        self.cpu: list[tuple[float, dict, tuple]] = []
        self.waits: list[tuple[float, int, int]] = []  # (time, active, waiting on a lock)
        self.stopping = threading.Event()

    def snapshot(self):
        table = _processes()
        children: dict[int, list[int]] = {}
        for pid, (_, ppid, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        own = {}
        claimed = set()
        for name, root in self.roots.items():
            pid = root()
            stack = [pid] if pid in table else []
            own[name] = {}
            while stack:
                current = stack.pop()
                claimed.add(current)
                own[name][current] = table[current][2]
                stack.extend(children.get(current, []))
        for name, comm in (("postgres", "postgres"), ("redis", "redis-server")):
            own[name] = {
                pid: jiffies
                for pid, (c, _, jiffies) in table.items()
                if c == comm and pid not in claimed
            }
        return time.time(), own, _machine_jiffies()

    def run(self):
        import psycopg

        connection = psycopg.connect(self.database_url, autocommit=True)
        dbname = connection.info.dbname
        next_cpu = 0.0
        while not self.stopping.is_set():
            now = time.monotonic()
            if now >= next_cpu:
                self.cpu.append(self.snapshot())
                next_cpu = now + 0.5
            row = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE wait_event_type = 'Lock') "
                "FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                "AND pid <> pg_backend_pid()",
                [dbname],
            ).fetchone()
            self.waits.append((time.time(), row[0], row[1]))
            self.stopping.wait(0.5)
        connection.close()

    def window(self, start, end):
        """Cores used per component and machine busy share between two wall-clock times."""
        inside = [s for s in self.cpu if start <= s[0] <= end]
        if len(inside) < 2:
            return None
        (t0, _, (busy0, all0)), (t1, own1, (busy1, all1)) = inside[0], inside[-1]
        seconds = t1 - t0
        # Summed per process between consecutive samples, so a process that exits in the
        # window (a database connection recycled after CONN_MAX_AGE) keeps what it used up
        # to its last sample, and one that starts in the window counts in full.
        cores = {}
        for name in own1:
            jiffies = 0
            for (_, before, _), (_, after, _) in itertools.pairwise(inside):
                previous = before.get(name, {})
                jiffies += sum(j - previous.get(pid, 0) for pid, j in after[name].items())
            cores[name] = jiffies / CLK_TCK / seconds
        cores["machine"] = (busy1 - busy0) / CLK_TCK / seconds
        cores["other"] = cores["machine"] - sum(cores[name] for name in own1)
        cores["machine_busy_share"] = (busy1 - busy0) / max(1, all1 - all0)
        waits = [w for w in self.waits if start <= w[0] <= end]
        cores["db_active"] = sum(w[1] for w in waits) / max(1, len(waits))
        cores["db_lock_waiting"] = sum(w[2] for w in waits) / max(1, len(waits))
        return cores


# -- database and Django ---------------------------------------------------------------------


def database_recreate(database_url):
    """Drop and create the benchmark's database (only one whose name says bench)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        connection = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        raise SystemExit(
            f"cannot reach PostgreSQL at {parts.hostname}:{parts.port or 5432} as "
            f"{parts.username}: {error}\nStart it and create the role: see bench/README.md"
        ) from error
    with connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redis_prepare(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        raise SystemExit(
            f"cannot reach Redis at {redis_url}: {error}\nStart it: see bench/README.md"
        ) from error
    # Left-over Celery messages of an interrupted run (this Redis database is the bench's).
    client.delete("celery", "petitions", "unacked", "unacked_index")
    return client.info("server")["redis_version"]


def django_setup():
    import django

    sys.path.insert(0, str(REPO))
    django.setup()


def petition_create(label):
    from django.utils import timezone

    from campaigns.petitions.models import Petition, PetitionCount
    from campaigns.targets.models import Campaign

    slug = f"bench-{label}-{secrets.token_hex(3)}"
    petition = Petition.objects.create(
        campaign=Campaign.objects.get(slug=CAMPAIGN_SLUG),
        slug=slug,
        title=f"Benchmark petition ({label})",
        text="Made by bench/petition_sign.py.",
        goal=10_000_000,
        state=Petition.State.OPEN,
        confirmation_required=False,
        opens_at=timezone.now() - timedelta(minutes=1),
    )
    PetitionCount.objects.create(petition=petition)
    return petition


def signatures_settle(petition, timeout):
    """Wait until no more signatures arrive (requests the client gave up on may still be
    in the server's queue after an overloaded run)."""
    from campaigns.petitions.models import Signature

    signatures = Signature.objects.filter(petition=petition)
    deadline = time.monotonic() + timeout
    last = signatures.count()
    while time.monotonic() < deadline:
        time.sleep(1)
        now = signatures.count()
        if now == last:
            return
        last = now


def journal_drain(petition, timeout):
    """Seconds until no CountChange of the petition is left, or None after timeout."""
    from campaigns.petitions.models import CountChange

    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if not CountChange.objects.filter(petition=petition).exists():
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def counts_check(petition, accepted_emails, variant):
    """What the database holds for the petition, against what the client was told."""
    from django.db.models import Count, Sum

    from campaigns.petitions.models import (
        ConstituencyCount,
        CountChange,
        PetitionCount,
        Signature,
    )

    signatures = Signature.objects.filter(petition=petition)
    emails = set(signatures.values_list("email", flat=True))
    rows = signatures.count()
    by_seat = dict(
        signatures.filter(counted=True)
        .values_list("constituency_code")
        .annotate(n=Count("pk"))
        .values_list("constituency_code", "n")
    )
    seats = dict(
        ConstituencyCount.objects.filter(petition=petition).values_list(
            "constituency_code", "total"
        )
    )
    total = PetitionCount.objects.get(petition=petition).total
    seat_sum = ConstituencyCount.objects.filter(petition=petition).aggregate(s=Sum("total"))["s"]
    accepted = set(accepted_emails)
    check = {
        "rows": rows,
        "distinct_emails": len(emails),
        "counted_rows": signatures.filter(counted=True).count(),
        "suspect_rows": signatures.filter(is_suspect=True).count(),
        "accepted_not_stored": len(accepted - emails),
        "stored_not_accepted": len(emails - accepted),
        "journal_left": CountChange.objects.filter(petition=petition).count(),
        "seats_with_signatures": len(by_seat),
    }
    if variant == "insert-only":
        check["ok"] = (
            rows == len(emails) and not check["accepted_not_stored"] and not check["suspect_rows"]
        )
        return check
    mismatched = {
        code for code in set(by_seat) | set(seats) if by_seat.get(code, 0) != seats.get(code, 0)
    }
    check.update(
        total=total,
        constituency_sum=seat_sum or 0,
        constituencies_mismatched=len(mismatched),
        lost=max(0, len(emails) - total),
        double=max(0, total - len(emails)),
    )
    check["ok"] = (
        total == len(emails) == rows
        and check["constituency_sum"] == total
        and not mismatched
        and not check["journal_left"]
        and not check["accepted_not_stored"]
        and not check["suspect_rows"]
    )
    return check


def vacuum(database_url):
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


# -- runs ------------------------------------------------------------------------------------


def loadgen_run(processes, work_dir, name, config):
    config_path = work_dir / f"loadgen-{name}.json"
    out_path = work_dir / f"loadgen-{name}.out.json"
    config_path.write_text(json.dumps(config))
    process = processes.start(
        f"loadgen-{name}",
        [sys.executable, str(REPO / "bench" / "loadgen.py"), config_path, out_path],
    )
    limit = config["seconds"] + config["drain_timeout"] + config["request_timeout"] + 30
    try:
        process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        processes.stop(f"loadgen-{name}")
        raise RuntimeError(f"load generator {name} ran past {limit}s") from None
    processes.stop(f"loadgen-{name}")
    if process.returncode != 0:
        raise RuntimeError(f"load generator {name} failed; see loadgen-{name}.log")
    return json.loads(out_path.read_text())


def celery_task_times(log_path, start, end):
    """(runs, max seconds, max signatures applied) of petition_counts_apply in a window."""
    pattern = re.compile(
        r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}).*?"
        r"Task campaigns\.petitions\.tasks\.petition_counts_apply\[[^\]]+\] succeeded in "
        r"([0-9.]+)s: (\d+)"
    )
    runs, longest, most = 0, 0.0, 0
    if not log_path.exists():
        return runs, longest, most
    for line in log_path.read_text(errors="replace").splitlines():
        match = pattern.match(line)
        if not match:
            continue
        at = time.mktime(time.strptime(match[1], "%Y-%m-%d %H:%M:%S")) + int(match[2]) / 1000
        if start <= at <= end + 10:
            runs += 1
            longest = max(longest, float(match[3]))
            most = max(most, int(match[4]))
    return runs, longest, most


def variant_order(variants, rounds):
    """(variant, round) pairs: the variants in order, then reversed, and so on (ABC CBA)."""
    return [
        (variant, round_)
        for round_ in range(1, rounds + 1)
        for variant in (variants if round_ % 2 else variants[::-1])
    ]


def previous_report(started) -> dict | None:
    """The pooled rates and ratios of the newest report in bench/results/ before this run."""
    earlier = sorted(
        path
        for path in RESULTS.glob("petition_sign-*.md")
        if path.name < f"petition_sign-{started:%Y%m%dT%H%M%SZ}.md"
    )
    if not earlier:
        return None
    text = earlier[-1].read_text()
    pooled_line = next((line for line in text.splitlines() if line.startswith("Over all")), "")
    rates = {
        variant: float(rate)
        for variant, rate in re.findall(r"(real|naive|insert-only) ([\d.]+)/s", pooled_line)
    }
    ratios = {
        other: float(ratio)
        for other, ratio in re.findall(r"real / (naive|insert-only): \*\*([\d.]+)x", text)
    }
    cpu = re.search(r"^- \d+ CPUs \((.*)\), [\d.]+ GiB", text, re.MULTILINE)
    return {
        "file": earlier[-1].name,
        "rates": rates,
        "ratios": ratios,
        "cpu": cpu.group(1) if cpu else "?",
    }


def pooled_rates(results) -> dict[str, float]:
    """Accepted signatures per second of each variant over all its rounds."""
    accepted, seconds = {}, {}
    for result in results:
        variant = result["variant"]
        accepted[variant] = accepted.get(variant, 0) + result["sign"]["accepted"]
        seconds[variant] = seconds.get(variant, 0.0) + result["load_seconds"]
    return {variant: accepted[variant] / seconds[variant] for variant in accepted}


def run_one(args, processes, work_dir, port, postcodes, label, variant, rate=None, name=None):
    petition = petition_create(label)
    seconds = args.rate_seconds if rate else args.seconds
    config = {
        "port": port,
        "sign_path": VARIANTS[variant].format(slug=petition.slug),
        "count_path": COUNT_PATH.format(slug=petition.slug),
        "seconds": seconds,
        "signers": args.signers,
        "rate": rate,
        "max_connections": 512,
        "pollers": args.pollers,
        "poll_interval": args.poll_interval,
        "repeat_share": args.repeat_share,
        "postcodes": postcodes,
        "email_tag": petition.slug,
        "ip_offset": run_one.ip_offset,
        "drain_timeout": 0 if variant == "insert-only" else 60,
        "request_timeout": 30,
        "seed": zlib.crc32(label.encode()),
    }
    run_one.ip_offset += 1_000_000  # every request of the whole run has an address of its own
    log(
        f"{label}: {variant} endpoint, {seconds:g}s, "
        + (f"{rate:g}/s" if rate else f"{args.signers} signers")
    )
    result = loadgen_run(processes, work_dir, label, config)
    signatures_settle(petition, 60)
    drain = journal_drain(petition, 60) if variant == "real" else 0.0
    result["journal_drained_after_s"] = drain
    result["check"] = counts_check(petition, result.pop("accepted_emails"), variant)
    result["variant"] = variant
    result["rate"] = rate
    result["name"] = name or (f"{variant} @{rate:g}/s" if rate else variant)
    result["petition"] = petition.slug
    result["accepted_per_s"] = result["sign"]["accepted"] / result["load_seconds"]
    result["requests_per_s"] = result["sign"]["requests"] / result["load_seconds"]
    refused = result["sign"]["statuses"].get("202", 0) - result["check"]["rows"]
    result["duplicates_refused"] = refused
    result["errors"] = result["sign"]["requests"] - result["sign"]["statuses"].get("202", 0)
    log(
        f"{label}: {result['accepted_per_s']:.1f} accepted/s,"
        f" p50 {result['sign']['p50_ms']:.1f} ms, p99 {result['sign']['p99_ms']:.1f} ms,"
        f" errors {result['errors']},"
        f" counts {'ok' if result['check']['ok'] else 'WRONG'}"
    )
    return result


run_one.ip_offset = 1


# -- report ----------------------------------------------------------------------------------


def _ms(value):
    return "n/a" if value is None else f"{value:.1f}"


def _s(value):
    return "n/a" if value is None else f"{value:.2f}"


def _verdict(ok):
    return "PASS" if ok else "FAIL"


def machine_facts():
    facts = {"nproc": os.cpu_count(), "kernel": platform.release()}
    with open("/proc/cpuinfo") as file:
        for line in file:
            if line.startswith("model name"):
                facts["cpu"] = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as file:
        for line in file:
            if line.startswith("MemTotal"):
                facts["memory_gib"] = int(line.split()[1]) / 1024 / 1024
    busy0, all0 = _machine_jiffies()
    time.sleep(3)
    busy1, all1 = _machine_jiffies()
    facts["busy_before"] = (busy1 - busy0) / max(1, all1 - all0)
    return facts


def versions(redis_version):
    from django.db import connection

    found = {"Python": platform.python_version()}
    for package in (
        "Django",
        "djangorestframework",
        "gunicorn",
        "celery",
        "django-celery-beat",
        "psycopg",
        "redis",
    ):
        found[package] = importlib.metadata.version(package)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        found["PostgreSQL server"] = cursor.fetchone()[0]
        pg = {}
        for name in (
            "synchronous_commit",
            "shared_buffers",
            "max_connections",
            "wal_sync_method",
        ):
            cursor.execute(f"SHOW {name}")
            pg[name] = cursor.fetchone()[0]
    found["Redis server"] = redis_version
    return found, pg


CPU_COMPONENTS = [
    "gunicorn",
    "postgres",
    "redis",
    "celery worker",
    "celery beat",
    "loadgen",
    "other",
]


def report(args, started, facts, found, pg, results, rate_results, constituencies):
    from django.conf import settings

    lines = []
    add = lines.append
    everything = results + rate_results
    add(f"# Petition signing benchmark, {started:%Y-%m-%d %H:%M} UTC")
    add("")
    add(f"Command: `{' '.join(['.venv/bin/python', 'bench/petition_sign.py', *sys.argv[1:]])}`")
    add("")
    add("## Machine and versions")
    add("")
    add(
        f"- {facts['nproc']} CPUs ({facts.get('cpu', '?')}), "
        f"{facts['memory_gib']:.1f} GiB memory, Linux {facts['kernel']}; PostgreSQL, Redis, "
        "gunicorn, Celery and the load generator all share these CPUs. Machine busy "
        f"{facts['busy_before']:.0%} in the 3 s before the benchmark started."
    )
    add("- " + ", ".join(f"{k} {v}" for k, v in found.items()))
    add("- PostgreSQL settings (Debian defaults): " + ", ".join(f"{k}={v}" for k, v in pg.items()))
    add("")
    add("## Stack and settings")
    add("")
    threads = f", {args.threads} threads each" if args.worker_class == "gthread" else ""
    add(
        f"- gunicorn `config.wsgi`, {args.workers} `{args.worker_class}` workers{threads}, "
        "DJANGO_ENV=production (DEBUG off), DJANGO_SETTINGS_MODULE=bench.settings, "
        f"CONN_MAX_AGE={settings.DATABASES['default'].get('CONN_MAX_AGE')}, prepared "
        "statements "
        + (
            "on"
            if settings.DATABASES["default"].get("OPTIONS", {}).get("server_side_binding")
            else "off"
        )
        + " (DATABASE_PREPARED_STATEMENTS)."
    )
    add(
        "- Counting: a real `celery -A config worker --concurrency=2 --queues=celery,petitions` "
        "and `celery -A config beat` (django-celery-beat DatabaseScheduler) as in the Procfile, "
        "running `petition_counts_apply` every "
        f"{settings.CELERY_BEAT_SCHEDULE['petition-counts']['schedule']:g} s "
        "(PETITION_COUNT_INTERVAL), during every run."
    )
    add(
        f"- PostgreSQL database `{settings.DATABASES['default']['NAME']}` (dropped, created, "
        "migrated, `seed_demo --force`), Redis as cache and broker "
        f"(`{args.redis_url}`); VACUUM ANALYZE before each run."
    )
    limits = settings.PETITION_RATE_LIMITS
    add(
        f"- Limits at their production values: TRUSTED_PROXY_COUNT={settings.TRUSTED_PROXY_COUNT}"
        " and every signing request carries an X-Forwarded-For address of its own, so "
        "the API throttle "
        f"({settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['anon']}, signing "
        f"{settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['signing']}, counted in the "
        "same round trip) and the per-IP limits "
        f"({limits['ip_burst'][0]}/{limits['ip_burst'][1]}s, "
        f"{limits['ip_sustained'][0]}/{limits['ip_sustained'][1]}s) run but never trip; "
        f"addresses are spread over 5,000 domains (limit {limits['domain_burst'][0]}/"
        f"{limits['domain_burst'][1]}s each). Suspect signatures are checked to be zero."
    )
    add(
        f"- Load: {args.signers} closed-loop signers for {args.seconds:g} s per variant and "
        f"round ({args.rounds} round{'s' if args.rounds > 1 else ''}, every other one in "
        "reverse order), "
        f"{args.repeat_share:.0%} repeated emails (half re-typed in upper case or with spaces), "
        f"postcodes spread over {constituencies} demo constituencies (also lower case or "
        f"without the space); {args.pollers} clients polling the count every "
        f"{args.poll_interval:g} s with If-None-Match. Each run on a fresh petition with "
        "confirmation_required=False, after a warm-up of each endpoint."
    )
    add("")
    add("## Results")
    add("")
    add(
        "| variant | accepted/s | requests/s | p50 ms | p99 ms | max ms | errors | "
        "duplicates refused | count lag max s | counts |"
    )
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for result in results:
        counted = result["variant"] != "insert-only"
        add(
            f"| {result['name']} | {result['accepted_per_s']:.1f} | "
            f"{result['requests_per_s']:.1f} | {_ms(result['sign']['p50_ms'])} | "
            f"{_ms(result['sign']['p99_ms'])} | {_ms(result['sign']['max_ms'])} | "
            f"{result['errors']} | {result['duplicates_refused']} | "
            f"{_s(result['lag']['max_s']) if counted else 'n/a (no counts)'} | "
            f"{'exact' if result['check']['ok'] else 'WRONG'} |"
        )
    add("")
    add(
        "accepted/s: distinct addresses answered 202 per second of load; requests/s includes "
        "repeats. Latency is per signing request, measured by the client. Duplicates refused: "
        "202 answers minus signature rows stored (a repeat gets the same answer but no row). "
        "Count lag: for each poll, how long the oldest accepted signature missing from the "
        "published total had waited (polls go on after the load until the total catches up)."
    )
    pooled = pooled_rates(results)
    ratios = {}
    if pooled.get("real"):
        for other in ("naive", "insert-only"):
            if pooled.get(other):
                ratios[other] = pooled["real"] / pooled[other]
    add("")
    add("### Ratios (accepted signatures per second)")
    add("")
    if args.rounds > 1:
        add(
            f"Over all {args.rounds} rounds of each variant: "
            + ", ".join(f"{variant} {rate:.1f}/s" for variant, rate in pooled.items())
            + "."
        )
        add("")
    for other, ratio in ratios.items():
        add(f"- real / {other}: **{ratio:.2f}x**")
    previous = previous_report(started)
    if previous and ratios:
        add("")
        add(f"Beside the previous report (`{previous['file']}`):")
        add("")
        if previous["cpu"] != facts.get("cpu", "?"):
            add(
                f"That report ran on another processor ({previous['cpu']}, this run "
                f"{facts.get('cpu', '?')}): compare its ratios with these, not its rates."
            )
            add("")
        add("| figure | previous | this run | this / previous |")
        add("| --- | ---: | ---: | ---: |")
        for variant, rate in pooled.items():
            before = previous["rates"].get(variant)
            if before:
                add(f"| {variant} accepted/s | {before:.1f} | {rate:.1f} | {rate / before:.2f}x |")
        for other, ratio in ratios.items():
            before = previous["ratios"].get(other)
            if before:
                add(f"| real / {other} | {before:.2f}x | {ratio:.2f}x | {ratio / before:.2f}x |")
    if rate_results:
        add("")
        add("### Fixed rate: real endpoint, open loop")
        add("")
        add(
            "Signings sent on a fixed schedule whatever the answers; latency from each "
            "request's scheduled time, so time queued in the client counts."
        )
        add("")
        add(
            "| rate | scheduled | completed/s | p50 ms | p90 ms | p99 ms | max ms | errors | "
            "connections | count lag max s | counts |"
        )
        add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for result in rate_results:
            sign = result["sign"]
            add(
                f"| {result['rate']:g}/s | {result['scheduled']} | "
                f"{result['requests_per_s']:.1f} | {_ms(sign['p50_ms'])} | "
                f"{_ms(sign['p90_ms'])} | {_ms(sign['p99_ms'])} | {_ms(sign['max_ms'])} | "
                f"{result['errors']} | {result['connections_opened']} | "
                f"{_s(result['lag']['max_s'])} | {'exact' if result['check']['ok'] else 'WRONG'} |"
            )
    add("")
    add("### Counts after draining")
    add("")
    for result in everything:
        check = result["check"]
        if result["variant"] == "insert-only":
            add(
                f"- **{result['name']}**: {check['rows']} rows, {check['distinct_emails']} "
                f"distinct emails, {result['sign']['accepted']} accepted by the client; "
                f"{check['accepted_not_stored']} accepted but not stored; "
                f"suspect {check['suspect_rows']}. Nothing counted (by design)."
            )
            continue
        add(
            f"- **{result['name']}**: total {check['total']}, distinct emails "
            f"{check['distinct_emails']}, rows {check['rows']}, accepted by the client "
            f"{result['sign']['accepted']}; sum of {check['seats_with_signatures']} "
            f"constituency totals {check['constituency_sum']}, constituencies differing from "
            f"their signatures {check['constituencies_mismatched']}; lost {check['lost']}, "
            f"double-counted {check['double']}; accepted but not stored "
            f"{check['accepted_not_stored']}, stored but not answered (client timeouts) "
            f"{check['stored_not_accepted']}; suspect {check['suspect_rows']}; journal left "
            f"{check['journal_left']}"
            + (
                f" (empty {_s(result['journal_drained_after_s'])} s after the server settled; "
                "published total caught up "
                f"{_s(result['lag']['caught_up_after_s'])} s after the load)"
                if result["variant"] == "real"
                else ""
            )
            + f". **{'exact' if check['ok'] else 'WRONG'}**"
        )
    add("")
    add("## Where the time went")
    add("")
    add(
        f"CPU used during each run's load, in cores (of {facts['nproc']}), from /proc (other: "
        "the kernel and every process not listed, including anything else running on the "
        "machine); database backends active and waiting on a lock, averaged over samples "
        "every 0.5 s from pg_stat_activity."
    )
    add("")
    header = ["run", *CPU_COMPONENTS, "machine busy", "db active", "db lock-waiting"]
    add("| " + " | ".join(header) + " |")
    add("|" + " --- |" + " ---: |" * (len(header) - 1))
    for result in everything:
        cores = result.get("cpu")
        if not cores:
            continue
        cells = [f"{cores.get(c, 0):.2f}" for c in CPU_COMPONENTS]
        cells += [
            f"{cores['machine_busy_share']:.0%}",
            f"{cores['db_active']:.1f}",
            f"{cores['db_lock_waiting']:.1f}",
        ]
        add(f"| {result['name']} | " + " | ".join(cells) + " |")
    add("")
    for result in everything:
        client = result["client"]
        add(
            f"- load generator, {result['name']}: {client['cpu_share_of_one_core']:.0%} of one "
            f"core, event-loop delay p99 {client['loop_delay_p99_ms']:.1f} ms (max "
            f"{client['loop_delay_max_ms']:.1f} ms); count polls {result['poll']['requests']}, "
            f"p50 {_ms(result['poll']['p50_ms'])} ms, p99 {_ms(result['poll']['p99_ms'])} ms"
        )
    for result in everything:
        if result.get("celery"):
            runs, longest, most = result["celery"]
            add(
                f"- petition_counts_apply during {result['name']}: {runs} runs, longest "
                f"{longest * 1000:.0f} ms, at most {most} changes applied in one run"
            )
    add("")
    add("## Targets")
    add("")
    add("| target | measured | verdict |")
    add("| --- | --- | --- |")
    verdicts = []

    def target(name, measured, ok):
        verdicts.append(ok)
        add(f"| {name} | {measured} | {_verdict(ok)} |")

    if "naive" in ratios:
        target(
            f"real >= {TARGETS['vs_naive']}x naive (signatures/s)",
            f"{ratios['naive']:.2f}x",
            ratios["naive"] >= TARGETS["vs_naive"],
        )
    if "insert-only" in ratios:
        target(
            f"real >= {TARGETS['vs_insert_only']}x insert-only (signatures/s)",
            f"{ratios['insert-only']:.2f}x",
            ratios["insert-only"] >= TARGETS["vs_insert_only"],
        )
    for result in rate_results:
        if result["rate"] != args.rate:
            continue
        sign = result["sign"]
        kept_up = result["requests_per_s"] >= 0.97 * args.rate and not result["errors"]
        target(
            f"p99 < {TARGETS['p99_ms']:g} ms at {args.rate:g} signatures/s",
            f"p99 {_ms(sign['p99_ms'])} ms, {result['requests_per_s']:.0f} requests/s completed"
            + ("" if kept_up else " (did not keep up with the rate)"),
            sign["p99_ms"] is not None and sign["p99_ms"] < TARGETS["p99_ms"] and kept_up,
        )
    counted = [r for r in everything if r["variant"] != "insert-only"]
    target(
        "zero lost or double counts (after draining)",
        ", ".join(
            f"{r['name']}: lost {r['check']['lost']}, double {r['check']['double']}"
            for r in counted
        ),
        all(r["check"]["ok"] for r in counted),
    )
    real_runs = [r for r in counted if r["variant"] == "real"]
    if real_runs:
        worst = max((r["lag"]["max_s"] or 0) for r in real_runs)
        caught_up = all(r["lag"]["caught_up_after_s"] is not None for r in real_runs)
        target(
            f"count lag <= {TARGETS['lag_s']:g} s (every real run)",
            f"max {worst:.2f} s" + ("" if caught_up else " (a total never caught up)"),
            worst <= TARGETS["lag_s"] and caught_up,
        )
    add("")
    return "\n".join(lines) + "\n", all(verdicts)


# -- main ------------------------------------------------------------------------------------


def main():
    args = parse_args()
    started = datetime.now(UTC)
    work_dir = Path(tempfile.mkdtemp(prefix="groundswell-bench-"))
    port = args.port or free_port()
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        TRUSTED_PROXY_COUNT="1",
        GROUNDSWELL_VAR_DIR=str(work_dir / "var"),
        BENCH_CACHE_PREFIX=f"groundswell-bench-{started:%Y%m%d%H%M%S}",
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.pop("CACHE_URL", None)
    os.environ.update(env)
    log(f"work directory {work_dir} (logs, var dir)")
    facts = machine_facts()

    redis_version = redis_prepare(args.redis_url)
    log("creating the database")
    database_recreate(args.database_url)
    django_setup()
    from django.core.management import call_command

    log("migrating and seeding the demo data")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", force=True, stdout=io.StringIO())
    from django.db import connection

    from volunteers.models import PostcodeFallback

    fallback = PostcodeFallback.objects.filter(code__startswith="Z", code__contains=" ")
    postcodes = sorted(fallback.values_list("code", flat=True))
    constituencies = fallback.values("constituency_code").distinct().count()
    connection.close()

    processes = Processes(env, work_dir)
    sampler = None

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        gunicorn = [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers),
            "--worker-class", args.worker_class,
            # gunicorn turns a sync worker with threads > 1 into gthread: say 1 for sync.
            "--threads", str(args.threads if args.worker_class == "gthread" else 1),
            "--backlog", "2048",
            "--keep-alive", "5",
            "--log-level", "warning",
        ]  # fmt: skip
        processes.start("gunicorn", gunicorn)
        celery = str(BIN / "celery")
        processes.start(
            "celery-worker",
            [celery, "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2",
             "--queues=celery,petitions"],
            cwd=work_dir,
        )  # fmt: skip
        processes.start(
            "celery-beat", [celery, "-A", "config", "beat", "--loglevel=INFO"], cwd=work_dir
        )
        wait_for_http(port, 60)
        wait_for_log(work_dir / "celery-worker.log", "ready.", 60)
        wait_for_log(work_dir / "celery-beat.log", "beat: Starting", 60)
        log(f"gunicorn on 127.0.0.1:{port}, Celery worker and beat running")

        def root(name):
            return lambda: processes.started[name].pid if name in processes.started else None

        def loadgen_root():
            running = [p for n, p in processes.started.items() if n.startswith("loadgen")]
            return running[0].pid if running else None

        sampler = Sampler(
            {
                "gunicorn": root("gunicorn"),
                "celery worker": root("celery-worker"),
                "celery beat": root("celery-beat"),
                "loadgen": loadgen_root,
            },
            args.database_url,
        )
        sampler.start()

        if args.warmup:
            warm = argparse.Namespace(**{**vars(args), "seconds": args.warmup})
            for variant in args.variants:
                run_one(warm, processes, work_dir, port, postcodes, f"warmup-{variant}", variant)

        results = []
        for variant, round_ in variant_order(args.variants, args.rounds):
            processes.check_alive()
            vacuum(args.database_url)
            time.sleep(2)
            label, name = variant, variant
            if args.rounds > 1:
                label, name = f"{variant}-round-{round_}", f"{variant} (round {round_})"
            result = run_one(args, processes, work_dir, port, postcodes, label, variant, name=name)
            result["cpu"] = sampler.window(result["wall_start"], result["wall_end"])
            if variant == "real":
                result["celery"] = celery_task_times(
                    work_dir / "celery-worker.log", result["wall_start"], result["wall_end"]
                )
            results.append(result)

        rate_results = []
        for rate in args.rates:
            processes.check_alive()
            vacuum(args.database_url)
            time.sleep(2)
            label = f"real-at-{rate:g}-per-s"
            result = run_one(args, processes, work_dir, port, postcodes, label, "real", rate=rate)
            result["cpu"] = sampler.window(result["wall_start"], result["wall_end"])
            result["celery"] = celery_task_times(
                work_dir / "celery-worker.log", result["wall_start"], result["wall_end"]
            )
            rate_results.append(result)
        processes.check_alive()

        found, pg = versions(redis_version)
        text, passed = report(
            args, started, facts, found, pg, results, rate_results, constituencies
        )
        (work_dir / "results.json").write_text(
            json.dumps({"results": results, "rates": rate_results}, indent=1, default=str)
        )
        (work_dir / "cpu-samples.json").write_text(json.dumps(sampler.cpu))
    finally:
        if sampler:
            sampler.stopping.set()
        processes.stop_all()
        log(f"stopped gunicorn and Celery; logs in {work_dir}")
    print(text)
    if not args.no_report:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"petition_sign-{started:%Y%m%dT%H%M%SZ}.md"
        path.write_text(text)
        log(f"report written to {path.relative_to(REPO)}")
    log("all targets met" if passed else "some targets missed: see the report")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        log("interrupted; everything the benchmark started has been stopped")
        sys.exit(130)
