"""The organisers' dashboard: the path to the threshold and where to push next.

Figures per target come from one query (supporters in the seat, pressure over 7 and 30
days, the last action aimed at it, the seat's majority). Beat's `dashboard_refresh`
computes every table of the dashboard (these and organiser/panels.py's) for every published
campaign every few minutes and stores them, with their charts, as DashboardFigure rows (a
summary table); a page view reads those rows and says when they were computed.

"Push next" ranks the undecided and leaning targets by a score of four parts, each from
0 to 1, weighted by WEIGHTS (docs/dashboard.md explains them):

- supporters: supporters whose latest postcode is in the seat, against the most in any
  ranked seat (constituents are the pressure an MP feels);
- under_pressure: 1 minus the target's actions in the last 30 days against the most any
  ranked target had (push where little has been done);
- waiting: days since the last action aimed at the target, up to WAIT_DAYS (never: 1);
- marginality: 1 minus the seat's majority as a share of the votes cast, up to
  MARGINAL_SHARE (unknown: 0.5): an MP with a small majority listens harder.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.pressure.models import ActionRecord
from campaigns.targets.models import Campaign, Target, TargetStatus
from campaigns.targets.selectors import Tally, campaign_tally
from organiser.charts import chart_svg
from organiser.models import DashboardFigure
from organiser.panels import (
    Table,
    Window,
    abuse_tables,
    email_table,
    event_tables,
    petition_tables,
    pressure_tables,
    tally_over_time,
    volunteer_tables,
)
from volunteers.models import Supporter

WEIGHTS = {"supporters": 0.35, "under_pressure": 0.25, "waiting": 0.2, "marginality": 0.2}
WAIT_DAYS = 30
MARGINAL_SHARE = 0.5
RANKED = [TargetStatus.LEANING, TargetStatus.UNDECIDED]
# Who could still nominate, most likely first: the path to the threshold draws on these.
OPEN = [TargetStatus.PLEDGED, TargetStatus.LEANING, TargetStatus.UNDECIDED]


@dataclass(frozen=True, kw_only=True)
class TargetFigures:
    target_id: int
    name: str
    seat: str
    status: str
    supporters: int
    pressure_7d: int
    pressure_30d: int
    last_action_at: datetime | None
    majority_share: float | None
    representative_id: int | None = None

    @property
    def status_label(self) -> str:
        return TargetStatus(self.status).label


@dataclass(frozen=True)
class Ranked:
    figures: TargetFigures
    parts: dict[str, float]
    score: float


@dataclass(frozen=True)
class Path:
    nominated: int
    threshold: int | None
    ends_on: date | None
    needed: int
    candidates: list[TargetFigures]  # the fewest open targets still needed, most likely first
    short_by: int  # open targets too few to reach the threshold even if all nominate


def target_figures(campaign: Campaign, *, now: datetime | None = None) -> list[TargetFigures]:
    """Every target of the campaign with its figures: one query."""
    now = now or timezone.now()
    seat = Coalesce(
        F("representative__constituency__ons_code"), F("organisation__constituency__ons_code")
    )
    supporters = (
        Supporter.objects.filter(constituency_code=OuterRef("seat_code"), erased_at__isnull=True)
        .order_by()
        .values("constituency_code")
        .annotate(n=Count("pk"))
        .values("n")
    )
    actions = ActionRecord.objects.filter(target=OuterRef("pk")).order_by().values("target")
    targets = (
        Target.objects.filter(campaign=campaign)
        .annotate(
            seat_code=seat,
            supporters=Coalesce(Subquery(supporters, output_field=IntegerField()), Value(0)),
            pressure_7d=Coalesce(
                Subquery(
                    actions.filter(occurred_at__gte=now - timedelta(days=7))
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            pressure_30d=Coalesce(
                Subquery(
                    actions.filter(occurred_at__gte=now - timedelta(days=30))
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            last_action_at=Subquery(actions.annotate(at=Max("occurred_at")).values("at")),
        )
        .select_related("representative__constituency", "organisation__constituency")
        .order_by("pk")
    )
    return [_figures(target) for target in targets]


def _figures(target) -> TargetFigures:
    person = target.representative or target.organisation
    constituency = getattr(person, "constituency", None)
    share = None
    if constituency is not None and constituency.majority is not None:
        votes = constituency.turnout or constituency.electorate
        share = constituency.majority / votes if votes else None
    return TargetFigures(
        target_id=target.pk,
        name=person.name,
        seat=constituency.name if constituency is not None else "",
        status=target.status,
        supporters=target.supporters,
        pressure_7d=target.pressure_7d,
        pressure_30d=target.pressure_30d,
        last_action_at=target.last_action_at,
        majority_share=share,
        representative_id=target.representative_id,
    )


def push_next(figures: list[TargetFigures], *, now: datetime) -> list[Ranked]:
    """The undecided and leaning targets, highest score first (ties: more supporters,
    then the target's id), each with its score's parts."""
    ranked = [f for f in figures if f.status in RANKED]
    most_supporters = max((f.supporters for f in ranked), default=0)
    most_pressure = max((f.pressure_30d for f in ranked), default=0)
    result = []
    for f in ranked:
        if f.last_action_at is None:
            waiting = 1.0
        else:
            days = (now - f.last_action_at).total_seconds() / 86400
            waiting = min(max(days, 0.0), WAIT_DAYS) / WAIT_DAYS
        if f.majority_share is None:
            marginality = 0.5
        else:
            marginality = 1 - min(f.majority_share, MARGINAL_SHARE) / MARGINAL_SHARE
        parts = {
            "supporters": f.supporters / most_supporters if most_supporters else 0.0,
            "under_pressure": 1 - (f.pressure_30d / most_pressure if most_pressure else 0.0),
            "waiting": waiting,
            "marginality": marginality,
        }
        score = sum(WEIGHTS[name] * value for name, value in parts.items())
        result.append(Ranked(f, {k: round(v, 3) for k, v in parts.items()}, round(score, 3)))
    result.sort(key=lambda r: (-r.score, -r.figures.supporters, r.figures.target_id))
    return result


def path_to_threshold(
    *, tally: Tally, ends_on: date | None, figures: list[TargetFigures], ranked: list[Ranked]
) -> Path:
    """The fewest open targets that would take the campaign to its threshold: pledged
    first, then leaning, then undecided; within each, by the push-next score (pledged ones
    by their supporters)."""
    needed = max(0, (tally.threshold or 0) - tally.nominated)
    score = {r.figures.target_id: r.score for r in ranked}
    open_targets = sorted(
        (f for f in figures if f.status in OPEN),
        key=lambda f: (
            OPEN.index(f.status),
            -score.get(f.target_id, 0.0),
            -f.supporters,
            f.target_id,
        ),
    )
    return Path(
        nominated=tally.nominated,
        threshold=tally.threshold,
        ends_on=ends_on,
        needed=needed,
        candidates=open_targets[:needed],
        short_by=max(0, needed - len(open_targets)),
    )


def _path_table(path: Path) -> Table:
    if not path.threshold:
        summary = "This campaign has no threshold."
    else:
        summary = f"{path.nominated} of {path.threshold} nominations"
        summary += f", by {path.ends_on:%-d %B %Y}." if path.ends_on else "."
        if not path.needed:
            summary += " The threshold is reached."
        else:
            summary += f" {path.needed} more needed"
            if path.short_by:
                summary += (
                    ": even if every open target nominated, the campaign would be "
                    f"{path.short_by} short"
                )
            summary += ". The fewest open targets still needed, most likely first:"
    return Table(
        key="path",
        section="path",
        title="The path to the threshold",
        columns=["#", "Target", "Seat", "Status", "Supporters in the seat", "Actions, 30 days"],
        rows=[
            [i, f.name, f.seat, f.status_label, f.supporters, f.pressure_30d]
            for i, f in enumerate(path.candidates, start=1)
        ],
        summary=summary,
    )


def _push_next_table(ranked: list[Ranked]) -> Table:
    parts = ", ".join(f"{name.replace('_', ' ')} weighs {w}" for name, w in WEIGHTS.items())
    return Table(
        key="push-next",
        section="push",
        title="Push next",
        columns=[
            "Target",
            "Seat",
            "Status",
            "Score",
            "Supporters (part)",
            "Under pressure (part)",
            "Waiting (part)",
            "Marginality (part)",
            "Supporters in the seat",
            "Actions, 7 days",
            "Actions, 30 days",
        ],
        rows=[
            [
                r.figures.name,
                r.figures.seat,
                r.figures.status_label,
                r.score,
                *(r.parts[name] for name in WEIGHTS),
                r.figures.supporters,
                r.figures.pressure_7d,
                r.figures.pressure_30d,
            ]
            for r in ranked
        ],
        summary=(
            f"Undecided and leaning targets by score: {parts}. Each part runs from 0 to 1: "
            "supporters in the seat against the most; how little pressure in 30 days; days "
            "since the last action, up to 30; how small the majority."
        ),
    )


def dashboard_tables(campaign: Campaign, *, now: datetime | None = None) -> list[Table]:
    """Every table of the campaign's dashboard, computed now from the raw tables: what beat
    stores, and what the benchmark's naive baseline computes on every page view."""
    now = now or timezone.now()
    window = Window(now)
    tally = campaign_tally(campaign)
    figures = target_figures(campaign, now=now)
    ranked = push_next(figures, now=now)
    path = path_to_threshold(tally=tally, ends_on=campaign.ends_on, figures=figures, ranked=ranked)
    return [
        _path_table(path),
        tally_over_time(campaign, window, figures),
        _push_next_table(ranked),
        *pressure_tables(campaign, figures, window),
        *petition_tables(campaign, window),
        *event_tables(campaign),
        *volunteer_tables(window),
        email_table(window),
        *abuse_tables(campaign, window),
    ]


def table_figure(
    campaign: Campaign, position: int, table: Table, now: datetime, *, draw: bool = True
) -> DashboardFigure:
    """The table as a DashboardFigure row (not saved), with its chart drawn unless `draw`
    is False (the benchmark's naive baseline)."""
    svg = ""
    if draw and table.chart is not None and table.rows:
        rows = table.chart_rows if table.chart_rows is not None else table.rows
        svg = chart_svg(table.chart, title=table.title, columns=table.columns, rows=rows)
    return DashboardFigure(
        campaign=campaign,
        key=table.key,
        section=table.section,
        position=position,
        title=table.title,
        summary=table.summary,
        columns=table.columns,
        rows=table.rows,
        chart_svg=svg,
        computed_at=now,
    )


def dashboard_compute(campaign: Campaign) -> list[DashboardFigure]:
    """Compute the campaign's dashboard now and store it in place of the last one."""
    now = timezone.now()
    figures = [
        table_figure(campaign, i, table, now)
        for i, table in enumerate(dashboard_tables(campaign, now=now))
    ]
    with transaction.atomic():
        DashboardFigure.objects.filter(campaign=campaign).delete()
        DashboardFigure.objects.bulk_create(figures)
    return figures


def dashboard_for(campaign: Campaign) -> list[DashboardFigure]:
    """The stored dashboard, without its charts (the page fetches each as an image), as beat
    last computed it; or one computed now if beat has not yet (one query either way when
    stored)."""
    stored = list(
        DashboardFigure.objects.filter(campaign=campaign)
        .defer("chart_svg")
        .annotate(has_chart=ExpressionWrapper(~Q(chart_svg=""), output_field=BooleanField()))
        .order_by("position")
    )
    if stored:
        return stored
    figures = dashboard_compute(campaign)
    for figure in figures:
        figure.has_chart = bool(figure.chart_svg)
    return figures


def dashboards_refresh() -> int:
    """Recompute the dashboard of every published campaign; how many."""
    campaigns = list(Campaign.objects.filter(is_published=True))
    for campaign in campaigns:
        dashboard_compute(campaign)
    return len(campaigns)
