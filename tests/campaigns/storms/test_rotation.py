"""Handing out targets in rotation (issue #17, part 4): even across pledgers, by weight,
and never a target that has reached the storm's goal."""

from collections import Counter

import pytest

from campaigns.storms import rotation, selectors, services
from campaigns.storms.rotation import Slot
from campaigns.targets.services import target_status_set
from tests.factories import AngleFactory, StormFactory, StormTargetFactory


def test_a_thousand_hand_outs_over_ten_equal_targets_give_each_90_to_110():
    slots = [Slot(pk, 1) for pk in range(1, 11)]

    given = Counter(rotation.pick(slots, n).storm_target_id for n in range(1, 1001))

    assert sorted(given) == list(range(1, 11))
    assert all(90 <= count <= 110 for count in given.values()), given


def test_consecutive_hand_outs_spread_across_targets_and_weights_hold():
    slots = [Slot(1, 3), Slot(2, 1), Slot(3, 1)]

    first = [rotation.pick(slots, n).storm_target_id for n in range(1, 6)]
    given = Counter(rotation.pick(slots, n).storm_target_id for n in range(1, 501))

    assert len(set(first[:3])) >= 2  # not three of target 1 in a row
    assert given == {1: 300, 2: 100, 3: 100}


def test_no_slots_hand_out_no_target():
    assert rotation.pick([], 7) is None


def test_the_counter_counts_up_per_storm():
    assert [rotation.next_number(1) for _ in range(3)] == [1, 2, 3]
    assert rotation.next_number(2) == 1


@pytest.fixture
def storm(db):
    storm = StormFactory()
    AngleFactory(storm=storm)
    StormTargetFactory.create_batch(10, storm=storm, target__status="leaning")
    return storm


def test_a_thousand_assignments_from_the_service_are_even(storm, django_assert_max_num_queries):
    services.assignment_next(storm=storm)  # reads the storm into the cache
    with django_assert_max_num_queries(0):
        services.assignment_next(storm=storm)
    given = Counter(services.assignment_next(storm=storm).storm_target_id for _ in range(998))

    assert len(given) == 10
    assert all(90 <= count <= 110 for count in given.values()), given


def test_a_target_that_reaches_the_goal_gets_no_assignment_afterwards(storm):
    services.assignment_next(storm=storm)  # the snapshot is in the cache
    nominated = storm.storm_targets.first()
    target_status_set(
        target=nominated.target, status="nominated", source_url="https://example.org/news"
    )

    given = {services.assignment_next(storm=storm).storm_target_id for _ in range(200)}

    assert nominated.pk not in given and len(given) == 9


def test_undecided_targets_are_handed_out_more_often(storm, settings):
    undecided = storm.storm_targets.first()
    undecided.target.status = "undecided"
    undecided.target.save()  # saved in the admin: forgets the snapshot too

    weights = {slot.storm_target_id: slot.weight for slot in selectors.active_slots(storm)}

    assert weights[undecided.pk] == settings.STORM_STATUS_WEIGHTS["undecided"] == 2
    assert set(weights.values()) == {1, 2}


def test_the_hot_path_hands_out_evenly_reads_no_table_and_sees_a_change_at_once(
    storm, django_assert_max_num_queries
):
    services.hand_out_now(storm_pk=storm.pk)  # the storm and its snapshot read once
    with django_assert_max_num_queries(0):
        given = Counter(
            services.hand_out_now(storm_pk=storm.pk)[2].storm_target_id for _ in range(1000)
        )
    assert len(given) == 10 and all(90 <= n <= 110 for n in given.values()), given

    nominated = storm.storm_targets.first()
    target_status_set(
        target=nominated.target, status="nominated", source_url="https://example.org/news"
    )

    after = {services.hand_out_now(storm_pk=storm.pk)[2].storm_target_id for _ in range(100)}
    assert nominated.pk not in after and len(after) == 9


def test_the_hot_path_knows_no_unpublished_storm(storm):
    assert services.hand_out_now(storm_pk=storm.pk)[0] == storm
    storm.is_published = False
    storm.save()

    assert services.hand_out_now(storm_pk=storm.pk) == (None, None, None)
