"""Recording and withdrawing actions against targets."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.pressure.models import ActionRecord
from campaigns.pressure.services import (
    Action,
    action_record,
    actions_record,
    actions_withdraw,
)
from tests.factories import SupporterFactory, TargetFactory

pytestmark = pytest.mark.django_db


def record(target, source_id=1, **overrides):
    values = {"kind": "letter", "source": "letters.letter", "source_id": source_id}
    return action_record(target=target, **{**values, **overrides})


def test_recording_stores_the_action_with_its_supporter_and_time():
    target = TargetFactory()
    supporter = SupporterFactory()
    sent_at = timezone.now() - timedelta(hours=3)

    assert record(target, supporter=supporter, occurred_at=sent_at) is True

    saved = ActionRecord.objects.get()
    assert (saved.target, saved.kind, saved.supporter, saved.occurred_at) == (
        target, "letter", supporter, sent_at,
    )  # fmt: skip
    assert (saved.source, saved.source_id) == ("letters.letter", 1)


def test_recording_the_same_thing_twice_records_it_once(django_assert_num_queries):
    target = TargetFactory()
    record(target)

    with django_assert_num_queries(1):
        again = record(target, occurred_at=timezone.now() + timedelta(days=1))

    assert again is False
    assert ActionRecord.objects.count() == 1


def test_one_thing_may_press_on_several_targets_and_sources_do_not_collide():
    first, second = TargetFactory(), TargetFactory()

    record(first, source_id=7)
    record(second, source_id=7)
    record(first, source_id=7, source="petitions.signature", kind="signature")

    assert ActionRecord.objects.count() == 3


def test_an_unknown_kind_or_missing_source_is_refused():
    target = TargetFactory()

    with pytest.raises(ValidationError) as error:
        record(target, kind="carrier-pigeon", source="")

    assert set(error.value.message_dict) == {"kind", "source"}
    assert not ActionRecord.objects.exists()


def test_recording_many_takes_one_statement_and_skips_those_already_recorded(
    django_assert_num_queries,
):
    target = TargetFactory()
    record(target, source_id=1)

    with django_assert_num_queries(1):
        actions_record(
            kind="letter",
            source="letters.letter",
            actions=[Action(target_id=target.pk, source_id=n) for n in (1, 2, 3)],
        )

    assert sorted(ActionRecord.objects.values_list("source_id", flat=True)) == [1, 2, 3]


def test_recording_nothing_touches_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        actions_record(kind="letter", source="letters.letter", actions=[])


def test_withdrawing_deletes_only_those_things_records(django_assert_num_queries):
    first, second = TargetFactory(), TargetFactory()
    record(first, source_id=1)
    record(second, source_id=1)
    record(first, source_id=2)
    record(first, source_id=1, source="petitions.signature", kind="signature")

    with django_assert_num_queries(1):
        withdrawn = actions_withdraw(source="letters.letter", source_ids=[1, 99])

    assert withdrawn == 2
    assert sorted(ActionRecord.objects.values_list("source", "source_id")) == [
        ("letters.letter", 2),
        ("petitions.signature", 1),
    ]


def test_a_withdrawn_thing_can_be_recorded_again():
    target = TargetFactory()
    record(target)
    actions_withdraw(source="letters.letter", source_ids=[1])

    assert record(target) is True
    assert ActionRecord.objects.count() == 1
