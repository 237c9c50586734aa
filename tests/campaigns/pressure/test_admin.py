"""Organisers read the record of pressure and the actions supporters reported, and filter
them; they cannot change them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.pressure.models import ReportedAction
from tests.factories import (
    ActionRecordFactory,
    OrganiserFactory,
    RepresentativeFactory,
    SupporterFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:pressure_actionrecord_changelist"


@pytest.fixture
def organiser_client(client):
    client.force_login(OrganiserFactory())
    return client


def test_the_list_filters_by_campaign_and_kind(organiser_client):
    shown = ActionRecordFactory(
        kind="signature", target__representative=RepresentativeFactory(name="Ms Shown")
    )
    ActionRecordFactory(kind="letter", target__campaign=shown.target.campaign)
    ActionRecordFactory(
        kind="signature", target__representative=RepresentativeFactory(name="Mr Elsewhere")
    )

    response = organiser_client.get(
        reverse(CHANGELIST),
        {"kind__exact": "signature", "target__campaign__id__exact": shown.target.campaign_id},
    )

    assert response.status_code == 200
    assert [r.pk for r in response.context["cl"].result_list] == [shown.pk]


def test_a_record_cannot_be_added_changed_or_deleted(organiser_client):
    record = ActionRecordFactory()

    add = organiser_client.get(reverse("admin:pressure_actionrecord_add"))
    view = organiser_client.get(reverse("admin:pressure_actionrecord_change", args=[record.pk]))
    delete = organiser_client.post(
        reverse("admin:pressure_actionrecord_delete", args=[record.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert view.status_code == 200 and b"Save" not in view.content
    assert delete.status_code == 403
    record.refresh_from_db()


REPORTED = "admin:pressure_reportedaction_changelist"


def reported(target, kind="call", **extra):
    return ReportedAction.objects.create(
        supporter=SupporterFactory(), target=target, kind=kind, occurred_at=timezone.now(), **extra
    )


def test_reported_actions_are_listed_by_campaign_and_kind_in_a_fixed_number_of_queries(
    organiser_client, django_assert_max_num_queries
):
    target = TargetFactory()
    shown = reported(target, "surgery")
    reported(target, "call")
    reported(TargetFactory(), "surgery")
    query = {"kind__exact": "surgery", "target__campaign__id__exact": target.campaign_id}
    with django_assert_max_num_queries(20) as few:
        response = organiser_client.get(reverse(REPORTED), query)
    for _ in range(30):
        reported(target, "surgery")

    with django_assert_max_num_queries(len(few.captured_queries)):
        organiser_client.get(reverse(REPORTED), query)

    assert response.status_code == 200
    assert [r.pk for r in response.context["cl"].result_list] == [shown.pk]


def test_a_reported_action_cannot_be_added_changed_or_deleted(organiser_client):
    action = reported(TargetFactory(), "post", url="https://social.example/1")

    add = organiser_client.get(reverse("admin:pressure_reportedaction_add"))
    view = organiser_client.get(reverse("admin:pressure_reportedaction_change", args=[action.pk]))
    delete = organiser_client.post(
        reverse("admin:pressure_reportedaction_delete", args=[action.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert view.status_code == 200 and b"Save" not in view.content
    assert b"https://social.example/1" in view.content
    assert delete.status_code == 403
    assert ReportedAction.objects.filter(pk=action.pk).exists()
