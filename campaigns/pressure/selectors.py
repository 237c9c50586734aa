"""Reads of pressure: how many actions each target has had, and when; and the actions
themselves, one person's or everyone's, for the API."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from campaigns.pressure.models import ActionRecord
from campaigns.targets.models import Campaign, Target


def constituency_targets(*, campaign, constituency_code) -> QuerySet[Target]:
    """The campaign's targets that a constituent's action presses on: the one for their
    constituency's current MP, if the campaign targets that MP.

    `campaign` (a Campaign or its id) and `constituency_code` (an ONS code) may be
    OuterRef()s, so a caller can find the target of many rows in the query that reads
    them: `Subquery(constituency_targets(...).values("pk")[:1])`. At most one target
    matches: a constituency has one current MP, and a campaign targets an MP once.
    """
    return Target.objects.filter(
        campaign=campaign,
        representative__is_current=True,
        representative__constituency__ons_code=constituency_code,
    )


def action_counts(*, campaign: Campaign, kinds=None) -> dict[int, dict[str, int]]:
    """{target id: {kind: number of actions}} for a campaign's targets, in one query
    however many targets it has. A target with no actions (of `kinds`, if given) is
    absent: read with `.get(target.pk, {})`."""
    records = ActionRecord.objects.filter(target__campaign=campaign)
    if kinds is not None:
        records = records.filter(kind__in=list(kinds))
    counts: dict[int, dict[str, int]] = {}
    rows = records.values_list("target_id", "kind").annotate(n=Count("id")).order_by()
    for target_id, kind, n in rows:
        counts.setdefault(target_id, {})[kind] = n
    return counts


def actions_over_time(*, target: Target, days: int, kinds=None) -> list[tuple[date, int]]:
    """(day, number of actions) for each of the last `days` days up to today, oldest
    first, days without actions as 0; days are local (TIME_ZONE). One query."""
    if days < 1:
        return []
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    records = ActionRecord.objects.filter(target=target, occurred_at__gte=since)
    if kinds is not None:
        records = records.filter(kind__in=list(kinds))
    rows = (
        records.annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_day = dict(rows)
    return [(day, per_day.get(day, 0)) for day in (first + timedelta(days=n) for n in range(days))]


# The columns of one action in the API's list (api.action_body), read as values: a page
# of 100 is a hot read, and building four models per row cost more than the query.
ACTION_COLUMNS = ("id", "kind", "occurred_at", "target_id", "source", "source_id", "supporter_id")


def actions_listed(
    *,
    user,
    campaign_slug: str = "",
    target_id: int | None = None,
    kind: str = "",
    occurred_after: datetime | None = None,
    occurred_before: datetime | None = None,
) -> QuerySet:
    """Action records as dicts of ACTION_COLUMNS with `target_name` (the MP's or the
    organisation's) and `campaign` (its slug), filtered; unordered (the caller's
    pagination orders them). `user`: only the actions of that account's supporter; None
    for everyone's, which only organisers may see.

    One query for any page: the target, its campaign and its MP or organisation are joined
    in. Newest first it reads the index action_time_id from a position in it; one person's
    come by the supporter's index."""
    records = ActionRecord.objects.all()
    if user is not None:
        records = records.filter(supporter__user=user)
    if campaign_slug:
        records = records.filter(target__campaign__slug=campaign_slug)
    if target_id is not None:
        records = records.filter(target_id=target_id)
    if kind:
        records = records.filter(kind=kind)
    if occurred_after is not None:
        records = records.filter(occurred_at__gte=occurred_after)
    if occurred_before is not None:
        records = records.filter(occurred_at__lt=occurred_before)
    return records.values(
        *ACTION_COLUMNS,
        target_name=Coalesce("target__representative__name", "target__organisation__name"),
        campaign=F("target__campaign__slug"),
    )
