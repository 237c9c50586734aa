"""Reads about people used by more than one caller: consent history, the volunteer
directory."""

from collections.abc import Iterator
from itertools import groupby

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from core.cells import spreadsheet_safe
from volunteers.models import ConsentRecord, Supporter, VolunteerProfile, VolunteerSkill


def live_consents(supporter: Supporter | None) -> set[str]:
    """The purposes the person has consent given for now (none without a record)."""
    if supporter is None:
        return set()
    return set(
        supporter.consents.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True)
    )


def consent_history(supporter: Supporter) -> list[tuple[str, list[ConsentRecord]]]:
    """[(purpose label, its records oldest first)] for every purpose the person has
    given consent for: each record is one giving, with the words agreed to, where and
    when, and when it was withdrawn. One query."""
    labels = dict(ConsentRecord.Purpose.choices)
    records = supporter.consents.order_by("purpose", "given_at", "pk")
    return [
        (labels.get(purpose, purpose), list(group))
        for purpose, group in groupby(records, key=lambda record: record.purpose)
    ]


def volunteer_directory(
    *,
    skill: str = "",
    min_level: int | None = None,
    region: str = "",
    constituency_code: str = "",
    available: tuple[str, ...] = (),
    active_since=None,
    tag: str = "",
    team: str = "",
) -> QuerySet[VolunteerProfile]:
    """Volunteers for organisers (the admin's directory, its CSV and GET /api/v1/volunteers/),
    newest first, with what a row shows: account, supporter record (last activity),
    skills, tags and teams. Filters: a skill's slug (at `min_level` or above), region,
    constituency ONS code, availability (any of weekday_daytime, weekday_evenings,
    weekends, each required), active since a time, a tag's or a team's name. Four
    queries for any page, however many volunteers."""
    volunteers = VolunteerProfile.objects.select_related("user", "user__supporter")
    if skill:
        having = VolunteerSkill.objects.filter(volunteer=OuterRef("pk"), skill__slug=skill)
        if min_level:
            having = having.filter(level__gte=min_level)
        volunteers = volunteers.filter(Exists(having))
    if region:
        volunteers = volunteers.filter(region=region)
    if constituency_code:
        volunteers = volunteers.filter(constituency_code=constituency_code)
    for when in available:
        volunteers = volunteers.filter(**{when: True})
    if active_since is not None:
        volunteers = volunteers.filter(user__supporter__last_active_at__gte=active_since)
    if tag:
        volunteers = volunteers.filter(tags__name=tag)
    if team:
        volunteers = volunteers.filter(teams__name=team)
    return volunteers.prefetch_related(
        Prefetch("skills", queryset=VolunteerSkill.objects.select_related("skill")),
        "tags",
        "teams",
    ).order_by("-created_at", "-pk")


AVAILABILITY = ("weekday_daytime", "weekday_evenings", "weekends")

CSV_HEADER = [
    "name",
    "email",
    "phone",
    "postcode",
    "constituency",
    "constituency code",
    "region",
    "skills",
    "weekday daytime",
    "weekday evenings",
    "weekends",
    "hours a week",
    "tags",
    "teams",
    "last active",
    "joined",
]


def volunteer_rows(volunteers) -> Iterator[list]:
    """The directory as CSV rows (CSV_HEADER first), each cell safe to open in a
    spreadsheet (core.cells.spreadsheet_safe)."""
    yield CSV_HEADER
    for profile in volunteers:
        supporter = getattr(profile.user, "supporter", None)
        last_active = supporter.last_active_at if supporter is not None else None
        yield [
            spreadsheet_safe(str(value))
            for value in (
                profile.user.name,
                profile.user.email,
                profile.phone,
                profile.postcode,
                profile.constituency_name,
                profile.constituency_code,
                profile.region,
                "; ".join(str(entry) for entry in profile.skills.all()),
                _yes(profile.weekday_daytime),
                _yes(profile.weekday_evenings),
                _yes(profile.weekends),
                profile.hours_per_week if profile.hours_per_week is not None else "",
                "; ".join(tag.name for tag in profile.tags.all()),
                "; ".join(team.name for team in profile.teams.all()),
                last_active.isoformat(timespec="minutes") if last_active else "",
                profile.created_at.date().isoformat(),
            )
        ]


def _yes(value: bool) -> str:
    return "yes" if value else ""
