"""Reading pressure: counts per target and kind, and actions per day."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from campaigns.pressure.models import ActionRecord
from campaigns.pressure.selectors import action_counts, actions_over_time
from tests.factories import ActionRecordFactory, CampaignFactory, TargetFactory

pytestmark = pytest.mark.django_db


def records_for(targets, kinds):
    """For each target i: i+1 actions of each kind (bulk, so 300 targets stay quick)."""
    ActionRecord.objects.bulk_create(
        ActionRecord(target=target, kind=kind, source=f"tests.{kind}", source_id=n)
        for i, target in enumerate(targets)
        for kind in kinds
        for n in range(i + 1)
    )


@pytest.mark.parametrize("number", [3, 300])
def test_counts_per_target_and_kind_take_one_query(number, django_assert_num_queries):
    campaign = CampaignFactory()
    targets = TargetFactory.create_batch(number, campaign=campaign)
    records_for(targets, ["letter", "signature"])
    ActionRecordFactory()  # another campaign's

    with django_assert_num_queries(1):
        counts = action_counts(campaign=campaign)

    assert len(counts) == number
    assert counts[targets[0].pk] == {"letter": 1, "signature": 1}
    assert counts[targets[-1].pk] == {"letter": number, "signature": number}


def test_counts_can_be_limited_to_some_kinds():
    target = TargetFactory()
    records_for([target], ["letter", "signature", "call"])

    counts = action_counts(campaign=target.campaign, kinds=["letter", "call"])

    assert counts == {target.pk: {"letter": 1, "call": 1}}


def test_a_target_without_actions_is_absent_from_the_counts():
    target = TargetFactory()

    assert action_counts(campaign=target.campaign) == {}


def test_actions_over_time_counts_each_local_day_with_empty_days_as_zero(
    django_assert_num_queries,
):
    target = TargetFactory()
    today = timezone.localdate()

    def at(days_ago, hour):
        moment = datetime.combine(today - timedelta(days=days_ago), time(hour))
        return timezone.make_aware(moment)

    for moment in [at(0, 0), at(0, 23), at(2, 12), at(6, 1), at(7, 12)]:
        ActionRecordFactory(target=target, occurred_at=moment)
    ActionRecordFactory(occurred_at=at(0, 12))  # another target's

    with django_assert_num_queries(1):
        days = actions_over_time(target=target, days=7)

    assert days == [
        (today - timedelta(days=n), c)
        for n, c in zip(range(6, -1, -1), [1, 0, 0, 0, 1, 0, 2], strict=True)
    ]


def test_actions_over_time_can_be_limited_to_some_kinds():
    target = TargetFactory()
    ActionRecordFactory(target=target, kind="letter")
    ActionRecordFactory(target=target, kind="signature")

    [(_, letters)] = actions_over_time(target=target, days=1, kinds=["letter"])

    assert letters == 1
