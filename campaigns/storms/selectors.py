"""Reads of storms used by more than one caller: the published storms, the rotation's
active targets, each target's handle on each network, and the counts."""

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncMinute
from django.utils import timezone

from campaigns.storms import fits
from campaigns.storms.models import Angle, Pledge, Report, StormTarget, Twitterstorm
from campaigns.storms.rotation import Slot


def published_storms() -> QuerySet[Twitterstorm]:
    return Twitterstorm.objects.filter(
        is_published=True, campaign__is_published=True
    ).select_related("campaign")


STORM_KEY = "storms:storm:{storm_id}"
STORM_SLUG_KEY = "storms:storm-slug:{slug}"


def published_storm(*, pk: int | None = None, slug: str | None = None) -> Twitterstorm | None:
    """A published storm by id or slug, from the cache when it is there (a storm's page and
    hand-outs are asked for thousands of times in its first minute); forgotten with its
    snapshot whenever it, or its campaign, changes. Nothing is cached for a storm not
    found."""
    if slug is not None:
        slug_key = STORM_SLUG_KEY.format(slug=slug)
        pk = cache.get(slug_key)
        if pk is None:
            pk = Twitterstorm.objects.filter(slug=slug).values_list("pk", flat=True).first()
            if pk is None:
                return None
            cache.set(slug_key, pk, SNAPSHOT_TTL)
    key = STORM_KEY.format(storm_id=pk)
    storm = cache.get(key)
    if storm is None:
        storm = published_storms().filter(pk=pk).first()
        if storm is None:
            return None
        cache.set(key, storm, SNAPSHOT_TTL)
    if slug is not None and storm.slug != slug:  # renamed since
        cache.delete(STORM_SLUG_KEY.format(slug=slug))
        return None
    return storm


def published_storm_and_snapshot(pk: int) -> tuple[Twitterstorm | None, "Snapshot | None"]:
    """A published storm by id and its snapshot, in one round trip to the cache when both
    are there (the hand-out's hot path)."""
    keys = [STORM_KEY.format(storm_id=pk), SNAPSHOT_KEY.format(storm_id=pk)]
    found = cache.get_many(keys)
    storm = found.get(keys[0]) or published_storm(pk=pk)
    if storm is None:
        return None, None
    return storm, storm_snapshot(storm, cached=found.get(keys[1]))


def active_slots(storm: Twitterstorm) -> list[Slot]:
    """The storm's targets still in rotation, with their effective weights."""
    return list(storm_snapshot(storm).slots)


@dataclass(frozen=True)
class AngleBrief:
    id: int
    prompt: str
    starters: tuple[str, ...]


@dataclass(frozen=True)
class TargetBrief:
    storm_target_id: int
    name: str
    mentions: dict[str, str]


@dataclass(frozen=True)
class Snapshot:
    """What hand-outs need of a storm, kept in the cache so a hand-out reads no table:
    its angles, its targets still in rotation (status not one of its goal statuses) with
    their effective weights (weight x STORM_STATUS_WEIGHTS of their status), and every
    target's name and mentions."""

    angles: tuple[AngleBrief, ...]
    slots: tuple[Slot, ...]
    targets: dict[int, TargetBrief]
    version: int = 0  # when it was read: a new one whenever something changed


SNAPSHOT_KEY = "storms:snapshot:{storm_id}"
VERSION_KEY = "storms:snapshot-version:{storm_id}"  # the cached snapshot's version, an int
SNAPSHOT_TTL = 300  # seconds; every change that matters forgets it at once (apps.py)


def storm_snapshot(storm: Twitterstorm, *, cached: Snapshot | None = None) -> Snapshot:
    """The storm's snapshot from the cache (or `cached`, already fetched), or read (two
    queries) and cached."""
    key = SNAPSHOT_KEY.format(storm_id=storm.pk)
    found = cached if cached is not None else cache.get(key)
    if found is not None:
        return found
    angles = tuple(
        AngleBrief(angle.pk, angle.prompt, tuple(angle.starters))
        for angle in Angle.objects.filter(storm=storm).order_by("pk")
    )
    factors = settings.STORM_STATUS_WEIGHTS
    goals = set(storm.goal_statuses or [])
    slots, targets = [], {}
    rows = (
        StormTarget.objects.filter(storm=storm)
        .select_related("target__representative", "target__organisation")
        .order_by("pk")
    )
    for row in rows:
        status = row.target.status
        if status not in goals:
            slots.append(Slot(row.pk, row.weight * factors.get(status, 1)))
        targets[row.pk] = TargetBrief(row.pk, row.target.name, handles(row.target))
    snapshot = Snapshot(angles=angles, slots=tuple(slots), targets=targets, version=time.time_ns())
    cache.set_many(
        {key: snapshot, VERSION_KEY.format(storm_id=storm.pk): snapshot.version}, SNAPSHOT_TTL
    )
    return snapshot


def snapshot_forget(storm_ids) -> None:
    """Forget the storms' snapshots and cached rows, now and again when the transaction
    commits (so one rebuilt meanwhile from what was then committed does not outlive the
    change)."""
    storm_ids = set(storm_ids)
    keys = [SNAPSHOT_KEY.format(storm_id=pk) for pk in storm_ids]
    keys += [STORM_KEY.format(storm_id=pk) for pk in storm_ids]
    keys += [VERSION_KEY.format(storm_id=pk) for pk in storm_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def _bluesky(link: str) -> str:
    """@handle from a Bluesky profile address (https://bsky.app/profile/<handle>)."""
    parts = urlsplit(link or "")
    path = parts.path.strip("/").split("/")
    if parts.netloc.endswith("bsky.app") and len(path) == 2 and path[0] == "profile":
        return f"@{path[1]}"
    return ""


def _mastodon(link: str) -> str:
    """@user@server from a Mastodon profile address (https://<server>/@<user>)."""
    parts = urlsplit(link or "")
    path = parts.path.strip("/")
    if parts.netloc and path.startswith("@") and "/" not in path and len(path) > 1:
        return f"{path}@{parts.netloc}"
    return ""


def handles(target) -> dict[str, str]:
    """A target's mention on each network it has an account on: "@name" on X, "@handle" on
    Bluesky, "@user@server" on Mastodon (from the contact's social links)."""
    contact = target.contact
    links = {k.casefold(): v for k, v in (getattr(contact, "social_links", None) or {}).items()}
    found = {
        fits.X: f"@{contact.x_handle}" if contact.x_handle else "",
        fits.BLUESKY: _bluesky(links.get("bluesky", "")),
        fits.MASTODON: _mastodon(links.get("mastodon", "")),
    }
    return {network: mention for network, mention in found.items() if mention}


@dataclass(frozen=True)
class Counts:
    pledged: int
    reported: int


def _count(queryset) -> Subquery:
    counted = queryset.filter(storm=OuterRef("pk")).order_by().values("storm")
    return Subquery(counted.annotate(n=Count("pk")).values("n"))


def storm_counts(storm_id: int) -> Counts:
    """Confirmed pledges and reports: one query (two indexed counts)."""
    row = (
        Twitterstorm.objects.filter(pk=storm_id)
        .annotate(
            pledged=_count(Pledge.objects.filter(state=Pledge.State.CONFIRMED)),
            reported=_count(Report.objects.all()),
        )
        .values("pledged", "reported")
        .first()
    ) or {}
    return Counts(pledged=row.get("pledged") or 0, reported=row.get("reported") or 0)


@dataclass(frozen=True)
class TargetResult:
    name: str
    posts: int


def storm_results(storm: Twitterstorm, *, top: int = 10) -> list[TargetResult]:
    """The targets posted at most, with their number of reports: two queries."""
    rows = (
        Report.objects.filter(storm=storm, storm_target__isnull=False)
        .values("storm_target")
        .annotate(posts=Count("pk"))
        .order_by("-posts", "storm_target")[:top]
    )
    counts = {row["storm_target"]: row["posts"] for row in rows}
    targets = StormTarget.objects.filter(pk__in=counts).select_related(
        "target__representative", "target__organisation"
    )
    named = {st.pk: st.target.name for st in targets}
    return [TargetResult(named[pk], posts) for pk, posts in counts.items() if pk in named]


def reports_per_minute(storm: Twitterstorm) -> list[dict]:
    """Reports counted per minute (UK time), oldest first: one query."""
    return list(
        Report.objects.filter(storm=storm)
        .annotate(minute=TruncMinute("created_at"))
        .values("minute")
        .annotate(reports=Count("pk"))
        .order_by("minute")
    )


def posts_per_target(storm: Twitterstorm) -> list[dict]:
    """Each target of the storm with its weight, status, confirmed pledges handed it and
    reports of posts at it, most posted at first: one query."""
    confirmed = Pledge.objects.filter(state=Pledge.State.CONFIRMED)
    rows = (
        StormTarget.objects.filter(storm=storm)
        .select_related("target__representative", "target__organisation")
        .annotate(
            pledged=_count_of(confirmed, "storm_target"),
            posts=_count_of(Report.objects.all(), "storm_target"),
        )
        .order_by("-posts", "pk")
    )
    return [
        {
            "name": row.target.name,
            "status": row.target.get_status_display(),
            "weight": row.weight,
            "pledged": row.pledged or 0,
            "posts": row.posts or 0,
        }
        for row in rows
    ]


def _count_of(queryset, field_name: str) -> Subquery:
    counted = queryset.filter(**{field_name: OuterRef("pk")}).order_by().values(field_name)
    return Subquery(counted.annotate(n=Count("pk")).values("n"))


def storm_summary(storm: Twitterstorm) -> str:
    """A few lines organisers can share once the storm is over."""
    counts = storm_counts(storm.pk)
    starts = timezone.localtime(storm.starts_at)
    ends = timezone.localtime(storm.ends_at)
    lines = [
        f"#{storm.hashtag}: {storm.title}",
        f"{starts:%A %-d %B}, {starts:%H:%M} to {ends:%H:%M} UK time, on "
        + ", ".join(fits.NETWORKS[n] for n in storm.networks)
        + ".",
        f"{counts.pledged:,} people pledged and {counts.reported:,} told us they posted, "
        "each from their own account, in their own words.",
    ]
    results = storm_results(storm, top=5)
    if results:
        lines.append(
            "Most posted at: " + "; ".join(f"{r.name} ({r.posts:,})" for r in results) + "."
        )
    return "\n".join(lines)
