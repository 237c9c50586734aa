"""Reporting a post (issue #17, parts 6 and 8): the supporter's own word, once per storm,
a URL optional and never fetched; each report is a "post" action against its target; the
privacy provider exports and erases pledges and reports, keeping the counts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.pressure.models import ActionRecord
from campaigns.storms import selectors, services
from campaigns.storms.models import Pledge, Report
from tests.factories import UserFactory
from volunteers import privacy


def started(storm):
    storm.starts_at = timezone.now() - timedelta(minutes=5)
    storm.ends_at = timezone.now() + timedelta(minutes=55)
    storm.save()
    return storm


@pytest.fixture
def pledge(storm):
    pledge, _ = services.pledge_by_account(storm=storm, user=UserFactory(email="jo@example.org"))
    return pledge


def test_a_report_is_stored_once_and_is_pressure_on_the_pledgers_target(storm, pledge):
    started(storm)
    url = "https://bsky.app/profile/jo.bsky.social/post/3kabc"

    report, created = services.report_post(
        storm=storm, pledge=pledge, network="bluesky", post_url=url
    )
    again, created_again = services.report_post(storm=storm, pledge=pledge, network="x")

    assert (created, created_again) == (True, False) and again.pk == report.pk
    assert (report.network, report.post_url) == ("bluesky", url)
    [record] = ActionRecord.objects.all()
    assert (record.kind, record.source, record.source_id) == ("post", "storms.report", report.pk)
    assert record.target_id == pledge.storm_target.target_id
    assert record.supporter_id == pledge.supporter_id
    assert selectors.storm_counts(storm.pk).reported == 1


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"network": "myspace"}, "network"),
        ({"post_url": "javascript:alert(1)"}, "post_url"),
        ({"post_url": "http://example.org/plain-http"}, "post_url"),
        ({"post_url": "https://example.org/" + "a" * 500}, "post_url"),
    ],
)
def test_bad_input_is_a_field_error_storing_nothing(storm, pledge, fields, field):
    started(storm)

    with pytest.raises(ValidationError) as refused:
        services.report_post(storm=storm, pledge=pledge, **fields)

    assert field in refused.value.message_dict
    assert Report.objects.count() == 0 and ActionRecord.objects.count() == 0


def test_no_report_before_the_storm_starts(storm, pledge):
    with pytest.raises(ValidationError) as refused:
        services.report_post(storm=storm, pledge=pledge)

    assert "hasn't started" in refused.value.messages[0]


def test_privacy_export_and_erasure_keep_the_counts(storm, pledge):
    started(storm)
    services.report_post(
        storm=storm, pledge=pledge, network="x", post_url="https://x.com/jo/status/1"
    )
    supporter = pledge.supporter

    export = privacy.supporter_export(supporter=supporter)["storms"]
    assert export["pledges"][0]["storm"] == storm.slug
    assert export["pledges"][0]["target"] == pledge.storm_target.target.name
    assert export["reports"][0]["post_url"] == "https://x.com/jo/status/1"

    privacy.supporter_erase(supporter=supporter)

    assert Pledge.objects.get().supporter_id is None
    report = Report.objects.get()
    assert report.supporter_id is None and report.post_url == ""
    assert selectors.storm_counts(storm.pk) == selectors.Counts(pledged=1, reported=1)
    assert ActionRecord.objects.count() == 1
