"""The storm page in its three phases (issue #17, part 2), with the test client: before
(countdown and pledge), during (the hand-out, "write your post", the checked post with
each network's compose link), after (report and results); times in UK time."""

import html
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from campaigns.storms.models import Pledge, Report
from tests.factories import StormFactory, StormTargetFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _url(storm):
    return f"/storms/{storm.slug}/"


def now_during(storm):
    storm.starts_at = timezone.now() - timedelta(minutes=5)
    storm.ends_at = timezone.now() + timedelta(minutes=55)
    storm.save()


def now_after(storm):
    storm.starts_at = timezone.now() - timedelta(hours=2)
    storm.ends_at = timezone.now() - timedelta(hours=1)
    storm.save()


@pytest.mark.parametrize(
    "local, utc",
    [("2026-07-01 19:00", "2026-07-01T18:00:00Z"), ("2027-01-13 19:00", "2027-01-13T19:00:00Z")],
)
def test_a_7pm_storm_shows_7pm_on_the_page_and_its_utc_instant_in_the_api(client, db, local, utc):
    starts = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)
    storm = StormFactory(starts_at=starts, ends_at=starts + timedelta(hours=1))

    page = _text(client.get(_url(storm)))
    api = client.get(f"/api/v1/storms/{storm.pk}/").json()

    assert "19:00</time> to" in page and ">20:00</time>" in page
    assert api["starts_at"] == utc


def test_before_it_starts_the_page_counts_down_and_takes_pledges(client, storm):
    response = client.get(_url(storm))

    assert response.status_code == 200
    page = _text(response)
    assert "Starts in" in page and "data-countdown=" in page
    assert "I'll take part" in page and 'name="email"' in page
    assert "Write your post" not in page
    assert "<script>" not in page


def test_an_email_pledge_answers_the_same_for_a_known_address_and_counts_once_confirmed(
    client, storm
):
    with committed():
        first = client.post(_url(storm), {"step": "pledge", "email": "jo@example.org"})
    with committed():
        again = client.post(_url(storm), {"step": "pledge", "email": "jo@example.org"})

    assert first.status_code == again.status_code == 302
    assert _text(client.get(first["Location"])).count("Check your email") >= 1
    assert Pledge.objects.count() == 1
    assert "storm-pledge-" not in "".join(first.cookies)  # known only once confirmed
    assert len(mail.outbox) == 2  # unconfirmed, so its link again (within the cap)
    link = re.search(r"https?://[^/\s]+(/storms/confirm/\S+/)", mail.outbox[-1].body).group(1)
    confirmed = client.get(link)
    assert confirmed.status_code == 200 and "Your pledge is confirmed" in _text(confirmed)
    assert f"storm-pledge-{storm.pk}" in confirmed.cookies
    assert "You've pledged: thank you." in _text(client.get(_url(storm)))


def test_a_bad_email_is_a_field_error_on_the_page(client, storm):
    response = client.post(_url(storm), {"step": "pledge", "email": "jo@"})

    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page and "Enter a valid email address." in page
    assert Pledge.objects.count() == 0


def test_signed_in_the_button_pledges_the_account(client, storm):
    client.force_login(UserFactory())

    response = client.post(_url(storm), {"step": "pledge"})

    assert response.status_code == 302
    assert Pledge.objects.get().state == Pledge.State.CONFIRMED


def test_during_the_storm_a_post_is_checked_and_opens_each_network_with_it(client, storm):
    now_during(storm)
    page = _text(client.get(_url(storm)))
    assert "Write your post" in page and "Aim at:" in page
    target = re.search(r'name="storm_target" value="(\d+)"', page).group(1)
    angle = re.search(r'name="angle" value="(\d+)"', page).group(1)

    response = client.get(
        _url(storm),
        {
            "step": "check",
            "post": "My mum's hip was done on the NHS in 2019 & I won't forget it",
            "storm_target": target,
            "angle": angle,
            "starter_index": "0",
        },
    )

    assert response.status_code == 200
    text = _text(response)
    assert "still the starter" not in text
    [x_link] = re.findall(r'href="(https://x\.com/intent/post\?[^"]+)"', text)
    posted = parse_qs(urlsplit(x_link).query)["text"][0]
    handle = storm.storm_targets.get(pk=target).target.representative.x_handle
    assert posted == (
        f"@{handle} My mum's hip was done on the NHS in 2019 & I won't forget it #LetMembersChoose"
    )
    [bsky] = re.findall(r'href="(https://bsky\.app/intent/compose\?[^"]+)"', text)
    assert "%23LetMembersChoose" in bsky and ".bsky.social" in unquote(bsky)
    assert "of 280 on X" in text and "of 300 on Bluesky" in text
    assert 'action="/storms/' in text and "mastodon" in text


def test_the_unchanged_starter_gets_the_nudge(client, storm):
    now_during(storm)
    page = _text(client.get(_url(storm)))
    starter = re.search(r"<textarea[^>]*>\s*(.*?)</textarea>", page, re.S).group(1)
    given = dict(
        re.findall(r'type="hidden" name="(storm_target|angle|starter_index)" value="(\d+)"', page)
    )
    assert set(given) == {"storm_target", "angle", "starter_index"}

    response = client.get(_url(storm), {"step": "check", "post": starter, **given})

    assert "This is still the starter, word for word." in _text(response)


def test_a_post_too_long_for_x_is_a_field_error_naming_it(client, storm):
    now_during(storm)

    response = client.get(_url(storm), {"step": "check", "post": "a" * 290})

    assert response.status_code == 400
    assert "Too long for X by" in _text(response)
    assert "x.com/intent" not in _text(response)


def test_mastodon_opens_on_the_supporters_own_server(client, storm):
    response = client.get(
        f"/storms/{storm.slug}/mastodon/", {"server": "@jo@Mastodon.Social", "text": "Hi #Tag"}
    )
    bad = client.get(
        f"/storms/{storm.slug}/mastodon/", {"server": "evil.example/path?x=", "text": "Hi"}
    )

    assert response.status_code == 302
    assert response["Location"] == "https://mastodon.social/share?text=Hi%20%23Tag"
    assert bad.status_code == 400 and "such as mastodon.social" in _text(bad)


def test_after_the_storm_a_pledger_reports_and_sees_the_results(client, storm):
    user = UserFactory()
    client.force_login(user)
    client.post(_url(storm), {"step": "pledge"})
    now_after(storm)

    response = client.post(
        _url(storm),
        {"step": "report", "network": "x", "post_url": "https://x.com/jo/status/12345"},
    )
    again = client.post(_url(storm), {"step": "report", "network": "x"})

    assert response.status_code == again.status_code == 302
    report = Report.objects.get()
    assert (report.network, report.post_url) == ("x", "https://x.com/jo/status/12345")
    page = _text(client.get(_url(storm)))
    assert "How it went" in page and "1</strong> told us they posted" in page
    assert "1 post" in page


def test_a_report_without_a_pledge_is_refused_clearly(client, storm):
    now_after(storm)

    response = client.post(_url(storm), {"step": "report", "network": "x"})

    assert response.status_code == 400
    assert "Pledge first" in _text(response) and Report.objects.count() == 0


def test_an_unpublished_storm_is_not_found(client, db):
    storm = StormFactory(is_published=False)

    assert client.get(_url(storm)).status_code == 404
    assert client.get(f"/api/v1/storms/{storm.pk}/").status_code == 404


def test_a_storm_unpublished_or_whose_campaign_is_unpublished_goes_at_once(client, storm):
    assert client.get(_url(storm)).status_code == 200  # now in the cache

    storm.is_published = False
    storm.save()
    assert client.get(_url(storm)).status_code == 404
    assert client.get(f"/api/v1/storms/{storm.pk}/").status_code == 404

    storm.is_published = True
    storm.save()
    assert client.get(_url(storm)).status_code == 200
    storm.campaign.is_published = False
    storm.campaign.save()
    assert client.get(_url(storm)).status_code == 404


def test_a_renamed_storm_is_found_by_its_new_address_only(client, storm):
    old = _url(storm)
    assert client.get(old).status_code == 200

    storm.slug = "renamed"
    storm.save()

    assert client.get(old).status_code == 404
    assert client.get("/storms/renamed/").status_code == 200


def test_the_page_during_the_storm_runs_a_fixed_number_of_queries(
    client, storm, django_assert_max_num_queries
):
    now_during(storm)
    client.get(_url(storm))  # the storm and its hand-outs into the cache
    with django_assert_max_num_queries(1):  # the counts; the rest comes from the cache
        client.get(_url(storm))
    StormTargetFactory.create_batch(20, storm=storm)
    client.get(_url(storm))

    with django_assert_max_num_queries(1):
        response = client.get(_url(storm))

    assert response.status_code == 200 and "Aim at:" in _text(response)


def test_a_new_visitors_page_during_the_storm_is_kept_per_hand_out_and_needs_no_cookie(
    client, storm, django_assert_max_num_queries
):
    now_during(storm)
    client.get(_url(storm))  # the storm and its snapshot into the cache
    client.cookies.clear()
    # Angles, starters and targets come round together every 12 hand-outs here.
    pages = [client.get(_url(storm)) for _ in range(24)]

    with django_assert_max_num_queries(0):  # every hand-out's page is kept now
        again = [client.get(_url(storm)) for _ in range(6)]

    texts = [_text(page) for page in pages + again]
    assert all(page.status_code == 200 and not page.cookies for page in pages + again)
    assert all("csrfmiddlewaretoken" not in text for text in texts)
    assert len({re.search(r"Aim at: <strong>([^<]+)", t).group(1) for t in texts}) == 3
    assert "I'll take part" in texts[0] and "?pledge" in texts[0]
    # The link asks for the page with the pledge form (with its CSRF token).
    assert 'name="email"' in _text(client.get(_url(storm), {"pledge": ""}))


def test_a_new_visitors_page_changes_when_the_storm_does(client, storm):
    now_during(storm)
    before = _text(client.get(_url(storm)))
    client.cookies.clear()
    storm.briefing = "New briefing: post at the top of the hour."
    storm.save()

    after = [_text(client.get(_url(storm))) for _ in range(3)]

    assert "New briefing" not in before and all("New briefing" in text for text in after)
