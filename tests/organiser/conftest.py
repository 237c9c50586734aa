import pytest

from campaigns.storms.models import Pledge
from tests.factories import StormFactory, SupporterFactory
from volunteers.models import ConsentRecord
from volunteers.services import consent_record


def opted_in(count: int, **kwargs):
    """Supporters who gave campaign-email consent."""
    supporters = SupporterFactory.create_batch(count, **kwargs)
    for supporter in supporters:
        consent_record(
            supporter=supporter,
            purpose=ConsentRecord.Purpose.CAMPAIGN_EMAIL,
            wording="Email me about the campaign",
            source="test",
        )
    return supporters


def pledged(storm, count: int):
    """Supporters with a confirmed pledge to the storm (no campaign-email consent)."""
    supporters = SupporterFactory.create_batch(count)
    Pledge.objects.bulk_create(
        Pledge(storm=storm, supporter=s, via="email", state=Pledge.State.CONFIRMED)
        for s in supporters
    )
    return supporters


@pytest.fixture
def storm(db):
    return StormFactory()
