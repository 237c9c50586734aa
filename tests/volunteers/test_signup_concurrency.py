"""Sign-ups racing for one new address, on PostgreSQL: the unique constraint decides, and
every request gets the answer a single sign-up gets, never a server error."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import SIGN_UP, sign_up_place
from volunteers.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unusual passphrase 42"
SIGNUPS = 20


def at_once(count: int, work) -> list:
    """work(i) for each i, all on their own thread and database connection, released
    together; the results (or the exceptions raised) in order."""
    start = threading.Barrier(count)

    def run(i):
        start.wait()
        try:
            return work(i)
        except Exception as error:  # reported by the test
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def sign_up(i: int, email: str):
    """Half through the web form, half through the mobile API, each as its own client."""
    client = Client(raise_request_exception=False)
    if i % 2:
        return client.post(
            "/_allauth/app/v1/auth/signup",
            {"email": email, "password": PASSWORD, **SIGN_UP},
            content_type="application/json",
        )
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, **SIGN_UP},
    )


@pytest.fixture(autouse=True)
def _sign_up_postcode(db):
    sign_up_place()


@pytest.fixture(autouse=True)
def _signup_limit_out_of_the_way(settings):
    """No per-IP sign-up limit: allauth counts it under a cache lock that a waiter gives up
    on after a second (answering 429), and twenty threads on a slow machine can queue that
    long. The race under test is the database's, not the limiter's."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": ""}


def test_concurrent_sign_ups_for_one_new_address_leave_one_account_and_no_errors():
    responses = at_once(SIGNUPS, lambda i: sign_up(i, "race@example.org"))

    assert [r for r in responses if isinstance(r, Exception)] == []
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    assert User.objects.filter(email="race@example.org").count() == 1
    assert EmailAddress.objects.filter(email="race@example.org").count() == 1


def test_every_racing_sign_up_gets_the_answer_of_a_single_one():
    single_web, single_app = sign_up(0, "alone@example.org"), sign_up(1, "alone2@example.org")

    responses = at_once(SIGNUPS, lambda i: sign_up(i, "race@example.org"))

    web = [r for i, r in enumerate(responses) if i % 2 == 0]
    app = [r for i, r in enumerate(responses) if i % 2]
    assert {(r.status_code, r["Location"]) for r in web} == {
        (single_web.status_code, single_web["Location"])
    }
    assert {r.status_code for r in app} == {single_app.status_code}
    assert {_pending_flows(r) for r in app} == {_pending_flows(single_app)}


def _pending_flows(response) -> tuple[str, ...]:
    flows = response.json()["data"]["flows"]
    return tuple(sorted(flow["id"] for flow in flows if flow.get("is_pending")))
