"""The API's request throttle: signed-in users by account at the "user" rate, everyone
else by client address at the "anon" rate (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES).

A module of its own: DRF imports the throttle classes while rest_framework.views loads,
so this must not import anything that imports views.
"""

from rest_framework import throttling

from core.ratelimit import window_counts


class RequestRateThrottle(throttling.SimpleRateThrottle):
    """DRF's anon and user throttles as one, counted in a fixed window (core.ratelimit).

    DRF's own pair counts an anonymous request twice and keeps each client's history as a
    pickled list of timestamps, read and written back on every request: four cache round
    trips. This is one, and answers 429 with Retry-After when the window is full.
    """

    def __init__(self):
        self.seconds_left = None

    def allow_request(self, request, view):
        signed_in = bool(request.user and request.user.is_authenticated)
        self.scope = "user" if signed_in else "anon"
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        ident = request.user.pk if signed_in else self.get_ident(request)
        [(count, self.seconds_left)] = window_counts(
            [(f"throttle:{self.scope}:{ident}", self.duration)]
        )
        return count <= self.num_requests

    def wait(self):
        return self.seconds_left
