"""Deleting a person in the admin erases them through the privacy registry, never a plain
cascade: afterwards no text column of any table holds their email, name, postcode or phone,
and every count they added to is unchanged."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from campaigns.events.models import Shift
from campaigns.events.services import rsvp_create
from campaigns.letters.models import Letter
from campaigns.petitions.models import PetitionCount
from campaigns.petitions.services import petition_counts_apply, petition_sign
from campaigns.storms.models import Pledge
from campaigns.storms.services import pledge_by_account
from organiser import services as organiser
from organiser.models import OutboxEmail
from tests.factories import (
    LetterFactory,
    OrganiserFactory,
    PetitionFactory,
    PostcodeFallbackFactory,
    ScheduledMessageFactory,
    ShiftFactory,
    StormFactory,
    SupporterFactory,
    VolunteerFactory,
)
from tests.harness.personal_data import columns_holding
from volunteers.models import Supporter

PLACES = {"volunteers.PostcodeFallback"}
EMAIL, NAME, POSTCODE, PHONE = "ada.lovelace@example.org", "Ada Lovelace", "ZA9 9ZZ", "07700 900123"


@pytest.fixture
def person(db, smtp_sink):
    """A volunteer who signed a petition (opting in to campaign email), wrote a letter,
    pledged to a storm, took a place on a shift and was sent a campaign email; and the
    counts all that made."""
    PostcodeFallbackFactory(code=POSTCODE)
    volunteer = VolunteerFactory(email=EMAIL, name=NAME, postcode=POSTCODE)
    volunteer.user.name = NAME
    volunteer.user.save()
    petition = PetitionFactory(state="open", confirmation_required=False)
    petition_sign(
        petition=petition, name=NAME, email=EMAIL, postcode=POSTCODE, campaign_email_opt_in=True
    )
    petition_counts_apply()
    LetterFactory(
        supporter=volunteer, writer_name=NAME, writer_email=EMAIL, writer_postcode=POSTCODE,
        body=f"Yours, {NAME}",
    )  # fmt: skip
    storm = StormFactory()
    pledge_by_account(storm=storm, user=volunteer.user)
    shift = ShiftFactory()
    rsvp_create(shift=shift, name=NAME, phone=PHONE, user=volunteer.user)
    message = ScheduledMessageFactory()
    organiser.message_fan_out(message_id=message.pk)
    organiser.outbox_send(message_id=message.pk)
    SupporterFactory(email="someone.else@example.org", name="Someone Else")
    counts = {
        "signatures": PetitionCount.objects.get(petition=petition).total,
        "letters": Letter.objects.count(),
        "pledges": Pledge.objects.filter(storm=storm).count(),
        "places": Shift.objects.get(pk=shift.pk).places_taken,
        "emails sent": OutboxEmail.objects.filter(state="sent").count(),
    }
    assert set(columns_holding([EMAIL, NAME, POSTCODE, PHONE])) >= {
        "volunteers.Supporter.email",
        "petitions.Signature.email",
        "letters.Letter.writer_email",
        "events.RSVP.phone",
    }
    return volunteer, petition, storm, shift, counts


def counts_now(petition, storm, shift) -> dict:
    return {
        "signatures": PetitionCount.objects.get(petition=petition).total,
        "letters": Letter.objects.count(),
        "pledges": Pledge.objects.filter(storm=storm).count(),
        "places": Shift.objects.get(pk=shift.pk).places_taken,
        "emails sent": OutboxEmail.objects.filter(state="sent").count(),
    }


@pytest.mark.parametrize("through", ["supporter", "user", "bulk action"])
def test_deleting_a_person_in_the_admin_erases_them_everywhere_and_keeps_every_count(
    client, person, through
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
    assert columns_holding([EMAIL, NAME, POSTCODE, PHONE], ignore=PLACES) == []
    assert counts_now(petition, storm, shift) == counts
    assert Supporter.objects.get(pk=volunteer.pk).erased_at is not None
    assert Supporter.objects.filter(email="someone.else@example.org", name="Someone Else").exists()
