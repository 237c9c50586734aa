"""Reads of pressure: how many actions each target has had, and when."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
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
