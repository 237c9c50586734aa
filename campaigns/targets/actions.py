"""The actions a campaign offers against its targets (sign a petition, write a letter...).

Action apps depend on targets, never the other way round, so each registers a provider
here in its AppConfig.ready(); the tally page and the API ask campaign_actions() and link
to whatever is open, without knowing the apps.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionLink:
    kind: str  # "petition", ...
    label: str
    url: str
    target_ids: frozenset[int] | None = None  # None: aimed at the whole campaign

    def is_aimed_at(self, target_id: int) -> bool:
        return self.target_ids is None or target_id in self.target_ids


_providers: dict[str, Callable] = {}


def register(kind: str, provider: Callable) -> None:
    """provider(campaign) -> list[ActionLink]; it should run a fixed number of queries."""
    _providers[kind] = provider


def campaign_actions(campaign) -> list[ActionLink]:
    return [link for provider in _providers.values() for link in provider(campaign)]
