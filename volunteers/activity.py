"""What a person can do next, and what they have done: the registry behind /me/ and
GET /api/v1/me/next-actions/ and /api/v1/me/actions/.

volunteers imports no campaign app, so each app that offers actions (petitions, letters,
storms, events) registers one ActivityProvider in its AppConfig.ready(): given a Person it
returns their next useful actions in that app (never one they have already taken) and
their history there. Each provider should run a fixed number of queries however much
the person has done.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from volunteers.models import Supporter, VolunteerProfile


@dataclass(frozen=True)
class Person:
    """Who is asking, and what suggestions are matched on: where they are (their
    volunteer profile's place, else their latest postcode's constituency) and their
    skills."""

    supporter: Supporter
    profile: VolunteerProfile | None
    constituency_code: str
    latitude: float | None = None
    longitude: float | None = None
    skill_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, supporter: Supporter) -> "Person":
        profile = None
        if supporter.user_id is not None:
            profile = (
                VolunteerProfile.objects.filter(user_id=supporter.user_id)
                .prefetch_related("skills")
                .first()
            )
        if profile is None:
            return cls(
                supporter=supporter, profile=None, constituency_code=supporter.constituency_code
            )
        return cls(
            supporter=supporter,
            profile=profile,
            constituency_code=profile.constituency_code,
            latitude=profile.latitude,
            longitude=profile.longitude,
            skill_ids=frozenset(entry.skill_id for entry in profile.skills.all()),
        )


@dataclass(frozen=True, kw_only=True)
class NextAction:
    kind: str  # "letter", "storm", "event", "petition", "brief"
    title: str
    why: str  # one line: why it suits them ("Your MP, Jo Smith, is undecided")
    url: str  # a path on this site
    due_at: datetime | None = None  # when it happens or closes: the soonest come first


@dataclass(frozen=True, kw_only=True)
class DoneAction:
    kind: str  # "signature", "letter", "pledge", "rsvp", "submission"
    title: str
    state: str  # as the person reads it: "Confirmed", "Sent", "Waiting list"
    at: datetime
    url: str = ""


@dataclass(frozen=True)
class ActivityProvider:
    name: str
    next_actions: Callable[[Person], list[NextAction]]
    history: Callable[[Supporter], list[DoneAction]]
    order: int = field(default=50)  # where its suggestions rank when due at the same time


_providers: dict[str, ActivityProvider] = {}


def register(provider: ActivityProvider) -> None:
    _providers[provider.name] = provider


def providers() -> list[ActivityProvider]:
    return sorted(_providers.values(), key=lambda provider: provider.order)


def next_actions(person: Person) -> list[NextAction]:
    """Every provider's suggestions, in provider order (a letter to an undecided MP
    first, as the most direct pressure), the soonest due first within each."""
    far = timezone.now().replace(year=9999)
    return [
        action
        for provider in providers()
        for action in sorted(provider.next_actions(person), key=lambda a: a.due_at or far)
    ]


def history(supporter: Supporter) -> list[DoneAction]:
    """Everything the person has done, newest first."""
    done = [action for provider in providers() for action in provider.history(supporter)]
    return sorted(done, key=lambda action: action.at, reverse=True)
