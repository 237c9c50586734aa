"""The first minute of a Twitterstorm: many supporters opening the storm page and asking for
their hand-out at once, while others poll the counts (bench/README.md, "Storm start").

    .venv/bin/python bench/storm_start.py [--seconds 20] [--rate 500] [--no-report]

On the production stack (gunicorn, PostgreSQL, Redis as the cache that holds the rotation
counter), against a storm that started a minute ago with ten equal targets:

1. the limit: 64 closed-loop clients fetching one static file (served by WhiteNoise in the
   same gunicorn), the most this stack answers; and a Django view that does nothing (the
   favicon's redirect, through every middleware), the most any view can answer;
2. the storm: 64 closed-loop clients each opening the storm page, then asking the API for
   their assignment, while 32 clients poll the counts every 2 s; then the page alone and
   the assignment alone, each with the pollers, for each one's own rate;
3. fixed rate: `--rate` requests a second of the page, then of the assignment, open loop
   (latency from the scheduled time), for the p99 at that rate.

The report gives requests per second and p50/p99 per endpoint, the ratios to the static
file's rate measured in the same run, and how evenly the assignments spread over the
targets. Written to bench/results/storm_start-<UTC time>.md.
"""

import argparse
import asyncio
import io
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.loadgen import Connection, percentile  # noqa: E402
from bench.petition_sign import (  # noqa: E402
    BIN,
    Processes,
    database_recreate,
    django_setup,
    free_port,
    log,
    machine_facts,
    redis_prepare,
    wait_for_http,
)

RESULTS = REPO / "bench" / "results"
TARGETS = 10
PAGE_TARGET_RATIO = 0.5
P99_TARGET_MS = 100


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="each closed-loop run")
    parser.add_argument("--rate-seconds", type=float, default=10, help="each fixed-rate run")
    parser.add_argument("--rate", type=int, default=500, help="requests a second, fixed rate")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--pollers", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL",
            "postgres://groundswell:groundswell@127.0.0.1:5432/groundswell_storm_bench",
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    )
    parser.add_argument("--no-report", action="store_true", help="print, do not write")
    return parser.parse_args()


def storm_create() -> dict:
    """A published storm that started a minute ago, with ten equal targets and 3 angles."""
    from django.utils import timezone

    from campaigns.storms.models import Angle, StormTarget, Twitterstorm
    from campaigns.targets.models import Campaign, Constituency, Representative, Target

    campaign = Campaign.objects.create(slug="bench-storm", title="Bench storm")
    starts = timezone.now() - timedelta(minutes=1)
    storm = Twitterstorm.objects.create(
        campaign=campaign,
        slug="bench-storm",
        title="Bench storm",
        hashtag="BenchStorm",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        is_published=True,
    )
    for n in range(3):
        Angle.objects.create(storm=storm, prompt=f"Angle {n}", starter=f"Starter {n}.")
    for n in range(TARGETS):
        seat = Constituency.objects.create(ons_code=f"E1499{n:04d}", name=f"Bench seat {n}")
        mp = Representative.objects.create(
            name=f"Bench MP {n}", constituency=seat, x_handle=f"mp{n}"
        )
        StormTarget.objects.create(
            storm=storm, target=Target.objects.create(campaign=campaign, representative=mp)
        )
    return {"id": storm.pk, "slug": storm.slug}


def _get(path: str, accept: str = "text/html") -> bytes:
    """A GET as a browser (a page, a static file) or an app (accept="application/json")
    sends it: the API answers an Accept of text/html with its browsable HTML page."""
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        f"Accept: {accept}\r\n\r\n"
    ).encode()


class Tally:
    def __init__(self):
        self.latencies: dict[str, list[float]] = {}
        self.errors: Counter = Counter()
        self.targets: Counter = Counter()

    def add(self, name, seconds, status, body=b""):
        self.latencies.setdefault(name, []).append(seconds)
        if status >= 400:
            self.errors[(name, status)] += 1
        elif name == "assignment":
            import json

            target = json.loads(body).get("target") or {}
            self.targets[target.get("id")] += 1


async def _timed(connection, tally, name, raw, scheduled=None):
    start = time.perf_counter()
    status, _, body = await connection.request(raw)
    tally.add(name, time.perf_counter() - (scheduled or start), status, body)


async def closed_loop(port, steps, clients, seconds, pollers=0, poll_path=None):
    """`clients` connections each running `steps` [(name, raw)] in turn until time is up,
    beside `pollers` asking `poll_path` every 2 s."""
    tally = Tally()
    deadline = time.perf_counter() + seconds

    async def client():
        connection = Connection(port)
        try:
            while time.perf_counter() < deadline:
                for name, raw in steps:
                    await _timed(connection, tally, name, raw)
        finally:
            connection.close()

    async def poller(offset):
        connection = Connection(port)
        await asyncio.sleep(offset)
        try:
            while time.perf_counter() < deadline:
                await _timed(connection, tally, "counts", _get(poll_path, "application/json"))
                await asyncio.sleep(2)
        finally:
            connection.close()

    await asyncio.gather(
        *(client() for _ in range(clients)),
        *(poller(2 * n / max(pollers, 1)) for n in range(pollers)),
    )
    return tally, seconds


async def fixed_rate(port, name, raw, rate, seconds, connections=128):
    """`rate` requests a second on a schedule, over a pool of connections; latency is
    counted from the scheduled time, so a queue in the server shows."""
    tally = Tally()
    pool = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(Connection(port))
    start = time.perf_counter()
    tasks = []
    for n in range(int(rate * seconds)):
        scheduled = start + n / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))

        async def one(scheduled=scheduled):
            connection = await pool.get()
            try:
                await _timed(connection, tally, name, raw, scheduled)
            finally:
                pool.put_nowait(connection)

        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait().close()
    return tally, time.perf_counter() - start


def _row(name, tally, seconds, limit=None):
    values = tally.latencies.get(name, [])
    rate = len(values) / seconds if seconds else 0
    errors = sum(n for (which, _), n in tally.errors.items() if which == name)
    ratio = f"{rate / limit:.2f}x" if limit else "1.00x (the limit)"
    p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
    return (
        f"| {name} | {len(values):,} | {rate:,.0f} | {ratio} | "
        f"{(p50 or 0) * 1000:.1f} | {(p99 or 0) * 1000:.1f} | {errors} |",
        rate,
        p99,
    )


def main():
    args = parse_args()
    started = datetime.now(UTC)
    work_dir = Path(tempfile.mkdtemp(prefix="groundswell-storm-bench-"))
    port = free_port()
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
        API_ANON_RATE="1000000/min",  # the throttle is not what is measured
        GROUNDSWELL_VAR_DIR=str(work_dir / "var"),
        BENCH_CACHE_PREFIX=f"groundswell-storm-bench-{started:%Y%m%d%H%M%S}",
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.pop("CACHE_URL", None)
    os.environ.update(env)
    log(f"work directory {work_dir}")
    facts = machine_facts()
    redis_prepare(args.redis_url)
    database_recreate(args.database_url)
    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.templatetags.static import static

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False, stdout=io.StringIO())
    storm = storm_create()
    static_path = static("js/storm.js")
    connection.close()

    processes = Processes(env, work_dir)
    try:
        processes.start(
            "gunicorn",
            [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--worker-class", "sync", "--backlog", "2048",
             "--keep-alive", "5", "--log-level", "warning"],
        )  # fmt: skip
        wait_for_http(port, 60)
        page = _get(f"/storms/{storm['slug']}/")
        assignment = _get(f"/api/v1/storms/{storm['id']}/assignment/", "application/json")
        counts_path = f"/api/v1/storms/{storm['id']}/counts/"
        log("warming up")
        asyncio.run(closed_loop(port, [("page", page), ("assignment", assignment)], 8, 3))

        log(f"static file limit: {args.clients} clients, {args.seconds:.0f} s")
        static_tally, static_s = asyncio.run(
            closed_loop(port, [("static file", _get(static_path))], args.clients, args.seconds)
        )
        log(f"a view that does nothing (the favicon redirect): {args.clients} clients")
        floor_tally, floor_s = asyncio.run(
            closed_loop(port, [("empty view", _get("/favicon.ico"))], args.clients, args.seconds)
        )
        alone = {}
        for name, raw in (("page", page), ("assignment", assignment)):
            log(f"{name} alone: {args.clients} clients, {args.pollers} pollers")
            alone[name] = asyncio.run(
                closed_loop(
                    port, [(name, raw)], args.clients, args.seconds, args.pollers, counts_path
                )
            )
        log(f"storm start: {args.clients} clients (page, then assignment), {args.pollers} pollers")
        storm_tally, storm_s = asyncio.run(
            closed_loop(
                port,
                [("page", page), ("assignment", assignment)],
                args.clients,
                args.seconds,
                args.pollers,
                counts_path,
            )
        )
        rated = {}
        for name, raw in (("page", page), ("assignment", assignment)):
            log(f"fixed rate: {args.rate}/s of the {name} for {args.rate_seconds:.0f} s")
            rated[name] = asyncio.run(fixed_rate(port, name, raw, args.rate, args.rate_seconds))
        processes.check_alive()
    finally:
        processes.stop_all()

    static_row, limit, _ = _row("static file", static_tally, static_s)
    floor_row, _, _ = _row("empty view", floor_tally, floor_s, limit)
    rows, alone_rows, verdicts = [static_row], [static_row, floor_row], []
    for name in ("page", "assignment", "counts"):
        row, _, _ = _row(name, storm_tally, storm_s, limit)
        rows.append(row)
    for name in ("page", "assignment"):
        tally, seconds = alone[name]
        row, rate, _ = _row(name, tally, seconds, limit)
        alone_rows += [row, _row("counts", tally, seconds, limit)[0]]
        ok = rate >= PAGE_TARGET_RATIO * limit
        verdicts.append(
            f"- {name}, alone: {rate / limit:.2f}x the static file's rate "
            f"(target at least {PAGE_TARGET_RATIO}x): {'met' if ok else 'NOT met'}"
        )
    rate_rows = []
    for name, (tally, seconds) in rated.items():
        row, rate, p99 = _row(name, tally, seconds, limit)
        rate_rows.append(row)
        ok = p99 is not None and p99 * 1000 < P99_TARGET_MS and rate >= 0.95 * args.rate
        verdicts.append(
            f"- {name} at {args.rate}/s: p99 {(p99 or 0) * 1000:.1f} ms, {rate:,.0f}/s answered "
            f"(target p99 under {P99_TARGET_MS} ms): {'met' if ok else 'NOT met'}"
        )
    given = storm_tally.targets + rated["assignment"][0].targets + alone["assignment"][0].targets
    spread = sorted(given.values()) or [0]
    mean = sum(spread) / len(spread)
    evenness = spread[-1] / spread[0] if spread[0] else 0
    machine = (
        f"{facts.get('cpu', 'unknown CPU')}, {facts['nproc']} CPUs, "
        f"{facts['memory_gib']:.0f} GiB, {facts['busy_before']:.0%} busy before the run"
    )
    header = "| endpoint | requests | per second | vs static | p50 ms | p99 ms | errors |"
    rule = "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    text = "\n".join(
        [
            f"# Storm start benchmark, {started:%Y-%m-%d %H:%M} UTC",
            "",
            f"Machine: {machine}. gunicorn {args.workers} sync workers, PostgreSQL, Redis "
            "(the rotation counter); a storm started a minute ago with "
            f"{TARGETS} equal targets and 3 angles.",
            "",
            f"## Closed loop: {args.clients} clients opening the page then asking for their "
            f"assignment, {args.pollers} polling the counts every 2 s ({args.seconds:.0f} s); "
            "the static file alone before it, as the limit",
            "",
            header,
            rule,
            *rows,
            "",
            f"## Closed loop, each alone: {args.clients} clients asking for one endpoint, "
            f"{args.pollers} polling the counts every 2 s ({args.seconds:.0f} s each)",
            "",
            header,
            rule,
            *alone_rows,
            "",
            f"## Fixed rate: {args.rate} requests a second for {args.rate_seconds:.0f} s "
            "(latency from the scheduled time)",
            "",
            header,
            rule,
            *rate_rows,
            "",
            "## Targets",
            "",
            *verdicts,
            "",
            "## Rotation",
            "",
            f"{sum(spread):,} assignments over {len(given)} targets: fewest {spread[0]:,}, "
            f"most {spread[-1]:,}, mean {mean:,.1f} (most/fewest {evenness:.3f}).",
            "",
        ]
    )
    print(text)
    if not args.no_report:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"storm_start-{started:%Y%m%dT%H%M%SZ}.md"
        path.write_text(text)
        log(f"report written to {path}")


if __name__ == "__main__":
    main()
