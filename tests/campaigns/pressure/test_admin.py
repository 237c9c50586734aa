"""Organisers read the record of pressure and filter it; they cannot change it."""

import pytest
from django.urls import reverse

from tests.factories import ActionRecordFactory, OrganiserFactory, RepresentativeFactory

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
