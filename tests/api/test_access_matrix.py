"""Who may do what through the API (issue #22): every endpoint under /api/v1/, with every
method its view answers, asked by every kind of caller, against real objects.

The callers (ROLES): a stranger (anonymous), a volunteer (a verified account with a
volunteer profile and a supporter record), another volunteer, the host of an event, a staff
account holding no permission, and an organiser (every permission). The volunteer and the
other volunteer each have a letter, a signature, a pledge, an RSVP, a brief's claim and a
reported action; path parameters name the real objects (the volunteer's RSVP and claim for
the "your own" endpoints, so the others ask for someone else's).

MATRIX holds, for each (URL name, method) the resolver has under /api/, the request sent and
the status each role must get: 2xx where allowed (or a 400 where the body is deliberately
refused, which proves the view ran past its permissions; each such case says so), 401 for a
stranger on a private endpoint, 403 for anyone but an organiser (with the permission) on an
organiser's and for anyone but the host or an organiser checking people in, and 404 for
someone else's object. A new endpoint, or a new method on one, fails
test_the_matrix_covers_every_api_endpoint until it is added here.

The same world is then used to check that no answer shows anyone else's contact details, that
fields nobody may set are ignored, that page sizes are capped, and that lists of "your own"
things are yours only.

The world is built once for the module inside a transaction that is rolled back at the end;
every test runs in a savepoint inside it (pytest-django's `db`), so what a request changes is
undone before the next.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.views import APIView

from campaigns.briefs.models import Brief, Submission
from campaigns.briefs.services import brief_claim
from campaigns.events.models import RSVP, Shift
from campaigns.events.services import rsvp_create
from campaigns.letters.models import Letter
from campaigns.petitions.models import Signature
from campaigns.petitions.services import petition_sign
from campaigns.pressure.models import ActionRecord, ReportedAction
from campaigns.pressure.services import action_report
from campaigns.storms.models import Pledge, Report
from campaigns.storms.services import pledge_by_account, report_post
from campaigns.targets.models import Constituency, Target
from tests.campaigns.letters.helpers import LETTER_A, LETTER_B
from tests.factories import (
    PASSWORD,
    SIGN_UP_POSTCODE,
    AngleFactory,
    BriefFactory,
    CampaignFactory,
    ConstituencyFactory,
    EventFactory,
    LetterCampaignFactory,
    LetterFactory,
    OrganiserFactory,
    PetitionFactory,
    PostcodeFallbackFactory,
    RepresentativeFactory,
    ShiftFactory,
    StormFactory,
    StormTargetFactory,
    TargetFactory,
    UserFactory,
)
from tests.harness.urls import routes
from volunteers.models import Skill, Supporter, User
from volunteers.places import place_for_postcode
from volunteers.services import ProfileDetails, supporter_link_user, volunteer_sign_up

ANONYMOUS, VOLUNTEER, OTHER, HOST, STAFF, ORGANISER = ROLES = (
    "anonymous",
    "volunteer",
    "other",
    "host",
    "staff",
    "organiser",
)
SIGNED_IN = ROLES[1:]
NOT_ORGANISERS = ROLES[:-1]

OFFLINE = {"POSTCODES_IO_URL": "http://127.0.0.1:9", "OUTSIDE_SERVICE_TIMEOUT": 0.2}


@dataclass(frozen=True)
class Person:
    """Someone's contact details, distinctive enough to find in any answer."""

    email: str
    postcode: str = ""
    phones: tuple[str, ...] = ()  # as typed and shown, without spaces, and as stored (E.164)
    address: str = ""
    seat_code: str = ""

    def details(self) -> list[str]:
        return [v for v in (self.email, self.postcode, *self.phones, self.address) if v]


# Everyone's details but the organisers' are on records of theirs: profile, letter, RSVP.
PEOPLE = {
    VOLUNTEER: Person(
        "leak-check-volunteer@example.org",
        SIGN_UP_POSTCODE,
        ("07700 900789", "07700900789", "+447700900789"),
        "97 Leak Street",
        "E14009999",
    ),
    OTHER: Person(
        "leak-check-other@example.org",
        "ZY9 9ZZ",  # ZZ9 9ZZ is not a postcode's shape (no Z second)
        ("07700 900123", "07700900123", "+447700900123"),
        "99 Leak Street",
        "E14009998",
    ),
    HOST: Person(
        "leak-check-host@example.org",
        "ZX9 9ZZ",
        ("07700 900456", "07700900456", "+447700900456"),
        "98 Leak Street",
        "E14009997",
    ),
    STAFF: Person("leak-check-staff@example.org"),
    ORGANISER: Person("leak-check-organiser@example.org"),
    # Someone without an account: signed, wrote, pledged and signed up by email.
    "stranger": Person(
        "leak-check-stranger@example.org",
        "ZW9 9ZZ",
        ("07700 900999", "07700900999", "+447700900999"),
        "96 Leak Street",
        "E14009996",
    ),
}
PUBLIC_POSTCODE = "ZA1 1AA"  # a seat's postcode that is nobody's: for queries


@dataclass
class World:
    users: dict[str, User]
    supporters: dict[str, Supporter]
    campaign: object
    other_campaign: object
    target: Target
    other_target: Target
    petition: object
    other_petition: object
    letter_campaign: object
    storm: object
    event: object
    shift: Shift
    other_shift: Shift
    brief: Brief
    rsvps: dict[str, RSVP]
    submissions: dict[str, Submission]
    letters: dict[str, Letter]
    pledges: dict[str, Pledge]
    reported: dict[str, ReportedAction]


def _seat(person: Person, number: int):
    """The person's postcode resolving offline to a seat of their own, with its MP."""
    PostcodeFallbackFactory(
        code=person.postcode,
        constituency_code=person.seat_code,
        constituency_name=f"Leakton {number}",
        region="London",
        latitude=51.5 + number / 100,
        longitude=-0.12,
    )
    seat = ConstituencyFactory(ons_code=person.seat_code, name=f"Leakton {number}")
    return RepresentativeFactory(constituency=seat, name=f"Ms MP {number}")


def _volunteer(role: str, skills: dict) -> User:
    person = PEOPLE[role]
    user = UserFactory(email=person.email, name=f"{role.title()} Person")
    volunteer_sign_up(
        user=user,
        details=ProfileDetails(
            place=place_for_postcode(person.postcode), phone=person.phones[0], skills=skills
        ),
    )
    supporter_link_user(user=user)
    return user


def build_world() -> World:
    now = timezone.now()
    mps = {
        role: _seat(PEOPLE[role], n) for n, role in enumerate([VOLUNTEER, OTHER, HOST, "stranger"])
    }
    public_seat = ConstituencyFactory(ons_code="E14000001", name="Testford")
    PostcodeFallbackFactory(
        code=PUBLIC_POSTCODE,
        constituency_code=public_seat.ons_code,
        constituency_name=public_seat.name,
        latitude=51.5,
        longitude=-0.12,
    )
    RepresentativeFactory(constituency=public_seat)

    design = Skill.objects.get(slug="design")
    users = {
        VOLUNTEER: _volunteer(VOLUNTEER, {design: 2}),
        OTHER: _volunteer(OTHER, {design: 3}),
        HOST: _volunteer(HOST, {}),
        STAFF: UserFactory(email=PEOPLE[STAFF].email, is_staff=True),
        ORGANISER: OrganiserFactory(email=PEOPLE[ORGANISER].email),
    }
    supporters = {
        role: Supporter.objects.get(user=users[role]) for role in (VOLUNTEER, OTHER, HOST)
    }

    campaign = CampaignFactory(slug="the-campaign")
    other_campaign = CampaignFactory(slug="another-campaign")
    target = TargetFactory(campaign=campaign, representative=mps[VOLUNTEER], status="undecided")
    TargetFactory(campaign=campaign, representative=mps[OTHER])
    other_target = TargetFactory(campaign=other_campaign, representative=mps[HOST])

    petition = PetitionFactory(campaign=campaign, slug="the-petition")
    other_petition = PetitionFactory(
        campaign=campaign, slug="the-other-ones-petition", title="Only the other one signed"
    )
    for role in (VOLUNTEER, OTHER, "stranger"):
        person = PEOPLE[role]
        petition_sign(
            petition=petition,
            name=role,
            email=person.email,
            postcode=person.postcode,
            ip="10.0.0.1",
        )
    petition_sign(
        petition=other_petition,
        name="other",
        email=PEOPLE[OTHER].email,
        postcode=PEOPLE[OTHER].postcode,
        ip="10.0.0.2",
    )

    letter_campaign = LetterCampaignFactory(campaign=campaign, slug="the-letters")
    letters = {}
    for role, body in ((VOLUNTEER, LETTER_A), (OTHER, LETTER_B)):
        person = PEOPLE[role]
        letters[role] = LetterFactory(
            letter_campaign=letter_campaign,
            supporter=supporters[role],
            representative=mps[role],
            writer_email=person.email,
            writer_postcode=person.postcode,
            writer_address=f"{person.address}\nLeakton",
            body=body,
        )

    storm = StormFactory(
        campaign=campaign, starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=1)
    )
    AngleFactory(storm=storm)
    StormTargetFactory(storm=storm, target=target)
    pledges = {}
    for role in (VOLUNTEER, OTHER):
        pledges[role], _ = pledge_by_account(storm=storm, user=users[role])
    report_post(storm=storm, pledge=pledges[OTHER], network="x", post_url="https://x.com/o/1")

    event = EventFactory(campaign=campaign, host=supporters[HOST], host_email=PEOPLE[HOST].email)
    shift = ShiftFactory(event=event)
    other_shift = ShiftFactory(event=event, starts_at=shift.starts_at + timedelta(days=1))
    rsvps = {
        VOLUNTEER: rsvp_create(shift=shift, name="Volunteer", user=users[VOLUNTEER])[0],
        # The other volunteer did not agree to share their contact with the host.
        OTHER: rsvp_create(
            shift=shift,
            name="Other",
            user=users[OTHER],
            phone=PEOPLE[OTHER].phones[0],
            share_contact=False,
        )[0],
        "stranger": rsvp_create(
            shift=shift,
            name="Stranger",
            email=PEOPLE["stranger"].email,
            phone=PEOPLE["stranger"].phones[0],
            share_contact=True,
        )[0],
    }

    brief = BriefFactory(campaign=campaign, skills=[design])
    submissions = {role: brief_claim(brief=brief, user=users[role]) for role in (VOLUNTEER, OTHER)}
    reported = {
        role: action_report(user=users[role], target_id=target.pk, kind="call")[0]
        for role in (VOLUNTEER, OTHER)
    }
    return World(
        users=users,
        supporters=supporters,
        campaign=campaign,
        other_campaign=other_campaign,
        target=target,
        other_target=other_target,
        petition=petition,
        other_petition=other_petition,
        letter_campaign=letter_campaign,
        storm=storm,
        event=event,
        shift=shift,
        other_shift=other_shift,
        brief=brief,
        rsvps=rsvps,
        submissions=submissions,
        letters=letters,
        pledges=pledges,
        reported=reported,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once; rolled back after the module's last test."""
    with django_db_blocker.unblock(), override_settings(**OFFLINE), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _offline(settings):
    for name, value in OFFLINE.items():
        setattr(settings, name, value)


def client_as(world: World, role: str) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


# --- The matrix -------------------------------------------------------------------------

# Path parameters for each URL name that has any, from the world.
PATHS: dict[str, Callable[[World], dict]] = {
    "api:campaign-detail": lambda w: {"slug": w.campaign.slug},
    "api:campaign-target-list": lambda w: {"slug": w.campaign.slug},
    "api:campaign-target-detail": lambda w: {"slug": w.campaign.slug, "pk": w.target.pk},
    "api:petition-detail": lambda w: {"slug": w.petition.slug},
    "api:petition-count": lambda w: {"slug": w.petition.slug},
    "api:petition-sign": lambda w: {"slug": w.petition.slug},
    "api:letter-campaign-detail": lambda w: {"slug": w.letter_campaign.slug},
    "api:letter-write": lambda w: {"slug": w.letter_campaign.slug},
    "api:storm-detail": lambda w: {"pk": w.storm.pk},
    "api:storm-counts": lambda w: {"pk": w.storm.pk},
    "api:storm-assignment": lambda w: {"pk": w.storm.pk},
    "api:storm-pledge": lambda w: {"pk": w.storm.pk},
    "api:storm-report": lambda w: {"pk": w.storm.pk},
    "api:storm-post-check": lambda w: {"pk": w.storm.pk},
    "api:event-detail": lambda w: {"pk": w.event.pk},
    "api:event-sign-up": lambda w: {"pk": w.event.pk},
    "api:event-check-in": lambda w: {"pk": w.event.pk},
    # The volunteer's own: everyone else asks for someone else's.
    "api:my-rsvp": lambda w: {"pk": w.rsvps[VOLUNTEER].pk},
    "api:brief-claim": lambda w: {"pk": w.brief.pk},
    "api:brief-submission": lambda w: {"pk": w.submissions[VOLUNTEER].pk},
}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


# A stranger (no session, no token) asking a private endpoint: 401, with WWW-Authenticate
# naming X-Session-Token (core.authentication).
UNAUTHENTICATED = 401


def signed_in(status: int, **by_role: int) -> dict[str, int]:
    """Private: a stranger gets 401; the signed-in get `status` unless `by_role` says."""
    return {ANONYMOUS: UNAUTHENTICATED, **dict.fromkeys(SIGNED_IN, status), **by_role}


def organisers_only(status: int) -> dict[str, int]:
    """Organisers holding the view's permission: a stranger 401, anyone else 403."""
    return {**signed_in(403), ORGANISER: status}


@dataclass
class Case:
    """One request to an endpoint, the same for every role except where `body` or `query`
    is a function of (world, role), and the status each role gets."""

    expect: dict[str, int]
    body: dict | Callable | None = None
    query: dict | Callable | None = None
    url: str | None = None  # for a route without a name to reverse
    # Checked after the request: (world, role, response) -> None.
    after: Callable | None = None
    why: str = ""

    def resolve(self, value, world, role):
        return value(world, role) if callable(value) else value


def _unchanged_rsvp(world, role, response):
    if role != VOLUNTEER:
        rsvp = RSVP.objects.get(pk=world.rsvps[VOLUNTEER].pk)
        assert rsvp.state == world.rsvps[VOLUNTEER].state, "someone else cancelled it"


def _unchanged_submission(world, role, response):
    if role != VOLUNTEER:
        submission = Submission.objects.get(pk=world.submissions[VOLUNTEER].pk)
        assert submission.state == Submission.State.CLAIMED and submission.text == ""


def _target_status(world, role, response):
    status = Target.objects.get(pk=world.target.pk).status
    assert status == ("nominated" if response.status_code == 200 else "undecided")


def _volunteer_list_logged(world, role, response):
    from volunteers.models import OrganiserAccess

    assert OrganiserAccess.objects.exists() == (role == ORGANISER)


def _sign_body(world, role):
    person = PEOPLE.get(role)
    email = person.email if person else "new-signer@example.org"
    return {"name": "Jo Bloggs", "email": email, "postcode": PUBLIC_POSTCODE}


def _letter_body(world, role):
    return {
        "name": "Jo Bloggs",
        "email": f"writer-{role}@example.org",
        "postcode": PUBLIC_POSTCODE,
        "address": "1 High Street\nTestford",
        "subject": "Please nominate the candidate",
        "body": LETTER_A,
    }


MATRIX: dict[tuple[str, str], list[Case]] = {
    # The schema, its documentation, and the JSON 404 for any other path under /api/.
    ("api:schema", "GET"): [Case(everyone(200))],
    ("api:docs", "GET"): [Case(everyone(200))],
    ("api-not-found", "GET"): [Case(everyone(404), url="/api/v1/no-such-endpoint/")],
    # The account.
    ("api:me", "GET"): [Case(signed_in(200))],
    ("api:me", "PATCH"): [
        Case(
            signed_in(200, staff=400, organiser=400),
            body={"name": "A new name"},
            why="an account without a volunteer profile needs a postcode first: 400",
        )
    ],
    ("api:me", "DELETE"): [
        Case(
            signed_in(400),
            body={"password": "not the password"},
            why="a wrong password is a 400 naming it: the view ran, nothing is erased",
        ),
        Case(signed_in(204), body={"password": PASSWORD}),
    ],
    ("api:my-export", "GET"): [Case(signed_in(200))],
    ("api:my-actions", "GET"): [Case(signed_in(200))],
    ("api:my-next-actions", "GET"): [Case(signed_in(200))],
    ("api:volunteer-list", "GET"): [Case(organisers_only(200), after=_volunteer_list_logged)],
    # Campaigns and targets: public reads; only organisers change a target's status.
    ("api:campaign-list", "GET"): [Case(everyone(200))],
    ("api:campaign-detail", "GET"): [Case(everyone(200))],
    ("api:campaign-target-list", "GET"): [Case(everyone(200))],
    ("api:campaign-target-detail", "GET"): [Case(everyone(200))],
    ("api:campaign-target-detail", "PATCH"): [
        Case(
            organisers_only(200),
            body={"status": "nominated", "source_url": "https://example.org/news"},
            after=_target_status,
        ),
        Case(
            organisers_only(400),
            body={},
            why="no status: a 400 for the organiser proves the view ran",
            after=_target_status,
        ),
    ],
    ("api:representative-list", "GET"): [Case(everyone(200))],
    ("api:constituency-list", "GET"): [Case(everyone(200))],
    ("api:marginal-list", "GET"): [Case(everyone(200), query={"postcode": PUBLIC_POSTCODE})],
    # Petitions: public.
    ("api:petition-list", "GET"): [Case(everyone(200))],
    ("api:petition-detail", "GET"): [Case(everyone(200))],
    ("api:petition-count", "GET"): [Case(everyone(200))],
    ("api:petition-sign", "POST"): [Case(everyone(202), body=_sign_body)],
    ("api:petition-confirm", "POST"): [
        Case(everyone(400), body={"token": "not-a-token"}, why="a made-up token: 400")
    ],
    # Letters: public, but "my letters" is private.
    ("api:letter-campaign-list", "GET"): [Case(everyone(200))],
    ("api:letter-campaign-detail", "GET"): [Case(everyone(200))],
    ("api:letter-write", "POST"): [Case(everyone(202), body=_letter_body)],
    ("api:letter-confirm", "POST"): [
        Case(everyone(400), body={"token": "not-a-token"}, why="a made-up token: 400")
    ],
    ("api:my-letters", "GET"): [Case(signed_in(200))],
    # Storms: public, but reporting a post and "my pledges" are private.
    ("api:storm-list", "GET"): [Case(everyone(200))],
    ("api:storm-detail", "GET"): [Case(everyone(200))],
    ("api:storm-counts", "GET"): [Case(everyone(200))],
    ("api:storm-assignment", "GET"): [Case(everyone(200))],
    ("api:storm-pledge", "POST"): [
        Case(
            {**everyone(201), ANONYMOUS: 202, VOLUNTEER: 200, OTHER: 200},
            body=lambda w, role: {"email": "new-pledger@example.org"} if role == ANONYMOUS else {},
            why="202 for an email pledge; 200 for those who had pledged",
        )
    ],
    ("api:storm-pledge-confirm", "POST"): [
        Case(everyone(400), body={"token": "not-a-token"}, why="a made-up token: 400")
    ],
    ("api:storm-post-check", "POST"): [Case(everyone(200), body={"post": "Let members choose"})],
    ("api:storm-report", "POST"): [
        Case(
            signed_in(400, volunteer=201, other=200),
            body={"network": "x"},
            why="400 (pledge first) for those without a pledge; the other one had reported",
        )
    ],
    ("api:my-storm-pledges", "GET"): [Case(signed_in(200))],
    # Events: public reads and sign-up; check-in for the host and organisers only.
    ("api:event-list", "GET"): [Case(everyone(200))],
    ("api:event-detail", "GET"): [Case(everyone(200))],
    ("api:event-sign-up", "POST"): [
        Case(
            {**everyone(201), ANONYMOUS: 202},
            body=lambda w, role: (
                {"shift": w.other_shift.pk}
                | ({"name": "Jo", "email": "new-rsvp@example.org"} if role == ANONYMOUS else {})
            ),
            why="202 for an email sign-up, confirmed by its link",
        )
    ],
    ("api:event-rsvp-confirm", "POST"): [
        Case(everyone(400), body={"token": "not-a-token"}, why="a made-up token: 400")
    ],
    ("api:event-check-in", "POST"): [
        Case(
            {**signed_in(403), HOST: 200, ORGANISER: 200},
            body=lambda w, role: {"code": w.rsvps[VOLUNTEER].code},
            why="the host, or an organiser holding events.change_rsvp; the staff account lacks it",
        )
    ],
    ("api:my-rsvps", "GET"): [Case(signed_in(200))],
    ("api:my-rsvp", "DELETE"): [
        Case(
            {**signed_in(404), VOLUNTEER: 204},
            after=_unchanged_rsvp,
            why="someone else's RSVP is a 404 and stays as it was",
        )
    ],
    # Briefs: private.
    ("api:brief-list", "GET"): [Case(signed_in(200))],
    ("api:brief-claim", "POST"): [
        Case(
            signed_in(400, volunteer=200, other=200),
            why="400 without the brief's skill; 200 with the claim one had",
        )
    ],
    ("api:brief-submission", "POST"): [
        Case(
            {**signed_in(404), VOLUNTEER: 200},
            body={"text": "Let the members choose."},
            after=_unchanged_submission,
            why="someone else's claim is a 404 and stays as it was",
        )
    ],
    ("api:my-briefs", "GET"): [Case(signed_in(200))],
    # Actions against targets: private; everyone's for organisers with the permission.
    ("api:actions", "GET"): [
        Case(signed_in(200)),
        Case({**organisers_only(200)}, query={"all": "1"}),
    ],
    ("api:actions", "POST"): [
        Case(
            signed_in(201, volunteer=200, other=200),
            body=lambda w, role: {"target": w.target.pk, "kind": "call"},
            why="200 for those who had reported the same call today (merged)",
        )
    ],
}

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def api_routes():
    """(route, URL name, view) for every route under /api/."""
    for route, name, view in routes():
        route = route.lstrip("^")
        if route.startswith("api/"):
            yield route, name or route, view


def api_endpoints() -> set[tuple[str, str]]:
    """(URL name, method) for every route under /api/ and every method its view answers."""
    found = set()
    for _, name, view in api_routes():
        methods = [m.upper() for m in HTTP_METHODS if hasattr(view, m)]
        for method in methods or ["GET"]:  # a view with no handler answers every method
            found.add((name, method))
    return found


def test_the_matrix_covers_every_api_endpoint():
    walked = api_endpoints()

    assert ("api:me", "PATCH") in walked and ("api:event-check-in", "POST") in walked
    assert set(MATRIX) - walked == set(), "stale entries in MATRIX"
    assert walked - set(MATRIX) == set(), "API endpoints the access matrix does not cover"
    for key, cases in MATRIX.items():
        for case in cases:
            assert set(case.expect) == set(ROLES), key


def test_every_api_route_is_an_api_view_with_a_name_of_its_own():
    """A web page under /api/ would escape the API's authentication, permissions and error
    shape (and, named like an endpoint, hide from the matrix)."""
    routes = list(api_routes())
    names = [name for _, name, _ in routes]

    assert [
        r for r, _, view in routes if not (isinstance(view, type) and issubclass(view, APIView))
    ] == []
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def send(world: World, key: tuple[str, str], case: Case, role: str):
    name, method = key
    url = case.url or reverse(name, kwargs=PATHS[name](world) if name in PATHS else None)
    query = case.resolve(case.query, world, role)
    body = case.resolve(case.body, world, role)
    client = client_as(world, role)
    if method == "GET":
        return client.get(url, query or {})
    if query:
        url += "?" + urlencode(query)
    return getattr(client, method.lower())(
        url, json.dumps(body if body is not None else {}), content_type="application/json"
    )


MATRIX_CASES = [
    pytest.param(key, case, role, id=f"{key[1]} {key[0]}{'#' + str(n) if n else ''} as {role}")
    for key, cases in MATRIX.items()
    for n, case in enumerate(cases)
    for role in ROLES
]


@pytest.mark.parametrize(("key", "case", "role"), MATRIX_CASES)
def test_access(world, db, key, case, role):
    response = send(world, key, case, role)

    expected = case.expect[role]
    assert response.status_code == expected, (
        f"{key[1]} {key[0]} as {role}: {response.status_code}, expected {expected}"
        f" ({case.why or 'no note'}): {response.content[:500]!r}"
    )
    if case.after is not None:
        case.after(world, role, response)
    if role != ORGANISER:
        assert_shows_nobody_elses_details(response, role)


def others_details(role: str) -> list[str]:
    return [d for who, person in PEOPLE.items() if who != role for d in person.details()]


def assert_shows_nobody_elses_details(response, role: str):
    """No answer to anyone but an organiser holds another person's email, postcode, phone
    or street address (organisers' own views, such as the directory, are theirs to see)."""
    text = response.content.decode()
    shown = [detail for detail in others_details(role) if detail.lower() in text.lower()]
    assert shown == [], f"{response.request['PATH_INFO']} as {role} shows {shown}"


# --- The host and their attendees' contact details ---------------------------------------


def test_the_host_never_sees_the_contact_of_an_attendee_who_did_not_share_it(world, db):
    """The API shows a host no attendee's contact details: checking someone in answers with
    their name and state only, and the event's pages are the public ones. (The other
    volunteer signed up with a phone and share_contact false.)"""
    host = client_as(world, HOST)
    other = world.rsvps[OTHER]
    assert other.share_contact is False

    checked_in = host.post(
        reverse("api:event-check-in", kwargs={"pk": world.event.pk}),
        {"code": other.code},
        content_type="application/json",
    )
    pages = [
        host.get(reverse("api:event-detail", kwargs={"pk": world.event.pk})),
        host.get(reverse("api:event-list")),
        host.get(reverse("api:my-rsvps")),
        host.get(reverse("api:my-export")),
    ]

    assert checked_in.status_code == 200
    assert set(checked_in.json()) == {"id", "name", "state", "checked_in_at"}
    assert checked_in.json()["name"] == "Other" and checked_in.json()["state"] == "attended"
    for response in [checked_in, *pages]:
        assert response.status_code == 200
        assert_shows_nobody_elses_details(response, HOST)


def test_only_the_host_checks_in_and_nobody_else_moves_an_rsvp(world, db):
    rsvp = world.rsvps[VOLUNTEER]
    url = reverse("api:event-check-in", kwargs={"pk": world.event.pk})

    refused = [
        client_as(world, role).post(url, {"code": rsvp.code}, content_type="application/json")
        for role in (ANONYMOUS, VOLUNTEER, OTHER, STAFF)
    ]

    assert [r.status_code for r in refused] == [UNAUTHENTICATED, 403, 403, 403]
    assert RSVP.objects.get(pk=rsvp.pk).checked_in_at is None


# --- Mass assignment: fields nobody may set ----------------------------------------------


def test_patching_me_sets_no_account_flags_and_no_one_elses_record(world, db):
    volunteer, other = world.users[VOLUNTEER], world.users[OTHER]
    client = client_as(world, VOLUNTEER)

    response = client.patch(
        reverse("api:me"),
        {
            "name": "Renamed",
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
            "is_organiser": True,
            "is_volunteer": False,
            "email_verified": True,
            "verified": True,
            "email": "hijack@example.org",
            "id": other.pk,
            "pk": other.pk,
            "user": other.pk,
            "supporter": world.supporters[OTHER].pk,
            "password": "new password",
            "groups": [1],
            "user_permissions": [1],
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    me = User.objects.get(pk=volunteer.pk)
    assert me.name == "Renamed"
    assert (me.is_staff, me.is_superuser, me.is_active) == (False, False, True)
    assert me.email == PEOPLE[VOLUNTEER].email and me.check_password(PASSWORD)
    assert not me.groups.exists() and not me.user_permissions.exists()
    assert Supporter.objects.get(user=me).pk == world.supporters[VOLUNTEER].pk
    assert not EmailAddress.objects.filter(email="hijack@example.org").exists()
    them = User.objects.get(pk=other.pk)
    assert (them.name, them.email, them.is_staff) == ("Other Person", PEOPLE[OTHER].email, False)
    assert Supporter.objects.get(user=them).pk == world.supporters[OTHER].pk


def test_patching_a_target_changes_its_status_and_nothing_else(world, db):
    target = world.target
    client = client_as(world, ORGANISER)

    response = client.patch(
        reverse(
            "api:campaign-target-detail", kwargs={"slug": world.campaign.slug, "pk": target.pk}
        ),
        {
            "status": "nominated",
            "source_url": "https://example.org/news",
            "campaign": world.other_campaign.pk,
            "representative": world.other_target.representative_id,
            "organisation": None,
            "kind": "organisation",
            "name": "Hijacked",
            "id": world.other_target.pk,
            "status_changed_at": "2000-01-01T00:00:00Z",
            "changed_by": world.users[VOLUNTEER].pk,
            "from_status": "against",
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    after = Target.objects.get(pk=target.pk)
    assert (after.campaign_id, after.representative_id, after.kind) == (
        target.campaign_id,
        target.representative_id,
        target.kind,
    )
    assert after.status == "nominated" and after.status_changed_at.year > 2000
    [change] = after.status_changes.all()
    assert (change.from_status, change.changed_by_id) == ("undecided", world.users[ORGANISER].pk)
    assert Target.objects.get(pk=world.other_target.pk).status == world.other_target.status


def _post(client, name, kwargs, body):
    return client.post(reverse(name, kwargs=kwargs), body, content_type="application/json")


# What a caller might try to set on what they create.
FORGED = {
    "state": "confirmed",
    "counted": True,
    "confirmed_at": "2020-01-01T00:00:00Z",
    "is_suspect": False,
    "via": "account",
    "checked_in_at": "2020-01-01T00:00:00Z",
    "places_taken": 0,
    "note": "Approved by me",
    "source": "petitions.signature",
    "source_id": 1,
}


def forged(world) -> dict:
    """FORGED, and someone else's account and records."""
    return FORGED | {
        "supporter": world.supporters[OTHER].pk,
        "user": world.users[OTHER].pk,
        "id": 1,
        "pledge": world.pledges[OTHER].pk,
    }


def test_signing_ignores_forged_fields(world, db):
    body = {"name": "Jo", "email": "forger@example.org", "postcode": PUBLIC_POSTCODE}
    response = _post(
        Client(),
        "api:petition-sign",
        {"slug": world.petition.slug},
        forged(world) | body | {"petition": world.other_petition.pk, "constituency_code": "X"},
    )

    assert response.status_code == 202, response.content
    signature = Signature.objects.get(email="forger@example.org")
    assert signature.petition_id == world.petition.pk
    assert signature.constituency_code == "E14000001"  # from the postcode
    assert signature.supporter.email == "forger@example.org"
    if world.petition.confirmation_required:
        assert signature.confirmed_at is None and signature.counted is False


def test_writing_a_letter_ignores_forged_fields(world, db):
    body = _letter_body(world, "forger")
    response = _post(
        Client(),
        "api:letter-write",
        {"slug": world.letter_campaign.slug},
        forged(world)
        | body
        | {"state": "sent", "sent_at": "2020-01-01T00:00:00Z"}
        | {"representative": world.other_target.representative_id, "letter_campaign": 999},
    )

    assert response.status_code == 202, response.content
    letter = Letter.objects.get(writer_email="writer-forger@example.org")
    assert letter.state == Letter.State.AWAITING_CONFIRMATION and letter.sent_at is None
    assert letter.letter_campaign_id == world.letter_campaign.pk
    assert letter.representative.constituency.ons_code == "E14000001"
    assert letter.supporter.email == "writer-forger@example.org"


def test_pledging_ignores_forged_fields(world, db):
    storm = {"pk": world.storm.pk}
    by_email = _post(
        Client(), "api:storm-pledge", storm, forged(world) | {"email": "forger@example.org"}
    )
    by_account = _post(client_as(world, HOST), "api:storm-pledge", storm, forged(world))

    assert (by_email.status_code, by_account.status_code) == (202, 201)
    emailed = Pledge.objects.get(supporter__email="forger@example.org")
    assert (emailed.state, emailed.via) == (Pledge.State.AWAITING_CONFIRMATION, Pledge.Via.EMAIL)
    assert emailed.confirmed_at is None
    mine = Pledge.objects.get(pk=by_account.json()["id"])
    assert mine.supporter_id == world.supporters[HOST].pk
    assert Pledge.objects.filter(storm=world.storm, supporter=world.supporters[OTHER]).count() == 1


def test_reporting_a_post_ignores_forged_fields(world, db):
    response = _post(
        client_as(world, VOLUNTEER),
        "api:storm-report",
        {"pk": world.storm.pk},
        forged(world) | {"network": "x", "storm": 999},
    )

    assert response.status_code == 201, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert report.supporter_id == world.supporters[VOLUNTEER].pk
    assert report.storm_id == world.storm.pk
    assert Report.objects.filter(supporter=world.supporters[OTHER]).count() == 1


def test_signing_up_for_an_event_ignores_forged_fields(world, db):
    shift = world.other_shift
    event = {"pk": world.event.pk}
    extra = forged(world) | {"code": "FORGED", "state": "attended", "places_taken": 99}
    by_email = _post(
        Client(),
        "api:event-sign-up",
        event,
        extra | {"shift": shift.pk, "name": "Jo", "email": "forger@example.org"},
    )
    by_account = _post(
        client_as(world, HOST),
        "api:event-sign-up",
        event,
        extra | {"shift": shift.pk, "email": PEOPLE[OTHER].email},
    )

    assert (by_email.status_code, by_account.status_code) == (202, 201)
    emailed = RSVP.objects.get(email="forger@example.org")
    assert emailed.state == RSVP.State.AWAITING_CONFIRMATION and emailed.checked_in_at is None
    assert emailed.code != "FORGED"
    mine = RSVP.objects.get(pk=by_account.json()["id"])
    assert mine.supporter_id == world.supporters[HOST].pk
    assert mine.email == PEOPLE[HOST].email
    assert mine.state == RSVP.State.SIGNED_UP and mine.checked_in_at is None
    assert Shift.objects.get(pk=shift.pk).places_taken == 1  # the host's place only


def test_checking_in_ignores_forged_fields(world, db):
    response = _post(
        client_as(world, HOST),
        "api:event-check-in",
        {"pk": world.event.pk},
        {"code": world.rsvps[VOLUNTEER].code, "state": "cancelled", "rsvp": world.rsvps[OTHER].pk},
    )

    assert response.status_code == 200, response.content
    assert RSVP.objects.get(pk=world.rsvps[VOLUNTEER].pk).state == RSVP.State.ATTENDED
    assert RSVP.objects.get(pk=world.rsvps[OTHER].pk).checked_in_at is None


def test_claiming_and_submitting_ignore_forged_fields(world, db):
    from volunteers.models import VolunteerSkill

    VolunteerSkill.objects.create(
        volunteer=world.users[HOST].volunteer, skill=Skill.objects.get(slug="design"), level=1
    )
    extra = forged(world) | {"state": "approved", "brief": 999}
    claimed = _post(client_as(world, HOST), "api:brief-claim", {"pk": world.brief.pk}, extra)
    submitted = _post(
        client_as(world, VOLUNTEER),
        "api:brief-submission",
        {"pk": world.submissions[VOLUNTEER].pk},
        extra | {"text": "Let the members choose."},
    )

    assert (claimed.status_code, submitted.status_code) == (201, 200)
    claim = Submission.objects.get(pk=claimed.json()["id"])
    assert (claim.supporter_id, claim.state, claim.brief_id) == (
        world.supporters[HOST].pk,
        Submission.State.CLAIMED,
        world.brief.pk,
    )
    work = Submission.objects.get(pk=world.submissions[VOLUNTEER].pk)
    assert (work.state, work.note, work.supporter_id) == (
        Submission.State.SUBMITTED,
        "",
        world.supporters[VOLUNTEER].pk,
    )
    assert Submission.objects.get(pk=world.submissions[OTHER].pk).state == Submission.State.CLAIMED


def test_reporting_an_action_ignores_forged_fields(world, db):
    response = _post(
        client_as(world, HOST),
        "api:actions",
        {},
        forged(world) | {"target": world.target.pk, "kind": "call"},
    )

    assert response.status_code == 201, response.content
    reported = ReportedAction.objects.get(pk=response.json()["id"])
    assert reported.supporter_id == world.supporters[HOST].pk
    record = ActionRecord.objects.get(source="pressure.reported", source_id=reported.pk)
    assert record.supporter_id == world.supporters[HOST].pk
    assert not ActionRecord.objects.filter(source="petitions.signature", source_id=1).exists()


# --- Page sizes --------------------------------------------------------------------------


def test_a_numbered_page_is_at_most_200_rows_whatever_page_size_asks(world, db):
    Constituency.objects.bulk_create(
        Constituency(ons_code=f"W07{n:06d}", name=f"Cheap seat {n}") for n in range(205)
    )

    body = Client().get(reverse("api:constituency-list"), {"page_size": 100000}).json()

    assert body["count"] >= 205
    assert len(body["results"]) == 200 and body["next"]


def test_a_page_by_cursor_is_at_most_200_rows_whatever_page_size_asks(world, db):
    supporter = world.supporters[VOLUNTEER]
    ActionRecord.objects.bulk_create(
        ActionRecord(
            target=world.target, kind="call", source="tests.cheap", source_id=n, supporter=supporter
        )
        for n in range(205)
    )

    body = client_as(world, VOLUNTEER).get(reverse("api:actions"), {"page_size": 100000}).json()

    assert len(body["results"]) == 200 and body["next"]


# --- Your own lists are yours only -------------------------------------------------------

OWN_LISTS = {
    "api:my-letters": lambda w, role: {w.letters[role].pk},
    "api:my-storm-pledges": lambda w, role: {w.pledges[role].pk},
    "api:my-rsvps": lambda w, role: {w.rsvps[role].pk},
    "api:my-briefs": lambda w, role: {w.submissions[role].pk},
    "api:actions": lambda w, role: set(
        ActionRecord.objects.filter(supporter=w.supporters[role]).values_list("pk", flat=True)
    ),
}


@pytest.mark.parametrize("role", [VOLUNTEER, OTHER])
@pytest.mark.parametrize("name", OWN_LISTS)
def test_your_own_list_holds_your_rows_only(world, db, name, role):
    own = OWN_LISTS[name](world, role)
    theirs = OWN_LISTS[name](world, OTHER if role == VOLUNTEER else VOLUNTEER)

    body = client_as(world, role).get(reverse(name)).json()

    assert own and theirs and not own & theirs
    assert {row["id"] for row in body["results"]} == own


def test_your_history_holds_what_you_did_only(world, db):
    volunteer = client_as(world, VOLUNTEER).get(reverse("api:my-actions")).json()
    other = client_as(world, OTHER).get(reverse("api:my-actions")).json()

    assert world.other_petition.title not in json.dumps(volunteer)
    assert world.other_petition.title in json.dumps(other)


@pytest.mark.parametrize("name", ["api:my-letters", "api:my-rsvps", "api:my-briefs"])
def test_your_own_list_reports_your_removals_only(world, db, name):
    """`removed` of an own list (updated_since) names your deleted rows, never another's."""
    rows = {
        "api:my-letters": world.letters,
        "api:my-rsvps": world.rsvps,
        "api:my-briefs": world.submissions,
    }[name]
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    for role in (VOLUNTEER, OTHER):
        type(rows[role]).objects.filter(pk=rows[role].pk).delete()

    body = client_as(world, VOLUNTEER).get(reverse(name), {"updated_since": since}).json()

    assert body["removed"] == [rows[VOLUNTEER].pk]


# --- The checks themselves ---------------------------------------------------------------


def test_the_leak_check_finds_details_where_they_are_shown(world, db):
    """The details are searched for as the answers hold them: an organiser's directory
    shows the volunteers' email, postcode and phone, and a volunteer's export their own
    letter's address; each would fail the check for anyone else."""
    directory = client_as(world, ORGANISER).get(reverse("api:volunteer-list"))
    export = client_as(world, VOLUNTEER).get(reverse("api:my-export"))

    for role in (VOLUNTEER, OTHER, HOST):
        person = PEOPLE[role]
        for detail in (person.email, person.postcode, person.phones[0]):
            assert detail in directory.content.decode()
    assert PEOPLE[VOLUNTEER].address in export.content.decode()
    for response, role in ((directory, STAFF), (export, OTHER)):
        with pytest.raises(AssertionError):
            assert_shows_nobody_elses_details(response, role)


def test_a_new_api_endpoint_fails_until_it_is_in_the_matrix(settings):
    from types import ModuleType

    from django.urls import include, path

    import config.urls

    class Forgotten(APIView):
        def get(self, request):
            return None

        def delete(self, request):
            return None

    urls = ModuleType("urls_with_a_new_endpoint")
    urls.urlpatterns = [
        path(
            "api/v1/", include(([path("forgotten/", Forgotten.as_view(), name="forgotten")], "api"))
        ),
        *config.urls.urlpatterns,
    ]
    settings.ROOT_URLCONF = urls

    assert api_endpoints() - set(MATRIX) == {("api:forgotten", "GET"), ("api:forgotten", "DELETE")}


def test_an_apps_session_token_gets_the_same_answers(world, db):
    """The matrix signs in with the session cookie; an app sends allauth's X-Session-Token,
    and is scoped the same way."""

    def token(role):
        response = Client().post(
            "/_allauth/app/v1/auth/login",
            {"email": PEOPLE[role].email, "password": PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return {"HTTP_X_SESSION_TOKEN": response.json()["meta"]["session_token"]}

    other, organiser, app = token(OTHER), token(ORGANISER), Client()
    rsvp, submission = world.rsvps[VOLUNTEER], world.submissions[VOLUNTEER]

    cancel = app.delete(reverse("api:my-rsvp", kwargs={"pk": rsvp.pk}), **other)
    submit = app.post(
        reverse("api:brief-submission", kwargs={"pk": submission.pk}),
        {"text": "Mine now"},
        content_type="application/json",
        **other,
    )
    check_in = app.post(
        reverse("api:event-check-in", kwargs={"pk": world.event.pk}),
        {"code": rsvp.code},
        content_type="application/json",
        **other,
    )
    directory = app.get(reverse("api:volunteer-list"), **other)
    rsvps = app.get(reverse("api:my-rsvps"), **other)

    assert (cancel.status_code, submit.status_code, check_in.status_code) == (404, 404, 403)
    assert directory.status_code == 403
    assert [row["id"] for row in rsvps.json()["results"]] == [world.rsvps[OTHER].pk]
    assert RSVP.objects.get(pk=rsvp.pk).state == rsvp.state
    assert Submission.objects.get(pk=submission.pk).text == ""
    assert app.get(reverse("api:volunteer-list"), **organiser).status_code == 200
