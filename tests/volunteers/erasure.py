"""A person with something in every app (a signature, a letter, a pledge, a place on a
shift, a campaign email sent) and the counts they added to: what the erasure tests erase,
then search every text column for."""

import pytest

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
    PetitionFactory,
    PostcodeFallbackFactory,
    ScheduledMessageFactory,
    ShiftFactory,
    StormFactory,
    SupporterFactory,
    VolunteerFactory,
)
from tests.harness.personal_data import columns_holding
from volunteers.models import Skill, Tag, Team, VolunteerProfile, VolunteerSkill

PLACES = {"volunteers.PostcodeFallback"}
EMAIL, NAME, POSTCODE, PHONE = "ada.lovelace@example.org", "Ada Lovelace", "ZA9 9ZZ", "07700 900123"
PHONE_E164 = "+447700900123"  # as a volunteer profile stores it
PERSONAL = [EMAIL, NAME, POSTCODE, PHONE, PHONE_E164]


@pytest.fixture
def person(db, smtp_sink):
    """A volunteer who signed a petition (opting in to campaign email), wrote a letter,
    pledged to a storm, took a place on a shift and was sent a campaign email; and the
    counts all that made."""
    PostcodeFallbackFactory(code=POSTCODE)
    volunteer = VolunteerFactory(email=EMAIL, name=NAME, postcode=POSTCODE)
    volunteer.user.name = NAME
    volunteer.user.save()
    profile = VolunteerProfile.objects.create(
        user=volunteer.user,
        phone=PHONE_E164,
        postcode=POSTCODE,
        constituency_code="E14009999",
        constituency_name="Signupton",
        weekends=True,
        heard_from="friend",
    )
    design, _ = Skill.objects.get_or_create(slug="design", defaults={"name": "Design and memes"})
    VolunteerSkill.objects.create(volunteer=profile, skill=design, level=3)
    profile.tags.add(Tag.objects.create(name="Has a car"))
    profile.teams.add(Team.objects.create(name="Social media"))
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
    assert set(columns_holding(PERSONAL)) >= {
        "volunteers.VolunteerProfile.phone",
        "volunteers.VolunteerProfile.postcode",
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
