"""Fixed-window counters in the cache, for the API throttle (core/throttling.py), the
petitions' anti-abuse limits and the caps on account email.

A window opens with its first event and lasts its number of seconds; each event adds one.
On Redis (django-redis, as production runs) every counter of a request is counted in one
round trip by a Lua script; other caches (memory, in development and tests) count them one
by one with add and incr.
"""

import hashlib
from collections.abc import Iterable

from django.core.cache import caches
from django_redis.cache import RedisCache

# For each (key, window): SET key 0 EX window NX opens the window if none is open, INCR
# counts the event (keeping the expiry) and TTL says how long the window has left. Redis
# runs a script atomically, so a window cannot expire between the SET and the INCR, which
# would leave a counter with no expiry.
_COUNT_IN_WINDOWS = """
local replies = {}
for i, key in ipairs(KEYS) do
    redis.call('SET', key, 0, 'EX', ARGV[i], 'NX')
    replies[#replies + 1] = redis.call('INCR', key)
    replies[#replies + 1] = redis.call('TTL', key)
end
return replies
"""

# One registered script per Redis client (django-redis keeps one client per server).
_scripts: dict[object, object] = {}


def window_counts(
    counters: Iterable[tuple[str, int]], *, alias: str = "default"
) -> list[tuple[int, int]]:
    """Count one event against each (key, window seconds); for each, the count so far in
    its window and the seconds until that window closes (at most the window)."""
    counters = list(counters)
    if not counters:
        return []
    cache = caches[alias]
    if isinstance(cache, RedisCache):
        return _redis_counts(cache, counters)
    return [(_count(cache, key, window), window) for key, window in counters]


def limits_exceeded(checks, *, prefix: str) -> set[str]:
    """Count one event against each check (kind, value, (limit, window seconds)) and say
    which kinds are over a limit, e.g. {"ip"}. Every check is counted even when an earlier
    one is already over, so a burst keeps the sustained counters honest; all of them in one
    round trip on Redis. Keys are `prefix:kind:value:window`."""
    checks = list(checks)
    counts = window_counts(
        (f"{prefix}:{kind}:{value}:{window}", window) for kind, value, (_, window) in checks
    )
    return {
        kind
        for (kind, _, (limit, _)), (count, _) in zip(checks, counts, strict=True)
        if count > limit
    }


def within_caps(keys, limit: tuple[int, int]) -> list[bool]:
    """Count one event (such as an email sent) against each key under one cap (count,
    window seconds); for each, whether it is still within the cap. One round trip."""
    count, window = limit
    return [n <= count for n, _ in window_counts((key, window) for key in keys)]


def within_cap_for(kind: str, value: str, limit: tuple[int, int]) -> bool:
    """Count one event (such as a confirmation email to an address) against the cap of
    one value of a kind; whether it is still within the cap. The cache holds a hash of the
    value, never the value: keys are `kind:<sha256 prefix>`."""
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    [allowed] = within_caps([f"{kind}:{digest}"], limit)
    return allowed


def _redis_counts(cache: RedisCache, counters) -> list[tuple[int, int]]:
    client = cache.client.get_client(write=True)
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_COUNT_IN_WINDOWS)
    replies = script(
        keys=[cache.make_and_validate_key(key) for key, _ in counters],
        args=[window for _, window in counters],
    )
    counts, ttls = replies[0::2], replies[1::2]
    return [(count, max(ttl, 0)) for count, ttl in zip(counts, ttls, strict=True)]


def _count(cache, key: str, window: int) -> int:
    # incr keeps the expiry that add set, in memory as in Redis.
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this event opens a new window
        cache.add(key, 1, timeout=window)
        return 1


# INCR a counter (giving it an expiry when this opens it) and GET another key, atomically.
_INCREMENT_AND_READ = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('GET', KEYS[2])}
"""


def increment_and_read(
    counter_key: str, read_key: str, *, ttl: int, alias: str = "default"
) -> tuple[int, int | None]:
    """Add one to a counter (opened with `ttl` seconds) and read an integer kept under
    another key (None if absent): one round trip on Redis, for a hot path that needs a
    number and a freshness check together. Other caches: incr, then get."""
    cache = caches[alias]
    if not isinstance(cache, RedisCache):
        if not cache.add(counter_key, 1, timeout=ttl):
            try:
                number = cache.incr(counter_key)
            except ValueError:
                cache.add(counter_key, 0, timeout=ttl)
                number = cache.incr(counter_key)
        else:
            number = 1
        value = cache.get(read_key)
        return number, value if isinstance(value, int) else None
    client = cache.client.get_client(write=True)
    key = ("increment_and_read", id(client))
    script = _scripts.get(key)
    if script is None:
        script = _scripts[key] = client.register_script(_INCREMENT_AND_READ)
    number, raw = script(
        keys=[cache.make_and_validate_key(counter_key), cache.make_and_validate_key(read_key)],
        args=[ttl],
    )
    try:
        return int(number), int(raw) if raw is not None else None
    except ValueError:  # not an integer (written by something else): as if absent
        return int(number), None
