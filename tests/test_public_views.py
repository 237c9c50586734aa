"""Every view, API or web, that answers a signed-out visitor is on PUBLIC, with why.

The test walks the URL resolver, requests each route as a stranger (GET, then POST where
GET is not allowed) with made-up path values, and counts a route as closed when it answers
401, 403 or sends the visitor to sign in. Anything else (a page, a 404 for the made-up
object, a 400 for a missing field) means the view ran for a stranger: it must be listed
here, so a new public view is a decision someone wrote down, never an accident.

The admin site is left to tests/volunteers/test_directory.py, which walks every admin URL.
"""

import re
import uuid

import pytest

from tests.harness.urls import routes

pytestmark = pytest.mark.django_db

# Route names (namespace:name), or route prefixes ending in "/", open to strangers.
PUBLIC = {
    # The site's public pages.
    "home": "the front page",
    "favicon": "the site's icon",
    "privacy": "the privacy notice",
    "marginals": "the nearest marginal seats",
    "targets:campaign": "a campaign's tally",
    "petitions:detail": "a petition and its form to sign",
    "petitions:signed": "after signing: share links (a signed payload)",
    "petitions:confirm": "the emailed link confirming a signature (its token is the key)",
    "letters:write": "a letter campaign and its form",
    "letters:check-email": "after writing: check your email",
    "letters:held": "after writing: a letter held for its own words",
    "letters:sent-myself": "after writing: sent from your own email",
    "letters:confirm": "the emailed link confirming a letter (its token is the key)",
    "letters:reply": "the follow-up link answering whether the MP replied (its token)",
    "letters:rewrite": "the link to rewrite a held letter (its token)",
    "storms:storm": "a Twitterstorm and its pledge form",
    "storms:mastodon": "a storm's posts for Mastodon",
    "storms:confirm": "the emailed link confirming a pledge (its token)",
    "events:list": "events, near a postcode",
    "events:event": "an event and its sign-up form",
    "events:rsvp": "the emailed links confirming or cancelling an RSVP (its token)",
    "events:feed": "a campaign's events as a calendar feed",
    "events:ics": "an event as a calendar file",
    "events:check-in": "answers 404 for an unknown event before checking for its host "
    "(hosts only: tests/campaigns/events)",
    "briefs:image": "an approved brief's image (others only to its sender and organisers)",
    "organiser:unsubscribe": "the one-click unsubscribe link of every mass email (its token)",
    "volunteers:erased": "the page after deleting your own data, signed out",
    "mailgun_tracking_webhook": "the email provider's webhook, refused unless signed",
    # Signing in, signing up and getting back in (allauth, web and headless for apps).
    "accounts/": "allauth's sign-in, sign-up, email confirmation and password reset pages",
    "_allauth/": "allauth headless: config, login, signup, verification, reset, token "
    "refresh and its OpenAPI documents, for apps and browsers not yet signed in",
    # The API's public reads and the actions anyone may take (core.api conventions).
    "api:schema": "the OpenAPI schema",
    "api:docs": "the API's documentation page",
    "api-not-found": "the API's JSON 404 for any other path",
    "api:campaign-list": "campaigns",
    "api:campaign-detail": "a campaign",
    "api:campaign-target-list": "a campaign's targets and tally",
    "api:campaign-target-detail": "a target (changing its status is for organisers only)",
    "api:representative-list": "MPs",
    "api:constituency-list": "constituencies",
    "api:marginal-list": "the nearest marginal seats",
    "api:petition-list": "petitions",
    "api:petition-detail": "a petition",
    "api:petition-count": "a petition's count",
    "api:petition-sign": "signing a petition (confirmed by email)",
    "api:petition-confirm": "confirming a signature with its emailed token",
    "api:letter-campaign-list": "letter campaigns",
    "api:letter-campaign-detail": "a letter campaign",
    "api:letter-write": "writing a letter (confirmed by email)",
    "api:letter-confirm": "confirming a letter with its emailed token",
    "api:storm-list": "Twitterstorms",
    "api:storm-detail": "a storm",
    "api:storm-counts": "a storm's counts",
    "api:storm-assignment": "which target and angle to post about",
    "api:storm-pledge": "pledging to take part (confirmed by email)",
    "api:storm-pledge-confirm": "confirming a pledge with its emailed token",
    "api:storm-post-check": "checking a post's length before posting",
    "api:event-list": "events",
    "api:event-detail": "an event",
    "api:event-sign-up": "signing up for an event (confirmed by email)",
    "api:event-rsvp-confirm": "confirming an RSVP with its emailed token",
}

GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
MADE_UP = {"int": "999999", "uuid": str(uuid.UUID(int=0)), "path": "made/up"}


def url_of(route: str) -> str:
    """A URL for the route with made-up values (a regular expression's groups too)."""
    route = GROUP.sub("made-up", route).replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + CONVERTER.sub(lambda m: MADE_UP.get(m["kind"], "made-up"), route)


def closed(response) -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302) and ("/login/" in location)


def listed(route: str, name: str) -> bool:
    return name in PUBLIC or any(route.startswith(p) for p in PUBLIC if p.endswith("/"))


def unlisted_public_routes(client) -> tuple[list[str], int]:
    """Routes that answer a stranger but are not on PUBLIC, and how many were checked."""
    unlisted, checked = [], 0
    for route, name, _ in routes():
        if route.startswith("admin/"):
            continue
        url = url_of(route)
        checked += 1
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        if not closed(response) and not listed(route, name):
            unlisted.append(f"{route} ({name or 'unnamed'}): {response.status_code}")
    return unlisted, checked


def test_every_view_open_to_strangers_is_listed_as_public(client):
    unlisted, checked = unlisted_public_routes(client)

    assert checked > 100
    assert not unlisted, "open to strangers but not on PUBLIC:\n" + "\n".join(unlisted)


def test_a_new_public_view_fails_until_it_is_listed(client, settings):
    from types import ModuleType

    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.urls import path

    import config.urls

    def view(request):
        return HttpResponse("hello")

    urls = ModuleType("urls_with_a_new_view")
    urls.urlpatterns = [
        *config.urls.urlpatterns,
        path("forgotten/", view, name="forgotten"),
        path("guarded/", login_required(view), name="guarded"),
    ]
    settings.ROOT_URLCONF = urls

    unlisted, _ = unlisted_public_routes(client)

    assert unlisted == ["forgotten/ (forgotten): 200"]
