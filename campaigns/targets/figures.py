"""Figures shown beside each target (letters sent, reply rate...), from apps above targets.

Targets may not import the apps that act on them, so each registers a provider here in its
AppConfig.ready(); the tally page and the target API call target_figures() once per page
and show whatever came back, without knowing the apps. A provider is
provider(campaign, target_ids) -> {target id: {key: Figure}}: it must run a fixed number
of queries however many ids it is given, and may leave out targets it has nothing for.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    label: str  # "Letters sent"
    value: int | float | None  # what the API gives; None: not enough to show yet
    display: str = ""  # what the page shows, if not the value itself ("40% of 12")

    def __str__(self):
        return self.display or ("" if self.value is None else str(self.value))


_providers: dict[str, Callable] = {}


def register(name: str, provider: Callable) -> None:
    """Register (or replace) the provider called `name`."""
    _providers[name] = provider


def target_figures(campaign, target_ids: Iterable[int]) -> dict[int, dict[str, Figure]]:
    """{target id: {key: Figure}} from every registered provider, each called once."""
    ids = list(target_ids)
    found: dict[int, dict[str, Figure]] = {}
    if not ids:
        return found
    for provider in _providers.values():
        for target_id, figures in provider(campaign, ids).items():
            found.setdefault(target_id, {}).update(figures)
    return found
