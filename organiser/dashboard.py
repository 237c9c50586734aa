"""The organisers' dashboard: the path to the threshold and where to push next.

Figures per target come from one query (supporters in the seat, pressure over 7 and 30
days, the last action aimed at it, the seat's majority) and are kept in the cache for
DASHBOARD_CACHE_SECONDS; beat's `dashboard_refresh` recomputes them for every published
campaign, so a page view reads the cache and says when its numbers were computed.

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

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.pressure.models import ActionRecord
from campaigns.targets.models import Campaign, Target, TargetStatus
from campaigns.targets.selectors import Tally, campaign_tally
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


@dataclass(frozen=True)
class Dashboard:
    campaign_id: int
    computed_at: datetime
    tally: Tally
    path: Path
    push_next: list[Ranked] = field(default_factory=list)


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


def dashboard_key(campaign_id: int) -> str:
    return f"organiser:dashboard:{campaign_id}"


def dashboard_compute(campaign: Campaign) -> Dashboard:
    """The campaign's dashboard, computed now and kept in the cache."""
    now = timezone.now()
    tally = campaign_tally(campaign)
    figures = target_figures(campaign, now=now)
    ranked = push_next(figures, now=now)
    board = Dashboard(
        campaign_id=campaign.pk,
        computed_at=now,
        tally=tally,
        path=path_to_threshold(
            tally=tally, ends_on=campaign.ends_on, figures=figures, ranked=ranked
        ),
        push_next=ranked,
    )
    cache.set(dashboard_key(campaign.pk), board, settings.DASHBOARD_CACHE_SECONDS)
    return board


def dashboard_for(campaign: Campaign) -> Dashboard:
    """The cached dashboard (as beat last computed it), or one computed now."""
    return cache.get(dashboard_key(campaign.pk)) or dashboard_compute(campaign)


def dashboards_refresh() -> int:
    """Recompute the dashboard of every published campaign; how many."""
    campaigns = list(Campaign.objects.filter(is_published=True))
    for campaign in campaigns:
        dashboard_compute(campaign)
    return len(campaigns)
