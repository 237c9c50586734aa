"""Fixed-window counters (core/ratelimit.py) and the API throttle built on them."""

import time

import pytest
from django.core.cache import caches
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

from core.ratelimit import window_counts
from core.throttling import RequestRateThrottle
from tests.factories import PASSWORD, OrganiserFactory, PetitionFactory
from tests.harness.services import require
from tests.harness.urls import api_views

CAMPAIGNS = "/api/v1/campaigns/"


def test_each_key_and_window_counts_on_its_own():
    first = window_counts([("a", 60), ("b", 60)])
    second = window_counts([("a", 60), ("c", 30)])

    assert [count for count, _ in first] == [1, 1]
    assert [count for count, _ in second] == [2, 1]
    assert all(0 < left <= window for (_, left), window in zip(second, (60, 30), strict=True))


def test_a_window_closes_after_its_seconds():
    counted = [window_counts([("burst", 2)])[0][0] for _ in range(2)]

    time.sleep(2.2)

    assert counted == [1, 2]
    assert window_counts([("burst", 2)])[0][0] == 1


@pytest.mark.redis
def test_on_redis_every_counter_has_an_expiry():
    cache = caches["default"]
    require(isinstance(cache, RedisCache), "needs the Redis cache: set REDIS_URL")

    window_counts([("expiring", 90), ("expiring", 90), ("other", 5)])

    client = get_redis_connection("default")
    ttls = [client.ttl(cache.make_key(key)) for key in ("expiring", "other")]
    assert 0 < ttls[0] <= 90
    assert 0 < ttls[1] <= 5


@pytest.fixture
def rates(monkeypatch):
    monkeypatch.setattr(RequestRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})


@pytest.mark.django_db
def test_an_anonymous_client_is_refused_past_its_rate_with_retry_after(client, rates):
    answers = [client.get(CAMPAIGNS, REMOTE_ADDR="203.0.113.7") for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["status"] == 429
    assert 0 < int(refused["Retry-After"]) <= 60


@pytest.mark.django_db
def test_each_client_address_has_its_own_allowance(client, rates):
    for _ in range(3):
        client.get(CAMPAIGNS, REMOTE_ADDR="203.0.113.7")

    assert client.get(CAMPAIGNS, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.get(CAMPAIGNS, REMOTE_ADDR="198.51.100.9").status_code == 200


@pytest.mark.django_db
def test_a_signed_in_user_is_counted_by_account_at_the_user_rate(client, rates):
    organiser = OrganiserFactory()
    assert client.login(email=organiser.email, password=PASSWORD)

    codes = [client.get(CAMPAIGNS, REMOTE_ADDR=f"203.0.113.{n}").status_code for n in range(6)]

    assert codes == [200] * 5 + [429]


@pytest.fixture
def scoped_rates(monkeypatch):
    monkeypatch.setattr(
        RequestRateThrottle,
        "THROTTLE_RATES",
        {**RequestRateThrottle.THROTTLE_RATES, "anon": "100/min", "signing": "2/min"},
    )


@pytest.mark.django_db
def test_signing_has_a_stricter_rate_of_its_own_per_client(client, scoped_rates):
    petition = PetitionFactory()
    path = f"/api/v1/petitions/{petition.slug}/signatures/"
    body = {"name": "Jo", "email": "not-checked-here", "postcode": "ZA1 1AA"}

    codes = [
        client.post(path, body, content_type="application/json", REMOTE_ADDR="203.0.113.7")
        for _ in range(3)
    ]

    assert [answer.status_code for answer in codes] == [400, 400, 429]
    assert 0 < int(codes[-1]["Retry-After"]) <= 60
    # Reading is not signing: the same client still reads; another client still signs.
    assert client.get(CAMPAIGNS, REMOTE_ADDR="203.0.113.7").status_code == 200
    other = client.post(path, body, content_type="application/json", REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 400


def test_the_writes_people_repeat_have_a_scope_and_every_scope_a_rate(settings):
    views = api_views()
    scopes = {name: getattr(cls, "throttle_scope", None) for name, cls in views.items()}
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]

    assert {
        name: scopes[name] for name in ("PetitionSign", "LetterWrite", "StormPledge", "EventSignUp")
    } == {
        "PetitionSign": "signing",
        "LetterWrite": "letters",
        "StormPledge": "pledges",
        "EventSignUp": "rsvps",
    }
    assert {scope for scope in scopes.values() if scope} <= set(rates)
    assert "signup" in settings.ACCOUNT_RATE_LIMITS  # sign-up is allauth's, limited there


@pytest.mark.parametrize("where", ["this cache", "redis"])
def test_increment_and_read_counts_and_reads_an_integer(where):
    from django.core.cache import cache

    from core.ratelimit import increment_and_read

    if where == "redis":
        require(isinstance(caches["default"], RedisCache), "needs the Redis cache: set REDIS_URL")
    assert increment_and_read("hot:counter", "hot:version", ttl=60) == (1, None)
    cache.set("hot:version", 1_732_000_000_123_456_789, 60)

    assert increment_and_read("hot:counter", "hot:version", ttl=60) == (
        2,
        1_732_000_000_123_456_789,
    )
    if where == "redis":
        connection = get_redis_connection("default")
        assert 0 < connection.ttl(cache.make_and_validate_key("hot:counter")) <= 60
