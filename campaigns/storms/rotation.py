"""Handing out targets and angles in rotation, evenly and without a hot row.

Every hand-out takes the next number of the storm's counter (one atomic INCR in the cache:
Redis in production, so no database row is contended). Number n picks:

- the target: the storm's active targets laid out in slots by effective weight (W slots
  in all), and slot (n * m) mod W, with m coprime to W, so consecutive numbers spread
  across the targets and every W consecutive numbers give each target exactly its weight;
- the angle: n mod (number of angles), and its starter post by the round.

A target whose status reaches one of the storm's goal statuses is not among the active
targets from that moment (the slots are read from the database each time), so it gets no
further hand-outs.
"""

import bisect
import math
from dataclasses import dataclass
from itertools import accumulate

from django.core.cache import cache

COUNTER_KEY = "storms:rotation:{storm_id}"
COUNTER_TTL = 60 * 60 * 24 * 30  # a storm's counter outlives any storm by far


@dataclass(frozen=True)
class Slot:
    storm_target_id: int
    weight: int  # effective: the storm's weight times the status factor


def next_number(storm_id: int) -> int:
    """The storm's next hand-out number, from 1: atomic across processes on Redis, and one
    round trip once the counter exists."""
    key = COUNTER_KEY.format(storm_id=storm_id)
    try:
        return cache.incr(key)
    except ValueError:  # not there yet (or expired): start it, unless another just did
        cache.add(key, 0, timeout=COUNTER_TTL)
        return cache.incr(key)


def _stride(total: int) -> int:
    """A step coprime with total near its golden section, so slot order interleaves."""
    step = max(1, round(total * 0.618))
    while math.gcd(step, total) != 1:
        step += 1
    return step


def pick(slots: list[Slot], number: int) -> Slot | None:
    """The slot for hand-out `number`: each slot gets exactly its weight in every run of
    sum(weights) consecutive numbers. None when there are no slots."""
    if not slots:
        return None
    bounds = list(accumulate(slot.weight for slot in slots))
    total = bounds[-1]
    position = (number * _stride(total)) % total
    return slots[bisect.bisect_right(bounds, position)]
