"""Smoke test of the actions list benchmark (bench/api_lists.py) and its baselines
(bench/baselines.py: NaiveActions, limit_page, LimitActions), so that a change to what they
reuse or mirror (the Actions view and its cursor, actions_listed, ActionOutput's fields,
ActionRecord's table, RowWriter) breaks the suite, not only `make bench-api`. Its own
loader fills a few hundred rows; each variant reads the first page and the page after a
position, as the benchmark does, and must list what the real view lists. Nothing is timed.
"""

import json
from urllib.parse import urlsplit

import pytest
from django.db import connection

from bench import api_lists
from bench.baselines import limit_page
from campaigns.pressure.models import ActionRecord

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.urls("bench.urls")]

ROWS = 400


@pytest.fixture
def loaded(db):
    return api_lists.load(rows=ROWS, targets=12, supporters=30)


@pytest.fixture
def organiser(client, loaded):
    organiser, _ = api_lists.organisers_make()
    client.force_login(organiser)
    return organiser


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def ids(rows) -> list[int]:
    return [row["id"] for row in rows]


def test_the_loader_writes_the_data_set_the_report_describes(loaded):
    assert loaded["ActionRecord"] == ActionRecord.objects.count() == ROWS
    assert loaded["targets"] == 12 + api_lists.OTHER_TARGETS
    kinds = set(ActionRecord.objects.values_list("kind", flat=True))
    assert api_lists.KIND in kinds and len(kinds) > 2
    # Written in the order they happened: ids follow occurred_at.
    by_time = list(ActionRecord.objects.order_by("occurred_at", "id").values_list("pk", flat=True))
    assert by_time == sorted(by_time)
    assert api_lists.filtered().count() > api_lists.PAGE_SIZE


def test_every_variant_lists_the_real_views_rows_on_the_first_page_and_after_a_position(
    client, organiser
):
    depth = api_lists.PAGE_SIZE // 2  # any position will do
    above = api_lists.filtered()[depth - 1]
    after = (above["occurred_at"], above["id"])
    expected = list(api_lists.filtered().values_list("pk", flat=True))

    real_first = results(client.get(api_lists.real_url()))
    real_deep = results(client.get(api_lists.real_url(api_lists.real_cursor_after(above))))
    with connection.cursor() as cursor:
        limit_first = json.loads(limit_page(cursor, campaign=api_lists.CAMPAIGN, kind="call"))
        limit_deep = json.loads(
            limit_page(cursor, campaign=api_lists.CAMPAIGN, kind="call", after=after)
        )
    http_first = results(client.get(api_lists.limit_http_url()))
    http_deep = results(client.get(api_lists.limit_http_url(after)))
    naive_first = results(client.get(api_lists.naive_url(1)))
    naive_second = results(client.get(api_lists.naive_url(2)))

    page = api_lists.PAGE_SIZE
    assert ids(real_first) == expected[:page]
    assert ids(real_deep) == expected[depth : depth + page]
    # The limit answers with the real view's JSON, field for field.
    assert limit_first["results"] == http_first == real_first
    assert limit_deep["results"] == http_deep == real_deep
    # The naive list: the same rows, by page number, every field of the model.
    assert ids(naive_first) == expected[:page]
    assert ids(naive_second) == expected[page : 2 * page]
    assert set(naive_first[0]) == {f.name for f in ActionRecord._meta.concrete_fields}


def test_the_real_next_link_and_the_limits_cursor_lead_to_the_same_page(client, organiser):
    first = client.get(api_lists.real_url()).json()
    following = urlsplit(first["next"])
    second = results(client.get(f"{following.path}?{following.query}"))

    with connection.cursor() as cursor:
        limit = json.loads(limit_page(cursor, campaign=api_lists.CAMPAIGN, kind="call"))
    last = api_lists.filtered().get(pk=first["results"][-1]["id"])

    assert limit["next"] == api_lists.real_cursor_after(last)
    assert second == results(client.get(api_lists.real_url(limit["next"])))


def test_the_benchmark_counts_every_query_a_request_makes(client, organiser):
    counter = api_lists.Counter()
    with connection.execute_wrapper(counter):
        _, queries, body = api_lists._timed(api_lists._get(client, api_lists.real_url()), counter)

    assert queries == 3  # the session, the account, the page
    assert len(json.loads(body)["results"]) == api_lists.PAGE_SIZE
