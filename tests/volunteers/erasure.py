"""A person with something in every app (a signature, a letter, a pledge, a place on a
shift, a campaign email sent, a post they reported) and the counts they added to: what the
erasure tests erase, then search every text column for."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from campaigns.briefs import services as briefs
from campaigns.briefs.models import Brief, Submission
from campaigns.events.models import Shift
from campaigns.events.services import rsvp_create
from campaigns.letters.models import Letter
from campaigns.petitions.models import PetitionCount
from campaigns.petitions.services import petition_counts_apply, petition_sign
from campaigns.pressure.models import ActionRecord, ReportedAction
from campaigns.pressure.services import action_report
from campaigns.storms.models import Pledge
from campaigns.storms.services import pledge_by_account
from organiser import services as organiser
from organiser.models import OutboxEmail
from tests.factories import (
    BriefFactory,
    LetterFactory,
    PetitionFactory,
    PostcodeFallbackFactory,
    ScheduledMessageFactory,
    ShiftFactory,
    StormFactory,
    SupporterFactory,
    TargetFactory,
    VolunteerFactory,
)
from tests.harness.personal_data import columns_holding
from volunteers.models import Skill, Tag, Team, VolunteerProfile, VolunteerSkill

PLACES = {"volunteers.PostcodeFallback"}
EMAIL, NAME, POSTCODE, PHONE = "ada.lovelace@example.org", "Ada Lovelace", "ZA9 9ZZ", "07700 900123"
PHONE_E164 = "+447700900123"  # as a volunteer profile stores it
POST_URL = f"https://social.example/share?by={EMAIL}"  # a post they reported
PERSONAL = [EMAIL, NAME, POSTCODE, PHONE, PHONE_E164]


@pytest.fixture
def person(db, smtp_sink, settings, tmp_path):
    """A volunteer who signed a petition (opting in to campaign email), wrote a letter,
    pledged to a storm, took a place on a shift, was sent a campaign email and sent an
    image for a creative brief (kept in UPLOADS, a directory of the test's own); and the
    counts all that made."""
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
    }
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
    brief = BriefFactory(
        campaign=storm.campaign,
        title="A meme",
        description="For the storm.",
        kind=Brief.Kind.IMAGE,
        places=1,
        skills=[design],
    )
    submission = briefs.brief_claim(brief=brief, user=volunteer.user)
    image = io.BytesIO()
    Image.new("RGB", (300, 300), "red").save(image, format="PNG")
    briefs.submission_submit(
        submission=submission,
        user=volunteer.user,
        image=SimpleUploadedFile("ada.png", image.getvalue()),
        image_alt=f"A drawing by {NAME}",
    )
    assert uploaded_files(tmp_path)
    # A post they reported at an MP, its address naming them (so the search after erasure
    # finds it if it stays); and someone else's, naming them.
    target = TargetFactory()
    action_report(user=volunteer.user, target_id=target.pk, kind="post", url=POST_URL)
    someone_else = SupporterFactory(email="someone.else@example.org", name="Someone Else")
    ReportedAction.objects.create(
        supporter=someone_else,
        target=target,
        kind="post",
        url="https://social.example/share?by=someone.else@example.org",
        occurred_at=timezone.now(),
    )
    counts = {
        "signatures": PetitionCount.objects.get(petition=petition).total,
        "letters": Letter.objects.count(),
        "pledges": Pledge.objects.filter(storm=storm).count(),
        "places": Shift.objects.get(pk=shift.pk).places_taken,
        "emails sent": OutboxEmail.objects.filter(state="sent").count(),
        "brief submissions": Submission.objects.filter(brief=brief).count(),
        "actions": ActionRecord.objects.count(),
        "reported actions": ReportedAction.objects.count(),
    }
    assert set(columns_holding(PERSONAL)) >= {
        "volunteers.VolunteerProfile.phone",
        "volunteers.VolunteerProfile.postcode",
        "volunteers.Supporter.email",
        "petitions.Signature.email",
        "letters.Letter.writer_email",
        "events.RSVP.phone",
        "pressure.ReportedAction.url",
    }
    return volunteer, petition, storm, shift, counts


def uploaded_files(tmp_path) -> list:
    return [path for path in (tmp_path / "uploads").rglob("*") if path.is_file()]


def counts_now(petition, storm, shift) -> dict:
    return {
        "signatures": PetitionCount.objects.get(petition=petition).total,
        "letters": Letter.objects.count(),
        "pledges": Pledge.objects.filter(storm=storm).count(),
        "places": Shift.objects.get(pk=shift.pk).places_taken,
        "emails sent": OutboxEmail.objects.filter(state="sent").count(),
        "brief submissions": Submission.objects.count(),
        "actions": ActionRecord.objects.count(),
        "reported actions": ReportedAction.objects.count(),
    }
