"""A supporter's actions are exported, and erased without leaving the counts."""

import pytest

from campaigns.pressure.models import ActionRecord
from campaigns.pressure.selectors import action_counts
from tests.factories import ActionRecordFactory, RepresentativeFactory, SupporterFactory
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
        ]
    }


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
