"""The API's request throttle: signed-in users by account at the "user" rate, everyone
else by client address at the "anon" rate (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES), and
on top of that, for a view that names a `throttle_scope` (signing, letters, pledges,
RSVPs, reported actions), that scope's stricter rate for the same caller.

A module of its own: DRF imports the throttle classes while rest_framework.views loads,
so this must not import anything that imports views.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling

from core.ratelimit import window_counts


class RequestRateThrottle(throttling.SimpleRateThrottle):
    """DRF's anon, user and scoped throttles as one, counted in fixed windows
    (core.ratelimit).

    DRF's own classes count an anonymous request more than once and keep each client's
    history as a pickled list of timestamps, read and written back on every request: four
    cache round trips or more. This is one for all of a request's counters, and answers
    429 with Retry-After (the time until the fullest window closes) when any is full.
    """

    def __init__(self):
        self.seconds_left = None

    def allow_request(self, request, view):
        signed_in = bool(request.user and request.user.is_authenticated)
        ident = request.user.pk if signed_in else self.get_ident(request)
        scopes = ["user" if signed_in else "anon"]
        view_scope = getattr(view, "throttle_scope", None)
        if view_scope and request.method not in ("GET", "HEAD", "OPTIONS"):
            scopes.append(view_scope)
        limits = []
        for scope in scopes:
            rate = self.THROTTLE_RATES.get(scope)
            if rate is None and scope == view_scope:
                raise ImproperlyConfigured(f"DEFAULT_THROTTLE_RATES has no rate for {scope!r}.")
            if rate is not None:
                limits.append((scope, *self.parse_rate(rate)))
        if not limits:
            return True
        counts = window_counts(
            (f"throttle:{scope}:{ident}", duration) for scope, _, duration in limits
        )
        over = [
            seconds_left
            for (_, allowed, _), (count, seconds_left) in zip(limits, counts, strict=True)
            if count > allowed
        ]
        self.seconds_left = max(over) if over else None
        return not over

    def wait(self):
        return self.seconds_left
