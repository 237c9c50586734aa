"""What the campaign has going on in a seat (its events, for now), for pages about seats
such as the nearest marginal seats. Apps that hold such things register a provider here
in their AppConfig.ready(); targets never imports them."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class LocalLink:
    kind: str  # "event"
    title: str
    url: str
    starts_at: datetime | None = None


_providers: dict[str, Callable] = {}


def register(name: str, provider: Callable) -> None:
    """provider(constituency_codes) -> {code: [LocalLink]}; a fixed number of queries."""
    _providers[name] = provider


def local_links(codes: list[str]) -> dict[str, list[LocalLink]]:
    found: dict[str, list[LocalLink]] = {code: [] for code in codes}
    for provider in _providers.values():
        for code, links in provider(codes).items():
            found.setdefault(code, []).extend(links)
    return found
