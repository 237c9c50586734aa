"""A supporter's actions and the actions they reported are exported, and erased without
leaving the counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.pressure.models import ActionRecord, ReportedAction
from campaigns.pressure.selectors import action_counts
from campaigns.pressure.services import action_report
from tests.factories import (
    ActionRecordFactory,
    RepresentativeFactory,
    SupporterFactory,
    TargetFactory,
    VolunteerFactory,
)
from volunteers import privacy

pytestmark = pytest.mark.django_db


def test_export_lists_the_supporters_actions_with_their_mp():
    supporter = SupporterFactory()
    record = ActionRecordFactory(
        supporter=supporter, target__representative=RepresentativeFactory(name="Ms Jo Smith")
    )
    ActionRecordFactory()  # someone else's

    export = privacy.supporter_export(supporter=supporter)

    assert export["pressure"] == {
        "actions": [
            {
                "kind": "letter",
                "at": record.occurred_at.isoformat(),
                "campaign": record.target.campaign.slug,
                "target": "Ms Jo Smith",
            }
        ],
        "reported_actions": [],
    }


def test_export_lists_the_actions_they_reported_with_the_posts_address():
    volunteer = VolunteerFactory()
    target = TargetFactory(representative=RepresentativeFactory(name="Ms Jo Smith"))
    when = timezone.now() - timedelta(hours=2)
    post, _ = action_report(
        user=volunteer.user,
        target_id=target.pk,
        kind="post",
        url="https://social.example/@jo/1",
        occurred_at=when,
    )
    other = VolunteerFactory()
    action_report(user=other.user, target_id=target.pk, kind="post", url="https://x.example/2")

    export = privacy.supporter_export(supporter=volunteer)

    assert export["pressure"]["reported_actions"] == [
        {
            "kind": "post",
            "at": when.isoformat(),
            "campaign": target.campaign.slug,
            "target": "Ms Jo Smith",
            "url": "https://social.example/@jo/1",
            "reported_at": post.created_at.isoformat(),
        }
    ]
    assert [a["kind"] for a in export["pressure"]["actions"]] == ["post"]


def test_erasure_forgets_who_acted_and_keeps_the_count():
    supporter = SupporterFactory()
    record = ActionRecordFactory(supporter=supporter)
    other = ActionRecordFactory(supporter=SupporterFactory())

    privacy.supporter_erase(supporter=supporter)

    record.refresh_from_db()
    other.refresh_from_db()
    assert record.supporter is None
    assert other.supporter is not None
    assert action_counts(campaign=record.target.campaign) == {record.target_id: {"letter": 1}}
    assert ActionRecord.objects.count() == 2


def test_erasure_forgets_who_reported_and_the_posts_address_and_keeps_the_count():
    volunteer, other = VolunteerFactory(), VolunteerFactory()
    target = TargetFactory()
    mine, _ = action_report(
        user=volunteer.user, target_id=target.pk, kind="post", url="https://social.example/@me/1"
    )
    action_report(user=volunteer.user, target_id=target.pk, kind="call")
    theirs, _ = action_report(
        user=other.user, target_id=target.pk, kind="post", url="https://social.example/@them/1"
    )

    privacy.supporter_erase(supporter=volunteer)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.supporter, mine.url) == (None, "")
    assert not ReportedAction.objects.filter(supporter=volunteer).exists()
    assert (theirs.supporter, theirs.url) == (other, "https://social.example/@them/1")
    assert ReportedAction.objects.count() == 3
    assert action_counts(campaign=target.campaign) == {target.pk: {"post": 2, "call": 1}}
    assert not ActionRecord.objects.filter(supporter=volunteer).exists()
