"""Benchmark of the organisers' dashboard at the scale of a national campaign
(bench/README.md, "Organiser dashboard").

    .venv/bin/python bench/dashboard.py                 # the acceptance run (full scale)
    .venv/bin/python bench/dashboard.py --scale 0.05    # a quick one

Set-up: its own PostgreSQL database (dropped and created; its name must contain "bench"),
migrated and filled by `manage.py seed_load --scale S` (650 targets, 1,000,000
signatures, 200,000 actions, 20,000 volunteers, 2,000 events, 100 sent mass emails at
scale 1); then beat's work, timed once: `dashboard_compute` for the campaign.

Then every organiser page, each requested --repeat times through Django's whole request
handling in this process (middleware, session, view, template; DEBUG off), timing the
server's work and counting its queries:

- /organiser/ and /organiser/<campaign>/ (what beat stored: one query for the figures),
- each table's CSV and chart,
- the naive baseline: the same dashboard page computing the same numbers with ORM
  aggregates over the raw tables on every view (`dashboard_tables`, no stored rows; charts
  not even drawn), in the same run.

The report gives median and p95 per page, queries per page, the ratio of the naive
baseline's median to the stored page's, and whether the targets hold (median under 300 ms,
at least 10 times faster than naive). Written to bench/results/dashboard-<UTC time>.md.
Run by hand, never in CI.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results"
DEFAULT_DATABASE_URL = (
    "postgres://groundswell:groundswell@127.0.0.1:5432/groundswell_bench_dashboard"
)
CAMPAIGN = "load-test"
TARGET_MEDIAN_MS = 300
TARGET_RATIO = 10


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="seed_load's scale (1.0)")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page (30)")
    parser.add_argument(
        "--naive-repeat", type=int, default=5, help="requests of the naive baseline (5)"
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--keep", action="store_true", help="reuse the database if it is filled")
    parser.add_argument("--no-report", action="store_true", help="print only")
    return parser.parse_args()


def _psql(database_url: str, sql: str) -> None:
    """Run SQL on the server's `postgres` database (to drop and create the bench one)."""
    import psycopg

    base = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(sql)


def _prepare(args) -> float:
    """A fresh database, migrated and filled; seconds seed_load took (0 if kept)."""
    name = args.database_url.rsplit("/", 1)[1]
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: a benchmark database's name contains 'bench'")
    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_ENV": "local"}
    manage = [sys.executable, str(REPO / "manage.py")]
    if args.keep:
        return 0.0
    _psql(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(args.database_url, f'CREATE DATABASE "{name}"')
    migrate = [*manage, "migrate", "--no-input", "-v", "0"]
    subprocess.run(migrate, env=env, check=True, cwd=REPO)  # noqa: S603 - our own command
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own command line
        [*manage, "seed_load", "--scale", str(args.scale), "--campaign", CAMPAIGN],
        env=env,
        check=True,
        cwd=REPO,
    )
    return time.perf_counter() - started


def _django(args) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_ENV"] = "local"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("GROUNDSWELL_VAR_DIR", tempfile.mkdtemp(prefix="groundswell-dashboard-"))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]


def naive_dashboard(request, slug):
    """The baseline: the dashboard page computing every number from the raw tables on the
    view, as a dashboard without summary tables would (no charts drawn)."""
    from django.shortcuts import get_object_or_404, render

    from campaigns.targets.models import Campaign
    from organiser.dashboard import dashboard_tables, table_figure
    from organiser.views import dashboard_context

    campaign = get_object_or_404(Campaign, slug=slug)
    now = datetime.now(UTC)
    figures = []
    for i, table in enumerate(dashboard_tables(campaign, now=now)):
        figure = table_figure(campaign, i, table, now, draw=False)
        figure.has_chart = table.chart is not None
        figures.append(figure)
    return render(request, "organiser/dashboard.html", dashboard_context(campaign, figures))


def _measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
        times.append(elapsed * 1000)
        queries.append(len(captured.captured_queries))
    times.sort()
    return {
        "url": url,
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "queries": max(queries),
        "bytes": len(response.content),
    }


def _counts() -> dict:
    from campaigns.events.models import Event
    from campaigns.petitions.models import Signature
    from campaigns.pressure.models import ActionRecord
    from campaigns.targets.models import Target
    from organiser.models import OutboxEmail, ScheduledMessage
    from volunteers.models import VolunteerProfile

    return {
        "targets": Target.objects.filter(campaign__slug=CAMPAIGN).count(),
        "signatures": Signature.objects.count(),
        "actions": ActionRecord.objects.count(),
        "volunteers": VolunteerProfile.objects.count(),
        "events": Event.objects.count(),
        "sent mass emails": ScheduledMessage.objects.filter(state="sent").count(),
        "outbox rows": OutboxEmail.objects.count(),
    }


def main() -> None:
    args = _arguments()
    seeded = _prepare(args)
    _django(args)
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import clear_url_caches, path, reverse

    import config.urls
    from campaigns.targets.models import Campaign
    from organiser.dashboard import dashboard_compute
    from organiser.models import DashboardFigure
    from volunteers.models import User

    setup_test_environment()  # the test client's request handling, not the test database
    config.urls.urlpatterns.append(
        path("bench/organiser/<slug:slug>/naive/", naive_dashboard, name="bench-naive-dashboard")
    )
    clear_url_caches()
    campaign = Campaign.objects.get(slug=CAMPAIGN)
    started = time.perf_counter()
    dashboard_compute(campaign)
    computed = time.perf_counter() - started

    organiser, _ = User.objects.get_or_create(
        email="bench-organiser@example.org", defaults={"is_staff": True}
    )
    client = Client()
    client.force_login(organiser)
    pages = [reverse("dashboard:dashboards"), reverse("dashboard:dashboard", args=[CAMPAIGN])]
    for figure in DashboardFigure.objects.filter(campaign=campaign).order_by("position"):
        pages.append(reverse("dashboard:csv", args=[CAMPAIGN, figure.key]))
        if figure.chart_svg:
            pages.append(reverse("dashboard:chart", args=[CAMPAIGN, figure.key]))
    for url in pages[:2]:
        client.get(url)  # warm: templates compiled, connections open
    results = [_measure(client, url, args.repeat) for url in pages]
    naive = _measure(client, f"/bench/organiser/{CAMPAIGN}/naive/", args.naive_repeat)
    report = _report(args, seeded, computed, results, naive, _counts())
    print(report)
    if not args.no_report:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS / f"dashboard-{stamp}.md"
        out.write_text(report)
        print(f"written to {out.relative_to(REPO)}")


def _report(args, seeded, computed, results, naive, counts) -> str:
    page = results[1]
    worst = max(r["median"] for r in results)
    ratio = naive["median"] / page["median"]
    lines = [
        "# Organiser dashboard benchmark",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.node()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; PostgreSQL at {args.database_url.split('@')[-1]}.",
        "",
        "Data (`seed_load --scale "
        + f"{args.scale:g}`"
        + (f", {seeded:.0f} s" if seeded else "")
        + "): "
        + ", ".join(f"{n:,} {name}" for name, n in counts.items())
        + ".",
        "",
        f"Beat's refresh of the campaign (`dashboard_compute`: every table and chart): "
        f"{computed:.1f} s.",
        "",
        f"Each page {args.repeat} times, the naive baseline {args.naive_repeat} times; server "
        "time through Django's whole request handling (DEBUG off), queries counted.",
        "",
        "| page | median ms | p95 ms | queries | bytes |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in [*results, naive]:
        lines.append(
            f"| `{r['url']}` | {r['median']:.1f} | {r['p95']:.1f} | {r['queries']} | "
            f"{r['bytes']:,} |"
        )
    lines += [
        "",
        "## Targets",
        "",
        f"- every organiser page's median under {TARGET_MEDIAN_MS} ms: slowest median "
        f"{worst:.1f} ms: **{'met' if worst < TARGET_MEDIAN_MS else 'NOT met'}**",
        f"- the dashboard at least {TARGET_RATIO}x the naive baseline: naive median "
        f"{naive['median']:.0f} ms / stored {page['median']:.1f} ms = {ratio:.0f}x: "
        f"**{'met' if ratio >= TARGET_RATIO else 'NOT met'}**",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
