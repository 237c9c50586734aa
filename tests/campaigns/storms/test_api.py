"""Storms over REST (issue #17, part 7): storms with phase and counts, the signed-in
supporter's hand-out, pledging, confirming, checking a post against each network's
limit, reporting, the cacheable counts, and your own pledges; 400s name the field."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from campaigns.storms import fits
from campaigns.storms.models import Pledge
from tests.factories import StormFactory, StormTargetFactory, UserFactory

LONG_URL = "https://www.example.org/campaigns/let-members-choose/" + "a" * 120
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


def post(client, path, data):
    with committed():
        return client.post(path, data, content_type="application/json")


def started(storm):
    storm.starts_at = timezone.now() - timedelta(minutes=5)
    storm.ends_at = timezone.now() + timedelta(minutes=55)
    storm.save()


def test_lists_storms_in_fixed_queries(client, db, django_assert_max_num_queries):
    StormFactory.create_batch(2)
    with django_assert_max_num_queries(3) as few:
        client.get("/api/v1/storms/")
    StormFactory.create_batch(20)
    StormFactory(is_published=False)

    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/v1/storms/").json()

    assert body["count"] == 22 and body["results"][0]["phase"] == "before"


def test_detail_gives_counts_and_the_signed_in_pledgers_hand_out(client, storm):
    user = UserFactory()
    client.force_login(user)
    assert client.get(f"/api/v1/storms/{storm.pk}/").json()["assignment"] is None

    pledged = post(client, f"/api/v1/storms/{storm.pk}/pledges/", {})
    again = post(client, f"/api/v1/storms/{storm.pk}/pledges/", {})
    body = client.get(f"/api/v1/storms/{storm.pk}/").json()

    assert (pledged.status_code, again.status_code) == (201, 200)
    assert body["counts"] == {"pledged": 1, "reported": 0}
    pledge = Pledge.objects.get()
    assert body["assignment"]["target"]["id"] == pledge.storm_target_id
    assert body["assignment"]["angle"]["id"] == pledge.angle_id
    assert body["assignment"]["mentions"]["x"].startswith("@mp_")
    mine = client.get("/api/v1/me/storm-pledges/").json()
    assert [p["storm_slug"] for p in mine["results"]] == [storm.slug]


def test_an_email_pledge_answers_202_the_same_way_and_confirms_by_token(client, storm):
    first = post(client, f"/api/v1/storms/{storm.pk}/pledges/", {"email": "jo@example.org"})
    again = post(client, f"/api/v1/storms/{storm.pk}/pledges/", {"email": "jo@example.org"})

    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    token = re.search(r"/storms/confirm/([^/\s]+)/", mail.outbox[-1].body).group(1)
    confirmed = post(client, "/api/v1/storms/confirm/", {"token": token})
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assert client.get(f"/api/v1/storms/{storm.pk}/counts/").json()["pledged"] == 1


def test_a_bad_email_or_token_is_a_field_error(client, storm):
    bad = post(client, f"/api/v1/storms/{storm.pk}/pledges/", {"email": "jo@"})
    token = post(client, "/api/v1/storms/confirm/", {"token": "nope"})

    assert bad.status_code == 400 and "email" in bad.json()["fields"]
    assert token.status_code == 400 and "token" in token.json()["fields"]
    assert Pledge.objects.count() == 0


def _storm_on(network, db_storm_link=LONG_URL):
    storm = StormFactory(networks=[network], hashtag="Tag", link=db_storm_link)
    target = StormTargetFactory(storm=storm, target__representative__x_handle="mp")
    return storm, target


def test_x_a_post_that_fits_exactly_is_accepted_and_one_over_refused(client, db):
    storm, target = _storm_on(fits.X)
    # "@mp " 4 + post + " #Tag" 5 + " " 1 + link 23 = 33 beside the post; an emoji counts 2.
    exact = "\U0001f600 " + "a" * (280 - 33 - 3)
    path = f"/api/v1/storms/{storm.pk}/posts/check/"

    ok = post(client, path, {"post": exact, "target": target.pk})
    over = post(client, path, {"post": exact + "a", "target": target.pk})

    assert ok.status_code == 200, ok.json()
    assert ok.json()["fits"] == [{"network": "x", "length": 280, "limit": 280, "fits": True}]
    assert ok.json()["intents"]["x"].startswith("https://x.com/intent/post?text=%40mp%20")
    assert over.status_code == 400
    assert over.json()["fields"]["post"] == [
        "Too long for X by 1: 281 of 280 (a link counts 23, an emoji 2)."
    ]


def test_bluesky_a_post_that_fits_exactly_in_graphemes_is_accepted_and_one_over_refused(client, db):
    storm, target = _storm_on(fits.BLUESKY, db_storm_link="")
    # No Bluesky account for this MP: post + " #Tag" (5); families are one grapheme each.
    exact = FAMILY * 5 + "a" * (300 - 5 - 5)
    path = f"/api/v1/storms/{storm.pk}/posts/check/"

    ok = post(client, path, {"post": exact, "target": target.pk})
    over = post(client, path, {"post": exact + "a", "target": target.pk})

    assert ok.status_code == 200 and ok.json()["fits"][0]["length"] == 300
    assert over.status_code == 400
    assert over.json()["fields"]["post"] == ["Too long for Bluesky by 1: 301 of 300."]


def test_a_target_from_another_storm_is_a_field_error(client, storm):
    other = StormTargetFactory()

    response = post(
        client, f"/api/v1/storms/{storm.pk}/posts/check/", {"post": "Hi", "target": other.pk}
    )

    assert response.status_code == 400 and "target" in response.json()["fields"]


def test_reporting_needs_a_confirmed_pledge_and_counts_once(client, storm):
    started(storm)
    client.force_login(UserFactory())
    path = f"/api/v1/storms/{storm.pk}/reports/"
    refused = post(client, path, {"network": "x"})
    post(client, f"/api/v1/storms/{storm.pk}/pledges/", {})

    first = post(client, path, {"network": "x", "post_url": "https://x.com/jo/status/1"})
    again = post(client, path, {"network": "x"})
    bad_url = post(client, path, {"post_url": "ftp://example.org"})

    assert refused.status_code == 400 and "non_field_errors" in refused.json()["fields"]
    assert (first.status_code, again.status_code) == (201, 200)
    assert bad_url.status_code == 400 and "post_url" in bad_url.json()["fields"]
    assert client.get(f"/api/v1/storms/{storm.pk}/counts/").json()["reported"] == 1


def test_reporting_needs_signing_in(client, storm):
    response = post(client, f"/api/v1/storms/{storm.pk}/reports/", {"network": "x"})

    assert response.status_code in (401, 403)


def test_the_counts_are_cacheable_with_an_etag(client, storm):
    first = client.get(f"/api/v1/storms/{storm.pk}/counts/")
    cached = client.get(f"/api/v1/storms/{storm.pk}/counts/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.json() == {"pledged": 0, "reported": 0}
    assert "max-age=5" in first["Cache-Control"]
    assert cached.status_code == 304


@pytest.mark.parametrize("path", ["/api/v1/storms/999999/", "/api/v1/storms/999999/counts/"])
def test_an_unknown_storm_is_a_json_404(client, db, path):
    response = client.get(path)

    assert response.status_code == 404 and "detail" in response.json()


def test_the_assignment_is_the_next_in_rotation_or_the_pledgers_own(
    client, storm, django_assert_max_num_queries
):
    path = f"/api/v1/storms/{storm.pk}/assignment/"
    before = client.get(path)
    started(storm)

    with django_assert_max_num_queries(5):
        first = client.get(path).json()
    handed = {client.get(path).json()["target"]["id"] for _ in range(6)}
    client.force_login(UserFactory())
    post(client, f"/api/v1/storms/{storm.pk}/pledges/", {})
    own = {client.get(path).json()["target"]["id"] for _ in range(3)}

    assert before.status_code == 400
    assert "not on now" in before.json()["fields"]["non_field_errors"][0]
    assert first["angle"]["prompt"] and first["starter"] and first["mentions"]["x"]
    assert len(handed) == 3  # all three targets, in rotation
    assert own == {Pledge.objects.get().storm_target_id}


def test_the_assignment_body_is_what_the_schema_serializer_gives(storm):
    from campaigns.storms import services
    from campaigns.storms.api import assignment_body
    from campaigns.storms.serializers import AssignmentOutput

    started(storm)
    assignment = services.assignment_next(storm=storm)

    assert assignment_body(assignment) == AssignmentOutput(assignment).data


def test_an_anonymous_apps_hand_out_is_answered_before_sessions_and_the_same_otherwise(
    client, storm, django_assert_max_num_queries
):
    started(storm)
    path = f"/api/v1/storms/{storm.pk}/assignment/"
    client.get(path)  # the storm and its snapshot into the cache

    with django_assert_max_num_queries(0):
        fast = client.get(path)
    client.cookies["sessionid"] = "someone-elses"  # not a session: the view's own way
    slow = client.get(path)

    assert fast.status_code == slow.status_code == 200
    assert set(fast.json()) == set(slow.json()) == {"angle", "starter", "target", "mentions"}
    assert fast["Cache-Control"] == "no-store" and not fast.cookies
    assert fast["Content-Length"] == str(len(fast.content))
    assert "Content-Security-Policy" not in fast  # an app's JSON, not a page
    assert client.get("/api/v1/storms/999999/assignment/").json()["status"] == 404
