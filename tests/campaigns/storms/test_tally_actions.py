"""The tally page links to a campaign's coming and current storms, beside the targets each
aims at (campaigns.targets.actions), never to one that is over or unpublished."""

import html
from datetime import timedelta

from django.utils import timezone

from tests.factories import StormFactory, StormTargetFactory, TargetFactory


def test_the_tally_page_offers_coming_storms_beside_their_targets(client, db):
    storm = StormFactory(hashtag="LetMembersChoose")
    aimed_at = StormTargetFactory(storm=storm).target
    other = TargetFactory(campaign=storm.campaign)
    StormFactory(
        campaign=storm.campaign,
        hashtag="LongOver",
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=1),
    )
    StormFactory(campaign=storm.campaign, hashtag="NotYetPublished", is_published=False)

    page = html.unescape(client.get(f"/campaigns/{storm.campaign.slug}/").content.decode())

    assert f'href="/storms/{storm.slug}/">Join the Twitterstorm #LetMembersChoose' in page
    assert "LongOver" not in page and "NotYetPublished" not in page
    assert aimed_at.name in page and other.name in page
