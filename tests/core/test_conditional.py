"""Read-mostly endpoints (issue #22, part 5): campaigns and their tallies, and letter
campaigns, send ETag and Last-Modified and answer 304 Not Modified, from one query,
while nothing behind them changed; any change (a target's status in a tally) is a new
answer."""

import time

import pytest

from campaigns.letters.models import LetterCampaign
from campaigns.targets.models import Target
from tests.factories import LetterCampaignFactory, TargetFactory

pytestmark = pytest.mark.django_db


def later():
    time.sleep(0.005)  # SQLite keeps the database's times to the millisecond


@pytest.fixture
def target():
    return TargetFactory(campaign__slug="nominations")


@pytest.mark.parametrize("path", ["/api/v1/campaigns/", "/api/v1/campaigns/nominations/"])
def test_a_tally_answers_304_while_nothing_changed_and_200_after_a_change(
    client, target, path, django_assert_max_num_queries
):
    first = client.get(path)
    etag, last_modified = first["ETag"], first["Last-Modified"]

    with django_assert_max_num_queries(1):
        unchanged = client.get(path, HTTP_IF_NONE_MATCH=etag)
    by_date = client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified)
    later()
    Target.objects.filter(pk=target.pk).update(status="nominated")
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200 and etag.startswith('"')
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert unchanged["ETag"] == etag
    assert by_date.status_code == 304
    assert changed.status_code == 200 and changed["ETag"] != etag
    tally = changed.json()["tally"] if "slug" in changed.json() else changed.json()["results"][0]
    assert "nominated" in str(tally)


def test_another_page_or_filter_is_another_etag(client, target):
    whole = client.get("/api/v1/campaigns/")
    paged = client.get("/api/v1/campaigns/", {"page_size": 1})

    assert whole["ETag"] != paged["ETag"]
    assert (
        client.get("/api/v1/campaigns/", {"page_size": 1}, HTTP_IF_NONE_MATCH=whole["ETag"])["ETag"]
        == paged["ETag"]
    )


def test_a_campaign_that_is_not_there_is_still_a_404(client, db):
    response = client.get("/api/v1/campaigns/nope/", HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 404
    assert client.get("/api/v1/campaigns/nope/").status_code == 404
    assert "ETag" not in client.get("/api/v1/campaigns/nope/")


@pytest.mark.parametrize("path", ["/api/v1/letter-campaigns/", "/api/v1/letter-campaigns/{slug}/"])
def test_letter_campaigns_are_conditional_too(client, db, path):
    letter_campaign = LetterCampaignFactory()
    path = path.format(slug=letter_campaign.slug)
    etag = client.get(path)["ETag"]

    unchanged = client.get(path, HTTP_IF_NONE_MATCH=etag)
    later()
    LetterCampaign.objects.filter(pk=letter_campaign.pk).update(state="closed")
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)

    assert unchanged.status_code == 304
    assert changed.status_code == 200 and "closed" in changed.content.decode()


def test_a_campaign_leaving_the_list_changes_it(client, target):
    TargetFactory()  # a second campaign
    etag = client.get("/api/v1/campaigns/")["ETag"]

    target.campaign.delete()

    assert client.get("/api/v1/campaigns/", HTTP_IF_NONE_MATCH=etag).status_code == 200
