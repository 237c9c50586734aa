"""A storm's first minute is made of apps asking for their hand-out. This middleware, just
after the security and static-file middleware, answers `GET /api/v1/storms/<id>/assignment/`
from a client with nobody to recognise (no cookie, no Authorization or X-Session-Token
header) straight from the cache, without sessions, CSRF, messages, allauth or the CSP
header (a JSON answer to an app needs none of them); anything else, including every error,
goes on to the view (api.StormAssignment) as usual."""

import re

ASSIGNMENT_PATH = re.compile(r"^/api/v1/storms/(\d+)/assignment/$")


class StormHandOutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and not request.COOKIES:
            match = ASSIGNMENT_PATH.match(request.path_info)
            headers = request.headers
            if match and "Authorization" not in headers and "X-Session-Token" not in headers:
                from campaigns.storms.api import anonymous_assignment

                response = anonymous_assignment(int(match.group(1)))
                if response is not None:
                    return response
        return self.get_response(request)
