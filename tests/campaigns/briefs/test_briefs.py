"""Creative briefs: volunteers with the skill claim one, submit checked work, organisers
approve or return it; approved images are share material, and nothing is served before."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from campaigns.briefs import services
from campaigns.briefs.models import Brief, Submission
from tests.factories import (
    BriefFactory,
    CampaignFactory,
    OrganiserFactory,
    StormFactory,
    UserFactory,
)
from volunteers.models import Skill, VolunteerProfile, VolunteerSkill
from volunteers.privacy import supporter_erase, supporter_export
from volunteers.services import supporter_link_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    """Uploads in a directory of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
    }
    return tmp_path / "uploads"


def stored_files(directory) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.is_file())


def volunteer(name="Sam", skill="design", level=3):
    user = UserFactory(name=name)
    profile = VolunteerProfile.objects.create(
        user=user, postcode="ZA1 1AA", constituency_code="E14000001"
    )
    if skill:
        VolunteerSkill.objects.create(
            volunteer=profile, skill=Skill.objects.get(slug=skill), level=level
        )
    supporter_link_user(user=user)
    return user


@pytest.fixture
def storm():
    return StormFactory(campaign=CampaignFactory(slug="the-campaign"))


@pytest.fixture
def brief(storm):
    return BriefFactory(
        campaign=storm.campaign,
        storm=storm,
        title="A meme for Thursday's storm",
        description="Something that makes people share it.",
        kind=Brief.Kind.IMAGE,
        places=1,
        skills=[Skill.objects.get(slug="design")],
    )


def png(width=400, height=300, name="my meme.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "purple").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def claim(client, brief):
    return client.post(reverse("briefs:brief", args=[brief.pk]), {"do": "claim"})


def submit(client, brief, image, alt="A purple square with the hashtag"):
    return client.post(reverse("briefs:brief", args=[brief.pk]), {"image": image, "image_alt": alt})


def test_a_volunteer_with_the_skill_claims_and_submits_an_image(client, brief, uploads):
    client.force_login(volunteer())

    claimed = claim(client, brief)
    sent = submit(client, brief, png())

    assert claimed.status_code == sent.status_code == 302
    submission = Submission.objects.get()
    assert submission.state == Submission.State.SUBMITTED
    [name] = stored_files(uploads)
    assert name.endswith(".png") and "meme" not in name  # never the uploader's file name


def test_the_last_place_goes_to_one_person_and_others_are_told(client, brief):
    client.force_login(volunteer("First"))
    claim(client, brief)
    client.force_login(volunteer("Second"))

    refused = claim(client, brief)

    assert refused.status_code == 400
    assert "Every place on this brief is taken." in refused.content.decode()
    assert Submission.objects.count() == 1


def test_a_volunteer_without_the_skill_cannot_claim(client, brief):
    client.force_login(volunteer(skill="writing"))

    refused = claim(client, brief)

    assert refused.status_code == 400
    assert "asks for a skill your profile does not list" in refused.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("fake.png", b"not an image at all", content_type="image/png"),
            "That file is not an image we can use",
        ),
        (png(60, 60), "That image is 60 x 60 pixels"),
        ("too big", "That file is too big: the limit is 1 MB."),
    ],
    ids=["not an image", "too small", "too big"],
)
def test_a_bad_upload_is_refused_with_a_message_and_stores_nothing(
    client, brief, uploads, settings, upload, message
):
    settings.BRIEF_UPLOAD_MAX_BYTES = 1024 * 1024
    if upload == "too big":
        upload = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (1024 * 1024 + 1))
    client.force_login(volunteer())
    claim(client, brief)

    response = submit(client, brief, upload)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert stored_files(uploads) == []
    assert Submission.objects.get().state == Submission.State.CLAIMED


def test_nothing_is_served_before_approval_then_it_is_share_material(client, brief, storm):
    sam = volunteer()
    services.brief_claim(brief=brief, user=sam)
    submission = services.submission_submit(
        submission=Submission.objects.get(), user=sam, image=png(), image_alt="A purple square"
    )
    url = reverse("briefs:image", args=[submission.pk])

    anonymous = client.get(url).status_code
    client.force_login(volunteer("Other"))
    other = client.get(url).status_code
    client.force_login(sam)
    owner = client.get(url).status_code
    client.logout()
    tally_before = client.get(reverse("targets:campaign", args=["the-campaign"])).content
    services.submission_approve(submission=submission, organiser=OrganiserFactory())
    approved = client.get(url)
    tally = client.get(reverse("targets:campaign", args=["the-campaign"])).content.decode()
    storm_page = client.get(reverse("storms:storm", args=[storm.slug])).content.decode()

    assert (anonymous, other, owner) == (404, 404, 200)
    assert url.encode() not in tally_before
    assert approved.status_code == 200 and approved["Content-Type"] == "image/png"
    assert f'<img src="{url}" alt="A purple square"' in tally
    assert f'<img src="{url}" alt="A purple square"' in storm_page


def test_organisers_return_work_with_a_note_and_the_volunteer_sends_it_again(
    client, brief, uploads
):
    sam = volunteer()
    client.force_login(sam)
    claim(client, brief)
    submit(client, brief, png())
    [first_file] = stored_files(uploads)
    organiser = OrganiserFactory()
    client.force_login(organiser)
    change = reverse("admin:briefs_submission_change", args=[Submission.objects.get().pk])
    client.post(change, {"note": "Make the hashtag bigger, please.", "_return": "1"})

    client.force_login(sam)
    page = client.get(reverse("briefs:brief", args=[brief.pk])).content.decode()
    submit(client, brief, png(500, 500))

    assert "Make the hashtag bigger, please." in page
    submission = Submission.objects.get()
    assert submission.state == Submission.State.SUBMITTED
    assert first_file not in stored_files(uploads) and len(stored_files(uploads)) == 1


def test_organisers_approve_from_the_admin(client, brief):
    sam = volunteer()
    services.brief_claim(brief=brief, user=sam)
    services.submission_submit(
        submission=Submission.objects.get(), user=sam, image=png(), image_alt="Square"
    )
    client.force_login(OrganiserFactory())
    change = reverse("admin:briefs_submission_change", args=[Submission.objects.get().pk])

    page = client.get(change).content.decode()
    client.post(change, {"note": "", "_approve": "1"})

    assert "Approve: share it" in page and "briefs/image/" in page
    assert Submission.objects.get().state == Submission.State.APPROVED


def test_export_holds_the_submission_and_erasure_deletes_the_upload_keeping_counts(brief, uploads):
    sam = volunteer()
    services.brief_claim(brief=brief, user=sam)
    services.submission_submit(
        submission=Submission.objects.get(), user=sam, image=png(), image_alt="Square"
    )
    supporter = supporter_link_user(user=sam)

    export = supporter_export(supporter=supporter)
    supporter_erase(supporter=supporter)

    [exported] = export["briefs"]["submissions"]
    assert exported["brief"] == brief.title and exported["image_alt"] == "Square"
    assert stored_files(uploads) == []
    submission = Submission.objects.get()
    assert (submission.supporter, submission.image.name, submission.image_alt) == (None, "", "")
    assert submission.state == Submission.State.SUBMITTED  # still counted as work done


def test_a_brief_wanting_your_skill_is_a_next_action(client, brief):
    client.force_login(volunteer())

    page = client.get(reverse("volunteers:me")).content.decode()

    assert "Make something: A meme for Thursday&#x27;s storm" in page
    assert reverse("briefs:brief", args=[brief.pk]) in page


# The API


def test_the_api_lists_claims_and_takes_a_multipart_submission(client, brief):
    client.force_login(volunteer())

    listed = client.get("/api/v1/briefs/").json()
    claimed = client.post(f"/api/v1/briefs/{brief.pk}/claims/")
    again = client.post(f"/api/v1/briefs/{brief.pk}/claims/")
    pk = claimed.json()["id"]
    bad = client.post(
        f"/api/v1/briefs/submissions/{pk}/",
        {"image": SimpleUploadedFile("x.png", b"nope"), "image_alt": "x"},
    )
    sent = client.post(
        f"/api/v1/briefs/submissions/{pk}/", {"image": png(), "image_alt": "A square"}
    )

    assert [b["id"] for b in listed["results"]] == [brief.pk]
    assert (claimed.status_code, again.status_code) == (201, 200)
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["image"]
    assert sent.status_code == 200 and sent.json()["state"] == "submitted"
    assert client.get("/api/v1/me/briefs/").json()["results"][0]["has_image"] is True


def test_the_api_refuses_someone_elses_submission(client, brief):
    sam = volunteer()
    services.brief_claim(brief=brief, user=sam)
    client.force_login(volunteer("Other"))

    response = client.post(
        f"/api/v1/briefs/submissions/{Submission.objects.get().pk}/",
        {"image": png(), "image_alt": "Mine now"},
    )

    assert response.status_code == 404
    assert Submission.objects.get().state == Submission.State.CLAIMED


def test_the_volunteer_is_emailed_the_review(brief, django_capture_on_commit_callbacks):
    from django.core import mail

    sam = volunteer()
    services.brief_claim(brief=brief, user=sam)
    services.submission_submit(
        submission=Submission.objects.get(), user=sam, image=png(), image_alt="Square"
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_return(
            submission=Submission.objects.get(), organiser=OrganiserFactory(), note="Bigger text"
        )

    [message] = mail.outbox
    assert message.to == [sam.email]
    assert "Bigger text" in message.body
    assert f"/briefs/{brief.pk}/" in message.body
