"""Every operation of /api/v1/, fuzzed by schemathesis against the schema the site serves.

The app runs in-process (Django's WSGI handler) on the test's database, with data for the
endpoints to find (a published campaign with targets, a petition, a letter campaign, a
storm that is on, an event with shifts, a brief with a claim) and a signed-in volunteer's
allauth session token in X-Session-Token; the organisers' operations get an organiser's.
For each operation, generated requests (valid and invalid) must get no 5xx and an answer
the schema documents: its status code, content type, headers and body. Mail goes to the
SMTP sink and postcode look-ups to a closed port: never anywhere real.

Generated values are random, so on their own they would rarely name anything that exists
or pass validation: mostly, the path parameters, query and body fields named in `KNOWN`
take values that do (the world's ids, a postcode that resolves offline).

Reproducible: schemathesis is seeded and hypothesis derandomized, with no example
database; MAX_EXAMPLES generated requests per operation, plus schemathesis's coverage
cases (boundaries, wrong types, missing inputs, other methods).
"""

import json
import re
from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.views import SpectacularAPIView
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from campaigns.briefs.services import brief_claim
from campaigns.events.services import rsvp_create, rsvp_link
from campaigns.letters import services as letters
from campaigns.petitions import services as petitions
from campaigns.petitions.models import Signature
from campaigns.storms import services as storms
from core.throttling import RequestRateThrottle
from tests.factories import (
    PASSWORD,
    SIGN_UP_POSTCODE,
    AngleFactory,
    BriefFactory,
    CampaignFactory,
    ConstituencyFactory,
    EventFactory,
    LetterCampaignFactory,
    OrganiserFactory,
    PetitionFactory,
    RepresentativeFactory,
    ShiftFactory,
    StormFactory,
    StormTargetFactory,
    TargetFactory,
    UserFactory,
    sign_up_place,
)
from volunteers.models import Skill, VolunteerProfile, VolunteerSkill
from volunteers.services import supporter_link_user

pytestmark = pytest.mark.django_db

# Hypothesis keeps caches of its own (it is told to keep no example database below): in
# var/, not in the repository.
set_hypothesis_home_dir(django_settings.VAR_DIR / "hypothesis")

MAX_EXAMPLES = 15

# What is checked on every response. The other built-in checks judge design rather than
# conformance to the schema (negative_data_rejection: DRF ignores an unknown query
# parameter instead of refusing it; positive_data_acceptance: a body the schema allows is
# refused by a service, a postcode that is not one), or belong to the stateful phase
# (use_after_free, ensure_resource_availability), which parametrize does not run.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]

# Operations only organisers may use: sent with the organiser's token.
ORGANISER_OPERATIONS = {
    ("GET", "/api/v1/volunteers/"),
    ("PATCH", "/api/v1/campaigns/{slug}/targets/{id}/"),
}

# Values that exist, by where they go, filled by the `world` fixture for each test: path
# parameters by operation path; query and body fields by (method, operation path).
KNOWN: dict[str, dict] = {"path_parameters": {}, "query": {}, "body": {}}


def served_schema() -> dict:
    """What /api/v1/schema/ serves as JSON, made by its generator and renderer: tests are
    collected before there is a database or a cache to serve it from (and
    schemathesis.pytest.from_fixture, which would fetch it in a fixture, fails under
    pytest 9.2: it sets Node._nodeid, which pytest no longer has).
    test_the_fuzzed_schema_is_the_one_served checks the site serves the same."""
    generator = SpectacularAPIView.generator_class(
        urlconf=SpectacularAPIView.urlconf, api_version=SpectacularAPIView.api_version
    )
    document = generator.get_schema(request=None, public=SpectacularAPIView.serve_public)
    return json.loads(OpenApiJsonRenderer().render(document))


SCHEMA = served_schema()
schema = schemathesis.openapi.from_dict(
    SCHEMA,
    config=schemathesis.Config.from_dict(
        {
            "seed": 22,
            "cache": {"enabled": False},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        }
    ),
)


def _mostly_known(where: str, value, operation):
    """The generated value with KNOWN's values put in, three times in four (so that the
    path, query and body of one request name what exists together often enough)."""
    key = (
        operation.path if where == "path_parameters" else (operation.method.upper(), operation.path)
    )
    known = KNOWN[where].get(key)
    if known is None or not isinstance(value, dict):
        return st.just(value)
    return st.integers(0, 3).map(lambda n: {**value, **known} if n else value)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _mostly_known("path_parameters", path_parameters, context.operation)


@schema.hook
def flatmap_query(context, query):
    return _mostly_known("query", query, context.operation)


@schema.hook
def flatmap_body(context, body):
    return _mostly_known("body", body, context.operation)


@pytest.fixture
def world(db, settings, smtp_sink, monkeypatch):
    """The data the endpoints find (into KNOWN), and the two accounts."""
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"  # never the internet
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2
    settings.LETTER_FROM_EMAIL = "letters@groundswell.example"
    # The throttles answer 429 (documented) after a few requests a minute: raised, so that
    # the generated requests reach the endpoints.
    rates = dict.fromkeys(RequestRateThrottle.THROTTLE_RATES, "100000/min")
    monkeypatch.setattr(RequestRateThrottle, "THROTTLE_RATES", rates)

    place = sign_up_place()  # SIGN_UP_POSTCODE resolves offline, to this seat
    seat = ConstituencyFactory(ons_code=place.constituency_code, name=place.constituency_name)
    mp = RepresentativeFactory(constituency=seat)
    campaign = CampaignFactory(slug="the-campaign")
    target = TargetFactory(campaign=campaign, representative=mp, status="undecided")
    TargetFactory(campaign=campaign)
    petition = PetitionFactory(campaign=campaign, slug="the-petition")
    letter_campaign = LetterCampaignFactory(campaign=campaign, slug="the-letters")
    now = timezone.now()
    storm = StormFactory(
        campaign=campaign, starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=1)
    )
    AngleFactory(storm=storm)
    storm_target = StormTargetFactory(storm=storm, target=target)

    user = UserFactory(email="volunteer@example.org")
    profile = VolunteerProfile.objects.create(
        user=user, postcode=place.code, constituency_code=place.constituency_code
    )
    design = Skill.objects.get(slug="design")
    VolunteerSkill.objects.create(volunteer=profile, skill=design, level=3)
    supporter = supporter_link_user(user=user)
    organiser = OrganiserFactory(email="organiser@example.org")

    event = EventFactory(campaign=campaign, host=supporter)
    shift, other_shift = ShiftFactory(event=event), ShiftFactory(event=event)
    rsvp, _ = rsvp_create(shift=shift, name=user.name, user=user)
    storms.pledge_by_account(storm=storm, user=user)
    brief = BriefFactory(campaign=campaign, skills=[design])
    submission = brief_claim(brief=brief, user=user)

    # Someone else's sign-ups by email, each waiting for its emailed link: the tokens.
    guest = {"name": "Sam Guest", "email": "sam.guest@example.org"}
    petitions.petition_sign(petition=petition, postcode=SIGN_UP_POSTCODE, **guest)
    letter = letters.letter_write(
        letter_campaign=letter_campaign,
        postcode=SIGN_UP_POSTCODE,
        address="2 High Street, Signupton",
        subject="Please nominate the candidate",
        body="As your constituent I ask you to nominate the candidate.",
        **guest,
    )
    pledge, _ = storms.pledge_by_email(storm=storm, email=guest["email"])
    guest_rsvp, _ = rsvp_create(shift=shift, **guest)
    rsvp_token = re.search(r"/rsvp/([^/]+)/confirm/", rsvp_link(guest_rsvp, "confirm"))[1]

    slug, storm_id, event_id = {"slug": campaign.slug}, {"id": storm.pk}, {"id": event.pk}
    KNOWN["path_parameters"] = {
        "/api/v1/campaigns/{slug}/": slug,
        "/api/v1/campaigns/{slug}/targets/": slug,
        "/api/v1/campaigns/{slug}/targets/{id}/": {**slug, "id": target.pk},
        "/api/v1/petitions/{slug}/": {"slug": petition.slug},
        "/api/v1/petitions/{slug}/count/": {"slug": petition.slug},
        "/api/v1/petitions/{slug}/signatures/": {"slug": petition.slug},
        "/api/v1/letter-campaigns/{slug}/": {"slug": letter_campaign.slug},
        "/api/v1/letter-campaigns/{slug}/letters/": {"slug": letter_campaign.slug},
        "/api/v1/storms/{id}/": storm_id,
        "/api/v1/storms/{id}/assignment/": storm_id,
        "/api/v1/storms/{id}/counts/": storm_id,
        "/api/v1/storms/{id}/pledges/": storm_id,
        "/api/v1/storms/{id}/posts/check/": storm_id,
        "/api/v1/storms/{id}/reports/": storm_id,
        "/api/v1/events/{id}/": event_id,
        "/api/v1/events/{id}/rsvps/": event_id,
        "/api/v1/events/{id}/check-ins/": event_id,
        "/api/v1/me/rsvps/{id}/": {"id": rsvp.pk},
        "/api/v1/briefs/{id}/claims/": {"id": brief.pk},
        "/api/v1/briefs/submissions/{id}/": {"id": submission.pk},
    }
    postcode = {"postcode": SIGN_UP_POSTCODE}
    KNOWN["query"] = {
        ("GET", "/api/v1/marginals/"): postcode,
        ("GET", "/api/v1/representatives/"): postcode,
        ("GET", "/api/v1/events/"): {"near": SIGN_UP_POSTCODE},
        ("GET", "/api/v1/campaigns/{slug}/targets/"): {
            "page": 1,
            "updated_since": (now - timedelta(hours=1)).isoformat(),
        },
    }
    writer = {"name": "Jo Writer", "email": "jo.writer@example.org", **postcode}
    KNOWN["body"] = {
        ("POST", "/api/v1/petitions/{slug}/signatures/"): writer,
        ("POST", "/api/v1/letter-campaigns/{slug}/letters/"): {
            **writer,
            "address": "1 High Street, Signupton",
            "subject": "Please nominate the candidate",
            "body": "As your constituent I ask you to nominate the candidate: it matters here.",
        },
        ("POST", "/api/v1/events/{id}/rsvps/"): {"shift": other_shift.pk},
        ("POST", "/api/v1/events/{id}/check-ins/"): {"code": rsvp.code},
        ("POST", "/api/v1/storms/{id}/posts/check/"): {
            "post": "My GP surgery is closing.",
            "target": storm_target.pk,
        },
        ("POST", "/api/v1/briefs/submissions/{id}/"): {"text": "Our hospital, our say."},
        ("POST", "/api/v1/petitions/confirm/"): {
            "token": petitions.confirmation_token(Signature.objects.get(email=guest["email"]))
        },
        ("POST", "/api/v1/letter-campaigns/confirm/"): {
            "token": letters.confirmation_token(letter)
        },
        ("POST", "/api/v1/storms/confirm/"): {"token": storms.confirmation_token(pledge)},
        ("POST", "/api/v1/events/rsvps/confirm/"): {"token": rsvp_token},
        ("POST", "/api/v1/actions/"): {"target": target.pk, "kind": "call"},
    }
    return {"volunteer": user, "organiser": organiser}


def session_token(client, email) -> str:
    """A session token from allauth's headless API (app client), as a phone gets one."""
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


@pytest.fixture
def tokens(world, client):
    return {
        "volunteer": session_token(client, world["volunteer"].email),
        "organiser": session_token(client, world["organiser"].email),
    }


@pytest.fixture
def app(tokens):
    """Django's WSGI handler, keeping the test's database connection open: like Django's
    test client, it must not close connections at the end of each request (that would
    end the test's transaction). Set up after `tokens`, whose test client connects the
    signal again when it is done."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_fuzzed_schema_is_the_one_served(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == SCHEMA


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, app, tokens):
    key = (case.method.upper(), case.path)
    token = tokens["organiser" if key in ORGANISER_OPERATIONS else "volunteer"]

    case.call_and_validate(app=app, headers={"X-Session-Token": token})
