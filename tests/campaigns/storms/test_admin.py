"""Organisers schedule storms in the admin (issue #17, parts 3 and 5): starters checked as
they will be sent against each network's limit (exactly at the limit saves, one over is
refused, naming the network), the storm room, the CSV of pledges and reports (never who),
and the summary."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.storms import services
from campaigns.storms.models import Angle, Twitterstorm
from tests.factories import CampaignFactory, OrganiserFactory, TargetFactory, UserFactory

LONG_URL = "https://www.example.org/campaigns/let-members-choose/" + "a" * 120
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"


def storm_post(client, campaign, *, networks, starter, link="", targets=(), storm=None):
    data = {
        "campaign": campaign.pk,
        "title": "Let members choose",
        "slug": "let-members-choose",
        "hashtag": "Tag",
        "starts_at_0": "2026-07-01",
        "starts_at_1": "19:00:00",
        "ends_at_0": "2026-07-01",
        "ends_at_1": "20:00:00",
        "briefing": "",
        "networks": networks,
        "link": link,
        "goal_statuses": '["nominated"]',
        "is_published": "on",
        "storm_targets-TOTAL_FORMS": str(len(targets)),
        "storm_targets-INITIAL_FORMS": "0",
        "angles-TOTAL_FORMS": "1",
        "angles-INITIAL_FORMS": "0",
        "angles-0-prompt": "What the NHS means to you",
        "angles-0-starter": starter,
        "angles-0-second_starter": "",
    }
    for n, target in enumerate(targets):
        data[f"storm_targets-{n}-target"] = target.pk
        data[f"storm_targets-{n}-weight"] = "1"
    url = (
        reverse("admin:storms_twitterstorm_change", args=[storm.pk])
        if storm
        else reverse("admin:storms_twitterstorm_add")
    )
    return client.post(url, data)


@pytest.fixture
def organiser(client, db):
    client.force_login(OrganiserFactory())
    return client


def test_x_a_starter_exactly_at_the_limit_saves_and_one_over_is_refused(organiser):
    campaign = CampaignFactory()
    # " #Tag" 5 + " " 1 + the link 23 beside the starter; an emoji counts 2.
    exact = "\U0001f600 " + "a" * (280 - 29 - 3)

    over = storm_post(organiser, campaign, networks=["x"], starter=exact + "a", link=LONG_URL)
    assert over.status_code == 200
    assert "Too long for X by 1: 281 of 280" in over.content.decode()
    assert not Twitterstorm.objects.exists()

    saved = storm_post(organiser, campaign, networks=["x"], starter=exact, link=LONG_URL)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    storm = Twitterstorm.objects.get()
    assert Angle.objects.get().starter == exact
    # Stored in UTC, entered in UK time: 19:00 BST is 18:00 UTC.
    assert storm.starts_at == datetime(2026, 7, 1, 18, 0, tzinfo=UTC)


def test_bluesky_a_starter_of_exactly_300_graphemes_saves_and_301_is_refused(organiser):
    campaign = CampaignFactory()
    exact = FAMILY * 5 + "a" * (300 - 5 - 5)

    over = storm_post(organiser, campaign, networks=["bluesky"], starter=exact + "a")
    assert "Too long for Bluesky by 1: 301 of 300." in over.content.decode()

    saved = storm_post(organiser, campaign, networks=["bluesky"], starter=exact)
    assert saved.status_code == 302


def test_a_saved_targets_mention_is_counted_in_the_starter(organiser):
    campaign = CampaignFactory()
    target = TargetFactory(campaign=campaign, representative__x_handle="a_long_handle_15")
    fits_without = "a" * (280 - 5)
    storm_post(organiser, campaign, networks=["x"], starter="Hi", targets=[target])
    storm = Twitterstorm.objects.get()

    response = storm_post(
        organiser, campaign, networks=["x"], starter=fits_without, storm=storm, targets=[]
    )

    page = response.content.decode()
    assert "Too long for X by 18" in page, re.findall(r'class="errorlist[^"]*">(.*?)</ul>', page)


def test_a_target_of_another_campaign_is_refused(organiser):
    campaign = CampaignFactory()
    other = TargetFactory()

    response = storm_post(organiser, campaign, networks=["x"], starter="Hi", targets=[other])

    assert response.status_code == 200
    assert "Choose one of the storm" in response.content.decode()
    assert not Twitterstorm.objects.exists()


def test_room_csv_and_summary(organiser, storm):
    user = UserFactory(email="jo@example.org")
    pledge, _ = services.pledge_by_account(storm=storm, user=user)
    storm.starts_at = timezone.now() - timedelta(minutes=10)
    storm.ends_at = timezone.now() + timedelta(minutes=50)
    storm.save()
    services.report_post(
        storm=storm, pledge=pledge, network="x", post_url="https://x.com/jo/status/=1"
    )

    room = organiser.get(reverse("admin:storms_twitterstorm_room", args=[storm.pk]))
    exported = organiser.get(reverse("admin:storms_twitterstorm_export", args=[storm.pk]))
    summary = organiser.get(reverse("admin:storms_twitterstorm_summary", args=[storm.pk]))

    page = room.content.decode()
    assert room.status_code == 200 and "Posts per target" in page
    assert "<strong>1</strong> pledged" in page and 'http-equiv="refresh"' in page
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == ["kind", "id", "at", "state", "via", "network", "target", "post_url"]
    assert [row[0] for row in rows[1:]] == ["pledge", "report"]
    assert "jo@example.org" not in exported.content.decode()
    assert rows[2][-1] == "https://x.com/jo/status/=1"
    text = summary.content.decode()
    assert "1 people pledged and 1 told us they posted" in text
    assert "#LetMembersChoose" in text


def test_the_room_needs_the_view_permission(client, storm):
    client.force_login(UserFactory(is_staff=True))

    response = client.get(reverse("admin:storms_twitterstorm_room", args=[storm.pk]))

    assert response.status_code == 403
