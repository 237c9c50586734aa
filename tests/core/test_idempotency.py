"""Safe retries (issue #22, part 3): every API request that creates something accepts an
Idempotency-Key; a repeat with the same key and body gets the first answer and creates
nothing, the same key with another body is a 409, and two repeats arriving at once on
PostgreSQL still create one thing."""

import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.urls import get_resolver
from django.utils import timezone

from campaigns.events.models import RSVP
from campaigns.letters.models import Letter
from campaigns.petitions.models import Signature
from campaigns.storms.models import Pledge
from core import idempotency
from core.models import IdempotencyKey
from tests.campaigns.letters.helpers import LETTER_A
from tests.factories import (
    ConstituencyFactory,
    LetterCampaignFactory,
    PetitionFactory,
    PostcodeFallbackFactory,
    RepresentativeFactory,
    ShiftFactory,
    StormFactory,
    UserFactory,
)
from tests.harness.urls import api_views


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


@dataclass
class Create:
    """One kind of create request: where it goes, its body, whether it is sent signed in,
    and what it creates."""

    name: str
    path: str
    body: dict
    other_body: dict
    user: object
    model: type

    def client(self) -> Client:
        client = Client()
        if self.user is not None:
            client.force_login(self.user)
        return client


def _seat():
    seat = ConstituencyFactory(ons_code="E14000001", name="Testford")
    PostcodeFallbackFactory(
        code="ZA1 1AA", constituency_code=seat.ons_code, constituency_name=seat.name
    )
    RepresentativeFactory(constituency=seat, name="Ms MP", address_as="Ms MP")


def signing() -> Create:
    _seat()
    petition = PetitionFactory()
    body = {"name": "Jo Bloggs", "email": "jo@example.org", "postcode": "ZA1 1AA"}
    return Create(
        "signing",
        f"/api/v1/petitions/{petition.slug}/signatures/",
        body,
        {**body, "email": "someone.else@example.org"},
        None,
        Signature,
    )


def letters() -> Create:
    _seat()
    letter_campaign = LetterCampaignFactory()
    body = {
        "name": "Jo Bloggs",
        "email": "jo@example.org",
        "postcode": "ZA1 1AA",
        "address": "1 High Street\nTestford",
        "subject": "Please nominate the candidate",
        "body": LETTER_A,
    }
    return Create(
        "letters",
        f"/api/v1/letter-campaigns/{letter_campaign.slug}/letters/",
        body,
        {**body, "subject": "Another subject"},
        None,
        Letter,
    )


def pledges() -> Create:
    storm = StormFactory()
    return Create(
        "pledges", f"/api/v1/storms/{storm.pk}/pledges/", {}, {"name": "Jo"}, UserFactory(), Pledge
    )


def rsvps() -> Create:
    shift = ShiftFactory()
    later = ShiftFactory(event=shift.event, starts_at=shift.starts_at + timedelta(days=1))
    return Create(
        "rsvps",
        f"/api/v1/events/{shift.event_id}/rsvps/",
        {"shift": shift.pk},
        {"shift": later.pk},
        UserFactory(),
        RSVP,
    )


CREATES = [signing, letters, pledges, rsvps]


def send(client, create, body, key=None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    with committed():
        return client.post(create.path, body, content_type="application/json", **headers)


@pytest.mark.django_db
@pytest.mark.parametrize("make", CREATES, ids=lambda make: make.__name__)
def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(make, mailoutbox):
    create = make()
    client = create.client()

    first = send(client, create, create.body, key="2b0e6c1e-9d4f-4c53-8a43-1f8d2e6b7c10")
    mails = len(mailoutbox)
    again = send(client, create, create.body, key="2b0e6c1e-9d4f-4c53-8a43-1f8d2e6b7c10")

    assert first.status_code in (200, 201, 202)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert create.model.objects.count() == 1
    assert len(mailoutbox) == mails  # no second confirmation email either


@pytest.mark.django_db
@pytest.mark.parametrize("make", CREATES, ids=lambda make: make.__name__)
def test_the_same_key_with_another_body_is_a_409_and_creates_nothing(make):
    create = make()
    client = create.client()
    send(client, create, create.body, key="key-1")

    response = send(client, create, create.other_body, key="key-1")

    assert response.status_code == 409
    assert response.json() == {
        "status": 409,
        "code": "idempotency_key_reused",
        "detail": "This Idempotency-Key was already used with a different request.",
    }
    assert create.model.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_each_request_runs_as_before():
    create = pledges()
    client = create.client()

    first = send(client, create, create.body)
    again = send(client, create, create.body)

    assert (first.status_code, again.status_code) == (201, 200)  # the service's own answer
    assert "Idempotent-Replayed" not in again
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_a_failed_request_keeps_nothing_so_the_corrected_retry_runs():
    create = signing()
    client = create.client()

    refused = send(client, create, {**create.body, "email": "not an email"}, key="k")
    corrected = send(client, create, create.body, key="k")

    assert refused.status_code == 400 and "email" in refused.json()["fields"]
    assert corrected.status_code == 202 and "Idempotent-Replayed" not in corrected
    assert Signature.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_account():
    create = pledges()
    someone_else = Create(**{**create.__dict__, "user": UserFactory()})
    send(create.client(), create, create.body, key="k")

    theirs = send(someone_else.client(), someone_else, create.body, key="k")

    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Pledge.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "a\tb"], ids=["empty", "long", "é", "tab"])
def test_a_bad_key_is_a_400_naming_the_header(key):
    create = signing()

    response = send(create.client(), create, create.body, key=key)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["Idempotency-Key"]
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_an_expired_key_is_free_again_and_the_purge_forgets_it(settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    create = rsvps()
    client = create.client()
    send(client, create, create.body, key="k")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = send(client, create, create.other_body, key="k")

    assert response.status_code == 201  # a new request, not a 409
    assert RSVP.objects.count() == 2
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency.idempotency_keys_purge() == 1
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_deleting_an_account_deletes_its_keys():
    create = pledges()
    send(create.client(), create, create.body, key="k")

    create.user.delete()

    assert not IdempotencyKey.objects.exists()


# POSTs under /api/v1/ that create nothing, and why they need no key.
CREATE_NOTHING = {
    "SignatureConfirm": "confirms by a token: repeating it changes nothing",
    "LetterConfirm": "confirms by a token: repeating it changes nothing",
    "PledgeConfirm": "confirms by a token: repeating it changes nothing",
    "RSVPConfirm": "confirms by a token: repeating it changes nothing",
    "PostCheck": "stores nothing",
    "EventCheckIn": "marks an existing sign-up attended: repeating it changes nothing",
    "SubmissionSubmit": "replaces the work on a claim the volunteer already has",
}


def test_every_api_post_that_creates_takes_an_idempotency_key():
    posting = {name: cls for name, cls in api_views().items() if hasattr(cls, "post")}

    unkeyed = sorted(
        name
        for name, cls in posting.items()
        if not getattr(cls.post, "idempotent", False) and name not in CREATE_NOTHING
    )

    assert "PetitionSign" in posting and "EventSignUp" in posting  # the walk finds them
    assert unkeyed == []
    assert set(CREATE_NOTHING) <= set(posting)  # no stale entries


def test_the_schema_documents_the_header(client, db):
    schema = client.get("/api/v1/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/petitions/{slug}/signatures/"]["post"]

    assert {"in": "header", "name": "Idempotency-Key"}.items() <= next(
        p for p in operation["parameters"] if p["name"] == "Idempotency-Key"
    ).items()


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("make", CREATES, ids=lambda make: make.__name__)
def test_two_retries_at_once_create_one_thing(make, monkeypatch):
    """The first request is held inside its transaction (after doing its work) until the
    second is seen waiting on the key; then both finish with the same answer."""
    create = make()
    view = get_resolver().resolve(create.path).func.cls
    handler = view.post.__wrapped__
    inside, release = threading.Event(), threading.Event()

    def held(self, request, *args, **kwargs):
        response = handler(self, request, *args, **kwargs)
        if not inside.is_set():
            inside.set()
            release.wait(timeout=20)
        return response

    monkeypatch.setattr(view, "post", idempotency.idempotent(held))
    answers = {}

    def retry(name):
        try:
            answers[name] = create.client().post(
                create.path,
                create.body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="same-key",
            )
        finally:
            connection.close()

    first = threading.Thread(target=retry, args=("first",))
    first.start()
    assert inside.wait(timeout=20)
    second = threading.Thread(target=retry, args=("second",))
    second.start()
    deadline = time.monotonic() + 20
    while _waiting_on_a_lock() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    waited = _waiting_on_a_lock()
    release.set()
    first.join(30)
    second.join(30)

    assert waited >= 1  # the second really arrived while the first was at work
    assert answers["first"].status_code in (200, 201, 202)
    assert answers["second"].status_code == answers["first"].status_code
    assert answers["second"].json() == answers["first"].json()
    assert answers["second"]["Idempotent-Replayed"] == "true"
    assert create.model.objects.count() == 1


@pytest.mark.django_db
def test_the_kept_answers_are_in_the_export_and_go_with_erasure():
    from volunteers.models import Supporter
    from volunteers.privacy import supporter_erase, supporter_export

    create = pledges()
    send(create.client(), create, create.body, key="my-key")
    supporter = Supporter.objects.get(user=create.user)

    exported = supporter_export(supporter=supporter)
    supporter_erase(supporter=supporter)

    [kept] = exported["volunteers"]["account"]["api_answers_kept"]
    assert kept["idempotency_key"] == "my-key" and kept["status"] == 201
    assert not IdempotencyKey.objects.exists()
