"""Every route of the URL resolver, for the tests that walk them all (public views, the
API's access matrix, idempotent creates, synced lists, throttle scopes): a route added
later is then covered, or named, without anyone remembering to."""

from collections.abc import Iterator
from typing import NamedTuple

from django.urls import URLPattern, URLResolver, get_resolver


class Route(NamedTuple):
    route: str  # as written, with its converters ("api/v1/events/<int:pk>/")
    name: str  # namespaced ("api:event-detail"), "" for none
    view: object  # the view class for a class-based view, else the function


def routes(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            view = getattr(pattern.callback, "cls", None) or pattern.callback
            yield Route(prefix + str(pattern.pattern), name or "", view)


def api_views(prefix: str = "api/v1/") -> dict[str, type]:
    """The class-based views under `prefix`, by class name."""
    return {
        route.view.__name__: route.view
        for route in routes()
        if route.route.lstrip("^").startswith(prefix) and isinstance(route.view, type)
    }
