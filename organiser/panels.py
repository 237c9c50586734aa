"""The tables of the organisers' dashboard beyond the path and push next: pressure per
target, petitions, events, volunteers, email and abuse.

Each function reads the raw tables with a fixed number of grouped queries (so beat's
refresh costs the same however many targets or messages there are) and returns Tables:
columns, rows of plain values, and how to chart them. organiser/dashboard.py stores them
as DashboardFigure rows; a page view never runs these.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns.events.models import RSVP, Event
from campaigns.letters.models import Letter
from campaigns.letters.replies import reply_rates
from campaigns.petitions.models import PetitionViewDay, Signature
from campaigns.petitions.selectors import SIGNATURE_STATES
from campaigns.pressure.models import ActionKind, ActionRecord
from campaigns.targets.models import Campaign, TargetStatus, TargetStatusChange
from organiser.charts import Chart
from organiser.models import ScheduledMessage
from organiser.selectors import messages_with_progress
from volunteers.models import VolunteerProfile, VolunteerSkill

DAYS = 30  # the window of per-day tables and "last 30 days" figures
ABUSE_DAYS = 7
BUSIEST = 20
COMPLAINT_LIMIT = 0.003  # what big mailbox providers tolerate (Gmail, Yahoo: 0.3%)
EMAIL_DAYS = 90
TALLY_DAYS = 90

# RSVPs by how far the person got. Signed up: took a place (or a place on the waiting list)
# once their email was confirmed; confirmed: said the day before that they are still coming
# (or came); attended: checked in.
SIGNED_UP = ~Q(state=RSVP.State.AWAITING_CONFIRMATION)
CONFIRMED = Q(state__in=[RSVP.State.CONFIRMED, RSVP.State.ATTENDED])
ATTENDED = Q(state=RSVP.State.ATTENDED)


@dataclass(frozen=True, kw_only=True)
class Table:
    key: str
    section: str
    title: str
    columns: list[str]
    rows: list[list]
    summary: str = ""
    chart: Chart | None = None
    chart_rows: list[list] | None = None  # when the chart shows fewer rows than the table


@dataclass(frozen=True)
class Window:
    """Today and the first moments of the windows, in UK days."""

    now: datetime

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def days(self, n: int) -> list[date]:
        return [self.today - timedelta(days=n - 1 - i) for i in range(n)]

    def since(self, n: int) -> datetime:
        first = self.today - timedelta(days=n - 1)
        return timezone.make_aware(datetime.combine(first, time.min))


def _day(field: str = "created_at"):
    """The UK day of a moment, in SQL."""
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# Pressure per target ------------------------------------------------------------------


def pressure_tables(campaign: Campaign, targets: list, window: Window) -> list[Table]:
    """Actions per target by kind over 7 and 30 days, next to status and reply rate (three
    queries); and the campaign's actions per day by kind (one)."""
    since7, since30 = window.since(7), window.since(DAYS)
    counts: dict[int, dict[str, tuple[int, int]]] = {}
    rows = (
        ActionRecord.objects.filter(target__campaign=campaign, occurred_at__gte=since30)
        .values_list("target_id", "kind")
        .annotate(n30=Count("pk"), n7=Count("pk", filter=Q(occurred_at__gte=since7)))
        .order_by()
    )
    for target_id, kind, n30, n7 in rows:
        counts.setdefault(target_id, {})[kind] = (n7, n30)
    rates = reply_rates(campaign=campaign)
    kinds = list(ActionKind)
    table = []
    for target in targets:
        mine = counts.get(target.target_id, {})
        rate = rates.get(target.representative_id)
        replied = f"{rate.replied} of {rate.answers}" if rate and rate.answers else ""
        row = [target.name, target.seat, target.status_label, replied]
        for kind in kinds:
            row += list(mine.get(kind, (0, 0)))
        row.append(sum(n30 for _, n30 in mine.values()))
        table.append(row)
    table.sort(key=lambda row: (-row[-1], row[0]))
    columns = ["Target", "Seat", "Status", "Replied to letters"]
    for kind in kinds:
        columns += [f"{kind.label}s, 7 days", f"{kind.label}s, 30 days"]
    columns.append("All actions, 30 days")
    untouched = sum(1 for row in table if row[-1] == 0)
    per_target = Table(
        key="pressure-per-target",
        section="pressure",
        title="Pressure per target",
        columns=columns,
        rows=table,
        summary=(
            f"Actions aimed at each target over the last 7 and {DAYS} days, most first. "
            f"{untouched} of {len(table)} targets had none in {DAYS} days."
        ),
        chart=Chart("stacked", x=0, series=tuple(5 + 2 * i for i in range(len(kinds)))),
        chart_rows=table[:BUSIEST],
    )
    return [per_target, _pressure_per_day(campaign, window, kinds)]


def _pressure_per_day(campaign, window: Window, kinds) -> Table:
    per_day: dict[tuple, int] = {
        (day, kind): n
        for day, kind, n in ActionRecord.objects.filter(
            target__campaign=campaign, occurred_at__gte=window.since(DAYS)
        )
        .annotate(day=_day("occurred_at"))
        .values_list("day", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = [
        [day.isoformat(), *(per_day.get((day, kind), 0) for kind in kinds)]
        for day in window.days(DAYS)
    ]
    return Table(
        key="pressure-per-day",
        section="pressure",
        title="Actions per day",
        columns=["Day", *(f"{kind.label}s" for kind in kinds)],
        rows=rows,
        summary=f"Every action aimed at the campaign's targets, per day, over {DAYS} days.",
        chart=Chart("line", x=0, series=tuple(range(1, len(kinds) + 1))),
    )


# The tally over time ------------------------------------------------------------------


def tally_over_time(campaign: Campaign, window: Window, targets: list) -> Table:
    """Nominated and pledged targets at the end of each day, with the day's status changes
    named: walked back from the targets' statuses now (their figures) through the changes
    (one query)."""
    names = {target.target_id: target.name for target in targets}
    nominated = sum(1 for target in targets if target.status == TargetStatus.NOMINATED)
    pledged = sum(1 for target in targets if target.status == TargetStatus.PLEDGED)
    days = window.days(TALLY_DAYS)
    if campaign.starts_on and campaign.starts_on > days[0]:
        days = [day for day in days if day >= campaign.starts_on] or [window.today]
    changes = TargetStatusChange.objects.filter(
        target__campaign=campaign, changed_at__gte=window.since(len(days))
    ).values_list("target_id", "from_status", "to_status", "changed_at")
    by_day: dict[date, list] = {}
    for change in changes:  # newest first
        by_day.setdefault(timezone.localdate(change[3]), []).append(change)
    rows = []
    for day in reversed(days):
        named = by_day.get(day, [])
        rows.append([day.isoformat(), nominated, pledged, _changes_text(named, names)])
        for _, was, now, _ in named:  # undo the day's changes to get the day before
            nominated -= (now == TargetStatus.NOMINATED) - (was == TargetStatus.NOMINATED)
            pledged -= (now == TargetStatus.PLEDGED) - (was == TargetStatus.PLEDGED)
    rows.reverse()
    lines = (("Threshold", campaign.threshold),) if campaign.threshold else ()
    return Table(
        key="tally-over-time",
        section="path",
        title="The tally over time",
        columns=["Day", "Nominated", "Pledged", "Status changes"],
        rows=rows,
        summary=(
            "Targets nominated and pledged at the end of each day, with the day's status "
            "changes named."
        ),
        chart=Chart("line", x=0, series=(1, 2), lines=lines),
    )


def _changes_text(changes, names) -> str:
    return "; ".join(
        f"{names.get(target_id, target_id)}: "
        f"{TargetStatus(was).label if was else 'new'} to {TargetStatus(now).label}"
        for target_id, was, now, _ in reversed(changes)
    )


# Petitions ---------------------------------------------------------------------------


def petition_tables(campaign: Campaign, window: Window) -> list[Table]:
    """Signatures per day with page views, by source and by referral code, and page view
    to confirmed signature, over the campaign's petitions in the last 30 days (four
    queries)."""
    since = window.since(DAYS)
    signatures = Signature.objects.filter(petition__campaign=campaign, created_at__gte=since)
    confirmed = Q(confirmed_at__isnull=False)
    counted = SIGNATURE_STATES["counted"]
    per_day = {
        day: (n, c, k)
        for day, n, c, k in signatures.annotate(day=_day())
        .values_list("day")
        .annotate(n=Count("pk"), c=Count("pk", filter=confirmed), k=Count("pk", filter=counted))
        .order_by()
    }
    views = dict(
        PetitionViewDay.objects.filter(petition__campaign=campaign, day__gte=window.days(DAYS)[0])
        .values_list("day")
        .annotate(n=Sum("views"))
        .order_by()
    )
    day_rows = [
        [day.isoformat(), views.get(day, 0), *per_day.get(day, (0, 0, 0))]
        for day in window.days(DAYS)
    ]
    by_source = [
        [source or "(none)", n, c, k, _share(c, n)]
        for source, n, c, k in signatures.values_list("source")
        .annotate(n=Count("pk"), c=Count("pk", filter=confirmed), k=Count("pk", filter=counted))
        .order_by("-n", "source")
    ]
    by_code = [
        [code, n, c, _share(c, n)]
        for code, n, c in signatures.exclude(referred_by="")
        .values_list("referred_by")
        .annotate(n=Count("pk"), c=Count("pk", filter=confirmed))
        .order_by("-n", "referred_by")[:BUSIEST]
    ]
    total_views = sum(row[1] for row in day_rows)
    signed = sum(row[2] for row in day_rows)
    confirmed_n = sum(row[3] for row in day_rows)
    counted_n = sum(row[4] for row in day_rows)
    funnel = [
        ["Page views", total_views, _share(total_views, total_views)],
        ["Signed", signed, _share(signed, total_views)],
        ["Confirmed by email", confirmed_n, _share(confirmed_n, total_views)],
        ["Counted", counted_n, _share(counted_n, total_views)],
    ]
    return [
        Table(
            key="petitions-per-day",
            section="petitions",
            title="Signatures per day",
            columns=["Day", "Page views", "Signed", "Confirmed", "Counted"],
            rows=day_rows,
            summary=(
                f"Over the campaign's petitions in the last {DAYS} days: {signed} signed, "
                f"{confirmed_n} confirmed, from {total_views} page views."
            ),
            chart=Chart("line", x=0, series=(1, 2, 3)),
        ),
        Table(
            key="petitions-by-source",
            section="petitions",
            title="Signatures by source",
            columns=["Source", "Signed", "Confirmed", "Counted", "Share confirmed"],
            rows=by_source,
            summary="Where signers came from (a link's ?source=, else web or api).",
            chart=Chart("bar", x=0, series=(1, 2)),
            chart_rows=by_source[:BUSIEST],
        ),
        Table(
            key="petitions-by-referral",
            section="petitions",
            title="Signatures by referral code",
            columns=["Share code", "Signed", "Confirmed", "Share confirmed"],
            rows=by_code,
            summary=f"The {BUSIEST} share codes (signers' own links) that brought most signatures.",
            chart=Chart("bar", x=0, series=(1, 2)),
        ),
        Table(
            key="petitions-funnel",
            section="petitions",
            title="From page view to confirmed signature",
            columns=["Step", "People", "Share of page views"],
            rows=funnel,
            summary=f"The last {DAYS} days.",
            chart=Chart("bar", x=0, series=(1,)),
        ),
    ]


# Events ------------------------------------------------------------------------------


def event_tables(campaign: Campaign) -> list[Table]:
    """Signed up, confirmed and attended, by event kind and by where the sign-up came from,
    over the campaign's events (two queries)."""
    rsvps = RSVP.objects.filter(shift__event__campaign=campaign)
    funnel = {
        "signed_up": Count("pk", filter=SIGNED_UP),
        "confirmed": Count("pk", filter=CONFIRMED),
        "attended": Count("pk", filter=ATTENDED),
    }
    kinds = dict(Event.Kind.choices)
    by_kind = [
        [kinds.get(kind, kind), up, confirmed, attended, _share(attended, up)]
        for kind, up, confirmed, attended in rsvps.values_list("shift__event__kind")
        .annotate(**funnel)
        .order_by("-signed_up", "shift__event__kind")
    ]
    by_source = [
        [source or "(none)", up, confirmed, attended, _share(attended, up)]
        for source, up, confirmed, attended in rsvps.values_list("source")
        .annotate(**funnel)
        .order_by("-signed_up", "source")[:BUSIEST]
    ]
    columns = ["Signed up", "Confirmed", "Attended", "Share attended"]
    explained = (
        "Signed up: confirmed their email (a place or the waiting list); confirmed: said the "
        "day before they were still coming; attended: checked in."
    )
    return [
        Table(
            key="events-by-kind",
            section="events",
            title="Events: from sign-up to attendance, by kind",
            columns=["Kind", *columns],
            rows=by_kind,
            summary=explained,
            chart=Chart("bar", x=0, series=(1, 2, 3)),
        ),
        Table(
            key="events-by-source",
            section="events",
            title="Events: from sign-up to attendance, by referrer",
            columns=["Referrer", *columns],
            rows=by_source,
            summary=(
                f"The {BUSIEST} busiest referrers: a shared link's ?source= or ?ref=, else "
                "web or api."
            ),
            chart=Chart("bar", x=0, series=(1, 2, 3)),
        ),
    ]


# Volunteers --------------------------------------------------------------------------


def volunteer_tables(window: Window) -> list[Table]:
    """Sign-ups per day, volunteers by skill and level, and by region with how many were
    active in the last 30 days (four queries). Volunteers are the platform's, not one
    campaign's."""
    since = window.since(DAYS)
    per_day = dict(
        VolunteerProfile.objects.filter(created_at__gte=since)
        .annotate(day=_day())
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    day_rows = [[day.isoformat(), per_day.get(day, 0)] for day in window.days(DAYS)]
    levels = {}
    for skill, level, n in (
        VolunteerSkill.objects.values_list("skill__name", "level")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        levels.setdefault(skill, [0, 0, 0])[level - 1] = n
    by_skill = sorted(
        ([skill, *counts, sum(counts)] for skill, counts in levels.items()),
        key=lambda row: (-row[-1], row[0]),
    )
    active = Q(user__supporter__last_active_at__gte=since)
    by_region = [
        [region or "(unknown)", n, a]
        for region, n, a in VolunteerProfile.objects.values_list("region")
        .annotate(n=Count("pk"), a=Count("pk", filter=active))
        .order_by("-n", "region")
    ]
    total = sum(row[1] for row in by_region)
    active_n = sum(row[2] for row in by_region)
    return [
        Table(
            key="volunteers-per-day",
            section="volunteers",
            title="Volunteer sign-ups per day",
            columns=["Day", "Sign-ups"],
            rows=day_rows,
            summary=(
                f"{total} volunteers, {active_n} of them active in the last {DAYS} days; "
                f"{sum(row[1] for row in day_rows)} signed up in that time."
            ),
            chart=Chart("line", x=0, series=(1,)),
        ),
        Table(
            key="volunteers-by-skill",
            section="volunteers",
            title="Volunteers by skill",
            columns=["Skill", "Learning", "Practised", "Can lead", "All"],
            rows=by_skill,
            summary="How many volunteers say they have each skill, at each level.",
            chart=Chart("stacked", x=0, series=(1, 2, 3)),
        ),
        Table(
            key="volunteers-by-region",
            section="volunteers",
            title="Volunteers by region",
            columns=["Region", "Volunteers", f"Active in {DAYS} days"],
            rows=by_region,
            summary="Active: took an action (signed, wrote, pledged, signed up) in that time.",
            chart=Chart("bar", x=0, series=(1, 2)),
        ),
    ]


# Email -------------------------------------------------------------------------------


def email_table(window: Window) -> Table:
    """Every mass email sent in the last 90 days with what became of it (one query): the
    complaint rate against the 0.3% that big mailbox providers tolerate."""
    messages = messages_with_progress(
        ScheduledMessage.objects.filter(
            state__in=[ScheduledMessage.State.SENDING, ScheduledMessage.State.SENT],
            send_at__gte=window.since(EMAIL_DAYS),
        ).order_by("send_at", "pk")
    )
    rows = []
    for m in messages:
        rate = _share(m.complained, m.sent)
        rows.append(
            [
                f"{timezone.localtime(m.send_at):%Y-%m-%d %H:%M} {m.subject}",
                m.recipients,
                m.sent,
                m.delivered,
                m.bounced,
                m.complained,
                m.unsubscribed,
                m.unsubscribed_skipped,
                rate,
                "over" if rate is not None and rate > COMPLAINT_LIMIT else "",
            ]
        )
    over = sum(1 for row in rows if row[-1])
    return Table(
        key="email",
        section="email",
        title="Mass email: delivery, bounces and complaints",
        columns=[
            "Message",
            "Recipients",
            "Sent",
            "Delivered",
            "Bounced",
            "Complained",
            "Unsubscribed",
            "Skipped: unsubscribed before",
            "Complaint rate",
            "Over 0.3%",
        ],
        rows=rows,
        summary=(
            f"{len(rows)} messages sent in {EMAIL_DAYS} days; {over} over the 0.3% complaint "
            "rate that big mailbox providers tolerate (complaints per email sent)."
        ),
        chart=Chart(
            "line", x=0, series=(8,), lines=(("0.3% limit", COMPLAINT_LIMIT),), percent=True
        ),
    )


# Abuse -------------------------------------------------------------------------------


def abuse_tables(campaign: Campaign, window: Window) -> list[Table]:
    """The busiest IP hashes across petitions and letters and the busiest email domains of
    signers in the last 7 days, and what waits for review (four queries)."""
    since = window.since(ABUSE_DAYS)
    signatures = Signature.objects.filter(petition__campaign=campaign, created_at__gte=since)
    letters = Letter.objects.filter(letter_campaign__campaign=campaign, created_at__gte=since)
    suspect = SIGNATURE_STATES["suspect"]
    by_ip: dict[str, list] = {}
    for ip, n, s in (
        signatures.exclude(ip_hash="")
        .values_list("ip_hash")
        .annotate(n=Count("pk"), s=Count("pk", filter=suspect))
        .order_by("-n", "ip_hash")[:BUSIEST]
    ):
        by_ip[ip] = [ip[:12], n, s, 0, 0]
    held = Q(state=Letter.State.HELD_FOR_REVIEW)
    for ip, n, h in (
        letters.exclude(ip_hash="")
        .values_list("ip_hash")
        .annotate(n=Count("pk"), h=Count("pk", filter=held))
        .order_by("-n", "ip_hash")[:BUSIEST]
    ):
        by_ip.setdefault(ip, [ip[:12], 0, 0, 0, 0])[3:] = [n, h]
    ip_rows = sorted(by_ip.values(), key=lambda row: (-(row[1] + row[3]), row[0]))[:BUSIEST]
    domain_rows = [
        [domain, n, s, i]
        for domain, n, s, i in signatures.values_list("email_domain")
        .annotate(
            n=Count("pk"),
            s=Count("pk", filter=suspect),
            i=Count("pk", filter=SIGNATURE_STATES["invalidated"]),
        )
        .order_by("-n", "email_domain")[:BUSIEST]
    ]
    waiting_signatures = Signature.objects.filter(suspect, petition__campaign=campaign).count()
    waiting_letters = Letter.objects.filter(held, letter_campaign__campaign=campaign).count()
    return [
        Table(
            key="abuse-ip-hashes",
            section="abuse",
            title="Busiest networks (IP hashes)",
            columns=["IP hash", "Signatures", "Suspect", "Letters", "Held"],
            rows=ip_rows,
            summary=(
                f"The last {ABUSE_DAYS} days, petitions and letters together; the hash is "
                "keyed, so it names a network without storing its address."
            ),
            chart=Chart("stacked", x=0, series=(1, 3)),
        ),
        Table(
            key="abuse-email-domains",
            section="abuse",
            title="Busiest email domains of signers",
            columns=["Domain", "Signatures", "Suspect", "Invalidated"],
            rows=domain_rows,
            summary=f"The last {ABUSE_DAYS} days (letters keep no domain of their own).",
            chart=Chart("bar", x=0, series=(1, 2)),
        ),
        Table(
            key="abuse-waiting",
            section="abuse",
            title="Waiting for review",
            columns=["What", "How many"],
            rows=[
                ["Suspect signatures", waiting_signatures],
                ["Letters held for review", waiting_letters],
            ],
            summary="Review them in the admin: suspect signatures and held letters.",
        ),
    ]
