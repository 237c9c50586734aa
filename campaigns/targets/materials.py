"""Share material: approved work (images, video links, words) that supporters share from a
campaign's pages and its storms' pages. Apps that make it (briefs) register a provider
here in their AppConfig.ready(); the pages ask share_material() without knowing them."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Material:
    title: str
    kind: str  # "image", "video" or "text"
    url: str = ""  # the image on this site, or the video's link
    text: str = ""
    alt: str = ""  # what an image shows, for those who cannot see it


_providers: dict[str, Callable] = {}


def register(name: str, provider: Callable) -> None:
    """provider(campaign_id, storm_id=None) -> list[Material]; a fixed number of queries."""
    _providers[name] = provider


def share_material(campaign_id: int, *, storm_id: int | None = None) -> list[Material]:
    return [m for provider in _providers.values() for m in provider(campaign_id, storm_id)]
