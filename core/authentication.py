"""How the API knows who is calling: allauth's session token, strictly.

Mobile apps sign in through allauth's headless API and send the token it gives them in
the X-Session-Token header (the web pages' own requests use the session cookie, which
SessionAuthentication reads next). allauth's class treats a token it does not know as no
token at all; here a token that is not (or no longer) valid is a 401, so an app learns
at once that it must sign in again rather than being served as a stranger. Every 401
names the scheme in WWW-Authenticate, as HTTP requires.
"""

from allauth.headless.contrib.rest_framework.authentication import (
    XSessionTokenAuthentication,
)
from rest_framework.exceptions import AuthenticationFailed

SCHEME = 'X-Session-Token realm="api"'


class SessionTokenAuthentication(XSessionTokenAuthentication):
    def authenticate(self, request):
        token = self.get_session_token(request)
        if token is None:
            return None
        found = super().authenticate(request)
        if found is None:
            raise AuthenticationFailed(
                "This session token signs nobody in (signed out, expired, or sign-in not "
                "finished): sign in again."
            )
        return found

    def authenticate_header(self, request):
        return SCHEME
