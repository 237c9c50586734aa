"""POST /api/v1/actions/: a signed-in supporter reports a call, a post or a surgery visit,
counted as pressure once however often they report it; GET /api/v1/actions/: their own
actions, or for organisers everyone's, a page at a time by cursor."""

import base64
import threading
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.utils import timezone

from campaigns.pressure.models import ActionRecord, ReportedAction
from campaigns.pressure.selectors import action_counts
from campaigns.pressure.services import REPORTED_SOURCE
from core.throttling import RequestRateThrottle
from tests.factories import (
    ActionRecordFactory,
    CampaignFactory,
    OrganiserFactory,
    SupporterFactory,
    TargetFactory,
    UserFactory,
    VolunteerFactory,
)
from volunteers.models import Supporter

pytestmark = pytest.mark.django_db

API = "/api/v1/actions/"


@pytest.fixture
def volunteer(client):
    volunteer = VolunteerFactory(email="jo@example.org")
    client.force_login(volunteer.user)
    return volunteer


@pytest.fixture
def target():
    return TargetFactory()


def report(client, **body):
    return client.post(API, body, content_type="application/json")


def counts(target) -> dict:
    return action_counts(campaign=target.campaign).get(target.pk, {})


# --- Reporting ----------------------------------------------------------------------------


def test_a_call_is_stored_and_counted_as_pressure_on_the_target(client, volunteer, target):
    response = report(client, target=target.pk, kind="call")

    assert response.status_code == 201
    body = response.json()
    reported = ReportedAction.objects.get()
    assert body["id"] == reported.pk
    assert (body["kind"], body["kind_label"], body["url"]) == ("call", "Called their office", "")
    assert (body["target"], body["target_name"]) == (target.pk, target.name)
    assert body["campaign"] == target.campaign.slug
    assert (reported.supporter, reported.target) == (volunteer, target)
    assert abs(reported.occurred_at - timezone.now()) < timedelta(seconds=10)
    record = ActionRecord.objects.get()
    assert (record.kind, record.source, record.source_id) == ("call", REPORTED_SOURCE, reported.pk)
    assert (record.supporter, record.occurred_at) == (volunteer, reported.occurred_at)
    assert counts(target) == {"call": 1}


def test_a_post_keeps_its_address_and_a_surgery_visit_is_a_kind_of_its_own(
    client, volunteer, target
):
    post = report(client, target=target.pk, kind="post", url="https://social.example/@jo/1")
    surgery = report(client, target=target.pk, kind="surgery")

    assert post.status_code == surgery.status_code == 201
    assert post.json()["url"] == "https://social.example/@jo/1"
    assert surgery.json()["kind_label"] == "Attended their surgery"
    assert counts(target) == {"post": 1, "surgery": 1}


def test_when_it_happened_is_kept_as_given(client, volunteer, target):
    when = timezone.now() - timedelta(days=3)

    response = report(client, target=target.pk, kind="call", occurred_at=when.isoformat())

    assert response.status_code == 201
    assert ReportedAction.objects.get().occurred_at == when
    assert ActionRecord.objects.get().occurred_at == when


@pytest.mark.parametrize("hours_later", [23, -23, 0])
def test_the_same_action_again_within_the_window_is_the_same_one_counted_once(
    client, volunteer, target, hours_later
):
    first_at = timezone.now() - timedelta(days=2)
    first = report(client, target=target.pk, kind="call", occurred_at=first_at.isoformat())

    again = report(
        client,
        target=target.pk,
        kind="call",
        occurred_at=(first_at + timedelta(hours=hours_later)).isoformat(),
    )

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert ReportedAction.objects.count() == 1
    assert counts(target) == {"call": 1}


@pytest.mark.parametrize("hours_later", [25, -25])
def test_the_same_action_outside_the_window_is_a_new_one(client, volunteer, target, hours_later):
    first_at = timezone.now() - timedelta(days=2)
    report(client, target=target.pk, kind="call", occurred_at=first_at.isoformat())

    again = report(
        client,
        target=target.pk,
        kind="call",
        occurred_at=(first_at + timedelta(hours=hours_later)).isoformat(),
    )

    assert again.status_code == 201
    assert counts(target) == {"call": 2}


def test_the_window_is_a_setting(client, volunteer, target, settings):
    settings.REPORTED_ACTION_MERGE_HOURS = 1
    first_at = timezone.now() - timedelta(hours=5)
    report(client, target=target.pk, kind="call", occurred_at=first_at.isoformat())

    again = report(
        client,
        target=target.pk,
        kind="call",
        occurred_at=(first_at + timedelta(hours=2)).isoformat(),
    )

    assert again.status_code == 201


def test_another_kind_another_target_or_another_person_is_another_action(client, volunteer, target):
    report(client, target=target.pk, kind="call")
    other_target = TargetFactory(campaign=target.campaign)
    someone_else = Client()
    someone_else.force_login(VolunteerFactory().user)

    statuses = [
        report(client, target=target.pk, kind="surgery").status_code,
        report(client, target=other_target.pk, kind="call").status_code,
        report(someone_else, target=target.pk, kind="call").status_code,
    ]

    assert statuses == [201, 201, 201]
    assert counts(target) == {"call": 2, "surgery": 1}
    assert counts(other_target) == {"call": 1}


def test_an_account_without_a_supporter_record_gets_one(client, target):
    user = UserFactory(email="new@example.org")
    client.force_login(user)

    response = report(client, target=target.pk, kind="call")

    assert response.status_code == 201
    supporter = Supporter.objects.get(email="new@example.org")
    assert supporter.user == user
    assert ReportedAction.objects.get().supporter == supporter


def fields_of(response) -> dict:
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"]) == (400, "invalid")
    return body["fields"]


@pytest.mark.parametrize(
    ("ago", "ok"),
    [
        (timedelta(seconds=-30), True),  # a phone's clock a little fast
        (timedelta(seconds=-120), False),  # the future
        (timedelta(days=29), True),
        (timedelta(days=31), False),
    ],
)
def test_when_it_happened_is_at_most_30_days_ago_and_not_in_the_future(
    client, volunteer, target, ago, ok
):
    response = report(
        client, target=target.pk, kind="call", occurred_at=(timezone.now() - ago).isoformat()
    )

    if ok:
        assert response.status_code == 201
    else:
        assert list(fields_of(response)) == ["occurred_at"]
        assert not ReportedAction.objects.exists()


def test_the_oldest_day_is_a_setting(client, volunteer, target, settings):
    settings.REPORTED_ACTION_MAX_AGE_DAYS = 7
    eight_days_ago = (timezone.now() - timedelta(days=8)).isoformat()

    response = report(client, target=target.pk, kind="call", occurred_at=eight_days_ago)

    assert fields_of(response) == {"occurred_at": ["Report what you did in the last 7 days."]}


def test_a_post_needs_its_address(client, volunteer, target):
    response = report(client, target=target.pk, kind="post")

    assert fields_of(response) == {"url": ["Give your post's address."]}
    assert not ReportedAction.objects.exists() and not ActionRecord.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "not an address",
        "ftp://social.example/post/1",
        "javascript:alert(1)",
        "https://",
        "https://social example/post/1",
    ],
)
def test_a_posts_address_must_be_http_or_https_and_not_too_long(client, volunteer, target, url):
    response = report(client, target=target.pk, kind="post", url=url)

    assert list(fields_of(response)) == ["url"]
    assert not ReportedAction.objects.exists()


def test_an_address_longer_than_the_column_is_refused_before_the_service(client, volunteer):
    response = report(client, target=1, kind="post", url="https://x.example/" + "a" * 500)

    assert "Ensure this field has no more than 500 characters." in fields_of(response)["url"]


def test_only_a_post_has_an_address(client, volunteer, target):
    response = report(client, target=target.pk, kind="call", url="https://social.example/1")

    assert fields_of(response) == {"url": ["Only a post has an address: leave it out."]}


def test_an_unknown_target_or_one_of_an_unpublished_campaign_is_a_400_on_target(client, volunteer):
    hidden = TargetFactory(campaign=CampaignFactory(is_published=False))

    unknown = report(client, target=999999, kind="call")
    unpublished = report(client, target=hidden.pk, kind="call")

    message = {"target": ["Choose a target of a published campaign."]}
    assert fields_of(unknown) == fields_of(unpublished) == message
    assert not ReportedAction.objects.exists()


def test_every_bad_field_is_named_at_once(client, volunteer):
    response = report(client, target="x", kind="letter", occurred_at="yesterday")

    assert set(fields_of(response)) == {"target", "kind", "occurred_at"}


def test_who_reported_it_cannot_be_given(client, volunteer, target):
    someone_else = SupporterFactory()

    response = report(
        client,
        target=target.pk,
        kind="call",
        supporter=someone_else.pk,
        supporter_id=someone_else.pk,
        id=12345,
        created_at="2020-01-01T00:00:00Z",
    )

    assert response.status_code == 201
    reported = ReportedAction.objects.get()
    assert reported.supporter == volunteer
    assert reported.pk != 12345 and reported.created_at.year > 2020
    assert ActionRecord.objects.get().supporter == volunteer


def test_a_stranger_can_neither_report_nor_list(client, target):
    ActionRecordFactory()

    reported = report(client, target=target.pk, kind="call")
    listed = client.get(API)

    assert reported.status_code in (401, 403) and listed.status_code in (401, 403)
    assert reported.json()["code"] == "not_authenticated"
    assert not ReportedAction.objects.exists()


def test_a_retry_with_the_same_idempotency_key_is_answered_again(client, volunteer, target):
    first = client.post(
        API, {"target": target.pk, "kind": "call"}, "application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = client.post(
        API, {"target": target.pk, "kind": "call"}, "application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert counts(target) == {"call": 1}


def test_reporting_has_a_stricter_rate_of_its_own_and_listing_does_not_count(
    client, volunteer, target, monkeypatch
):
    rates = {**RequestRateThrottle.THROTTLE_RATES, "actions": "2/min"}
    monkeypatch.setattr(RequestRateThrottle, "THROTTLE_RATES", rates)
    client.get(API)

    codes = [report(client, target=target.pk, kind="call").status_code for _ in range(3)]

    assert codes == [201, 200, 429]
    assert client.get(API).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("has_supporter", [True, False], ids=["supporter", "first-action"])
def test_the_same_report_sent_many_times_at_once_is_one_action(has_supporter):
    target = TargetFactory()
    user = VolunteerFactory().user if has_supporter else UserFactory()
    clients = []
    for _ in range(12):
        one = Client()
        one.force_login(user)
        clients.append(one)
    start, statuses, errors = threading.Barrier(len(clients)), [], []

    def send(one):
        try:
            start.wait()
            statuses.append(report(one, target=target.pk, kind="call").status_code)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(one,)) for one in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(statuses) == [200] * 11 + [201]
    assert Supporter.objects.filter(user=user).count() == 1
    assert ReportedAction.objects.count() == 1
    assert counts(target) == {"call": 1}


# --- Listing ------------------------------------------------------------------------------


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_volunteer_sees_only_their_own_actions_newest_first(client, volunteer):
    now = timezone.now()
    older = ActionRecordFactory(supporter=volunteer, occurred_at=now - timedelta(days=2))
    newer = ActionRecordFactory(supporter=volunteer, kind="signature", occurred_at=now)
    ActionRecordFactory(supporter=SupporterFactory(email="someone.else@example.org"))
    ActionRecordFactory(supporter=None)

    response = client.get(API)

    assert ids(response) == [newer.pk, older.pk]
    row = response.json()["results"][0]
    assert row == {
        "id": newer.pk,
        "kind": "signature",
        "kind_label": "Signature",
        "occurred_at": newer.occurred_at.isoformat().replace("+00:00", "Z"),
        "target": newer.target_id,
        "target_name": newer.target.name,
        "campaign": newer.target.campaign.slug,
        "source": "tests.thing",
        "source_id": newer.source_id,
        "supporter": None,
    }
    assert response.json()["next"] is None
    assert "someone.else" not in response.content.decode()


def test_a_reported_action_is_listed_with_its_source(client, volunteer, target):
    reported = report(client, target=target.pk, kind="surgery").json()

    [row] = client.get(API).json()["results"]

    assert (row["kind"], row["kind_label"]) == ("surgery", "Surgery visit")
    assert (row["source"], row["source_id"]) == (REPORTED_SOURCE, reported["id"])


def test_everyones_actions_are_for_organisers_only(client, volunteer):
    ActionRecordFactory(supporter=SupporterFactory())

    response = client.get(API, {"all": "1"})

    assert response.status_code == 403
    assert response.json()["detail"] == "Only organisers may list everyone's actions."


def test_a_staff_account_needs_the_permission_to_see_everyones(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    refused = client.get(API, {"all": "1"}).status_code
    staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="pressure", codename="view_actionrecord")
    )

    allowed = client.get(API, {"all": "1"}).status_code

    assert (refused, allowed) == (403, 200)


@pytest.fixture
def organiser(client):
    user = OrganiserFactory(email="organiser@example.org")
    client.force_login(user)
    return user


def test_an_organiser_sees_everyones_with_who_acted_by_id_only(client, organiser):
    jo = SupporterFactory(email="jo@example.org", name="Jo Bloggs", postcode="ZA1 1AA")
    mine = ActionRecordFactory(supporter=jo)
    erased = ActionRecordFactory(supporter=None)

    response = client.get(API, {"all": "true"})

    assert set(ids(response)) == {mine.pk, erased.pk}
    supporters = {row["id"]: row["supporter"] for row in response.json()["results"]}
    assert supporters == {mine.pk: jo.pk, erased.pk: None}
    text = response.content.decode()
    assert "jo@example.org" not in text and "Jo Bloggs" not in text and "ZA1 1AA" not in text


def test_without_all_an_organiser_sees_their_own(client, organiser):
    ActionRecordFactory(supporter=SupporterFactory())

    assert ids(client.get(API)) == []


def test_an_organiser_filters_by_campaign_target_kind_and_time(client, organiser):
    now = timezone.now()
    target = TargetFactory()
    other_target = TargetFactory(campaign=target.campaign)
    call = ActionRecordFactory(target=target, kind="call", occurred_at=now - timedelta(days=1))
    old_call = ActionRecordFactory(target=target, kind="call", occurred_at=now - timedelta(days=9))
    letter = ActionRecordFactory(target=target, kind="letter", occurred_at=now)
    elsewhere = ActionRecordFactory(target=other_target, kind="call", occurred_at=now)
    ActionRecordFactory(kind="call")  # another campaign

    def listed(**query):
        return set(ids(client.get(API, {"all": "1", **query})))

    assert listed(campaign=target.campaign.slug) == {call.pk, old_call.pk, letter.pk, elsewhere.pk}
    assert listed(target=target.pk) == {call.pk, old_call.pk, letter.pk}
    assert listed(campaign=target.campaign.slug, kind="call") == {
        call.pk,
        old_call.pk,
        elsewhere.pk,
    }
    week_ago, hour_ago = now - timedelta(days=7), now - timedelta(hours=1)
    assert listed(target=target.pk, occurred_after=week_ago.isoformat()) == {call.pk, letter.pk}
    assert listed(target=target.pk, occurred_before=hour_ago.isoformat()) == {
        call.pk,
        old_call.pk,
    }
    assert listed(campaign="no-such-campaign") == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [({"kind": "tweet"}, "kind"), ({"occurred_after": "last week"}, "occurred_after")],
)
def test_a_bad_filter_is_a_400_naming_it(client, volunteer, query, field):
    assert list(fields_of(client.get(API, query))) == [field]


@pytest.mark.parametrize(
    "position",
    ["garbage", '["2026-01-01T00:00:00Z"]', '["not a time", "1"]', '["2026-01-01", "x"]'],
)
def test_a_broken_cursor_is_a_404_in_the_error_shape(client, volunteer, position):
    cursor = base64.b64encode(urlencode({"p": position}).encode()).decode()

    response = client.get(API, {"cursor": cursor})

    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Invalid cursor"}


def follow(client, response) -> list:
    """The responses from `response` on, following `next` to the end."""
    pages = [response]
    while pages[-1].json()["next"]:
        url = urlsplit(pages[-1].json()["next"])
        pages.append(client.get(f"{url.path}?{url.query}"))
    return pages


def test_following_next_reads_every_action_once_in_order_even_at_one_time(client, organiser):
    now = timezone.now()
    same_time = ActionRecordFactory.create_batch(70, occurred_at=now - timedelta(hours=1))
    spread = [ActionRecordFactory(occurred_at=now - timedelta(minutes=n)) for n in (0, 30, 90, 120)]
    expected = [
        r.pk
        for r in sorted([*same_time, *spread], key=lambda r: (r.occurred_at, r.pk), reverse=True)
    ]

    pages = follow(client, client.get(API, {"all": "1", "page_size": 20}))

    assert [len(ids(page)) for page in pages] == [20, 20, 20, 14]
    assert [pk for page in pages for pk in ids(page)] == expected
    back = urlsplit(pages[-1].json()["previous"])
    assert ids(client.get(f"{back.path}?{back.query}")) == expected[40:60]


def test_the_page_size_is_50_by_default_and_at_most_200(client, volunteer):
    ActionRecordFactory.create_batch(210, supporter=volunteer)

    assert len(ids(client.get(API))) == 50
    assert len(ids(client.get(API, {"page_size": 500}))) == 200


@pytest.mark.parametrize("rows", [10, 150])
@pytest.mark.parametrize("everyone", [False, True], ids=["own", "all"])
def test_every_page_takes_the_same_queries_whatever_its_size_or_position(
    client, django_assert_num_queries, rows, everyone
):
    user = OrganiserFactory()
    client.force_login(user)
    supporter = SupporterFactory(user=user)
    now = timezone.now()
    for n in range(rows):
        ActionRecordFactory(supporter=supporter, occurred_at=now - timedelta(minutes=n % 7))
    query = {"all": "1"} if everyone else {}

    # The session, the account, the page (target, campaign and MP joined in).
    with django_assert_num_queries(3):
        first = client.get(API, {**query, "page_size": 3})
    with django_assert_num_queries(3):
        big = client.get(API, {**query, "page_size": 200})
    page = first
    for _ in range(3):
        url = urlsplit(page.json()["next"])
        with django_assert_num_queries(3):
            page = client.get(f"{url.path}?{url.query}")

    assert len(ids(first)) == 3 and len(ids(big)) == rows
    assert len(ids(page)) == min(3, rows - 9)  # the fourth page


@pytest.mark.django_db
@pytest.mark.parametrize("everyone", [False, True])
def test_the_list_builds_each_row_as_the_serializer_describes_it(everyone):
    from campaigns.pressure.api import action_body
    from campaigns.pressure.selectors import actions_listed
    from campaigns.pressure.serializers import ActionOutput
    from tests.factories import ActionRecordFactory, SupporterFactory

    record = ActionRecordFactory(supporter=SupporterFactory())
    [row] = actions_listed(user=None)

    described = ActionOutput(record, context={"everyone": everyone}).data

    assert action_body(row, everyone) == described
