"""Fixed-window counters in the cache, for the API throttle (config/api.py) and the
petitions' anti-abuse limits (campaigns/petitions/abuse.py).

A window opens with its first event and lasts its number of seconds; each event adds one.
With Redis (config/cache.py) every counter of a request is counted in one round trip;
other caches (memory, in development and tests) count them one by one.
"""

from collections.abc import Iterable

from django.core.cache import caches


def window_counts(counters: Iterable[tuple[str, int]]) -> list[tuple[int, int]]:
    """Count one event against each (key, window seconds); for each, the count so far in
    its window and the seconds until that window closes (at most the window)."""
    counters = list(counters)
    cache = caches["default"]
    if hasattr(cache, "count_in_windows"):
        return cache.count_in_windows(counters)
    return [(_count(cache, key, window), window) for key, window in counters]


def _count(cache, key: str, window: int) -> int:
    # incr keeps the expiry that add set, in Redis and in memory alike.
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this event opens a new window
        cache.add(key, 1, timeout=window)
        return 1
