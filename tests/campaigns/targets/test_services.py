import pytest
from django.core.exceptions import ValidationError

from campaigns.targets.services import target_status_set
from tests.factories import TargetFactory

pytestmark = pytest.mark.django_db


def test_a_status_change_without_a_source_link_is_refused_naming_source_url():
    target = TargetFactory(status="leaning")

    with pytest.raises(ValidationError) as error:
        target_status_set(target=target, status="nominated", source_url="  ")

    assert set(error.value.message_dict) == {"source_url"}
    target.refresh_from_db()
    assert target.status == "leaning"
    assert not target.status_changes.exists()


def test_a_source_link_longer_than_its_column_is_refused_naming_source_url():
    target = TargetFactory(status="leaning")

    with pytest.raises(ValidationError) as error:
        target_status_set(
            target=target, status="nominated", source_url="https://example.org/" + "s" * 181
        )

    assert set(error.value.message_dict) == {"source_url"}
    target.refresh_from_db()
    assert target.status == "leaning"
    assert not target.status_changes.exists()


def test_a_status_change_records_its_source_link():
    target = TargetFactory(status="leaning")

    change = target_status_set(
        target=target, status="nominated", source_url="https://example.org/statement"
    )

    assert target.status_changes.get() == change
    assert change.source_url == "https://example.org/statement"
