"""Deleting a person in the admin erases them through the privacy registry, never a plain
cascade: afterwards no text column of any table holds their email, name, postcode or phone,
and every count they added to is unchanged."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from tests.factories import OrganiserFactory
from tests.harness.personal_data import columns_holding
from tests.volunteers.erasure import (
    EMAIL,
    NAME,
    PERSONAL,
    PLACES,
    POSTCODE,
    counts_now,
    person,
    uploaded_files,
)
from volunteers.models import Supporter

__all__ = ["person"]  # the fixture


@pytest.mark.parametrize("through", ["supporter", "user", "bulk action"])
def test_deleting_a_person_in_the_admin_erases_them_everywhere_and_keeps_every_count(
    client, person, through, tmp_path
):
    volunteer, petition, storm, shift, counts = person
    client.force_login(OrganiserFactory())
    # An organiser looked at and edited the record first: the admin's log names it.
    client.post(
        reverse("admin:volunteers_supporter_change", args=[volunteer.pk]),
        {
            "email": EMAIL,
            "name": NAME,
            "postcode": POSTCODE,
            "constituency_code": "",
            "user": volunteer.user_id,
        },
    )

    assert LogEntry.objects.filter(object_repr=EMAIL).exists()

    if through == "supporter":
        url = reverse("admin:volunteers_supporter_delete", args=[volunteer.pk])
        page = client.get(url).content.decode()
        assert "is erased, not deleted" in page
        client.post(url, {"post": "yes"})
    elif through == "user":
        client.post(
            reverse("admin:volunteers_user_delete", args=[volunteer.user_id]), {"post": "yes"}
        )
    else:
        client.post(
            reverse("admin:volunteers_supporter_changelist"),
            {"action": "delete_selected", "_selected_action": [volunteer.pk], "post": "yes"},
        )

    # (The postcode table maps postcodes to seats: reference data about places.)
    assert columns_holding(PERSONAL, ignore=PLACES) == []
    assert uploaded_files(tmp_path) == []
    assert counts_now(petition, storm, shift) == counts
    assert Supporter.objects.get(pk=volunteer.pk).erased_at is not None
    assert Supporter.objects.filter(email="someone.else@example.org", name="Someone Else").exists()
