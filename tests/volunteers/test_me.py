"""/me/: the next useful actions for the signed-in person, what they have done, their
profile and their consent history."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns.events.models import RSVP
from campaigns.petitions.services import petition_sign
from campaigns.storms.models import Pledge
from campaigns.targets.models import TargetStatus
from tests.factories import (
    PASSWORD,
    ConstituencyFactory,
    EventFactory,
    LetterCampaignFactory,
    LetterFactory,
    PetitionFactory,
    PostcodeFallbackFactory,
    RepresentativeFactory,
    ShiftFactory,
    StormFactory,
    TargetFactory,
    UserFactory,
    sign_up_details,
)
from volunteers.models import ConsentRecord, Supporter, VolunteerProfile
from volunteers.services import ProfileDetails, supporter_link_user, volunteer_sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_seat(db):
    """The sign-up postcode's constituency, and its MP."""
    sign_up_details()
    seat = ConstituencyFactory(ons_code="E14009999", name="Signupton")
    return RepresentativeFactory(constituency=seat, name="Alex Member")


@pytest.fixture
def volunteer(client, home_seat):
    """A signed-in volunteer whose profile puts them in Signupton."""
    from volunteers.places import place_for_postcode

    user = UserFactory(email="sam@example.org", name="Sam Volunteer")
    volunteer_sign_up(
        user=user, details=ProfileDetails(place=place_for_postcode(sign_up_details()["postcode"]))
    )
    supporter_link_user(user=user)
    client.force_login(user)
    return user


def next_actions(client) -> list[str]:
    page = client.get(reverse("volunteers:me")).content.decode()
    return re.findall(r'<li class="next-action next-(\w+)"><a href="([^"]+)"', page)


def test_a_letter_to_your_own_undecided_mp_is_suggested_until_you_write_it(client, volunteer):
    letters = LetterCampaignFactory()
    TargetFactory(campaign=letters.campaign, representative=volunteer_mp(), status="undecided")
    elsewhere = LetterCampaignFactory()  # an undecided MP, but not this volunteer's
    TargetFactory(campaign=elsewhere.campaign, status=TargetStatus.UNDECIDED)
    decided = LetterCampaignFactory()
    TargetFactory(campaign=decided.campaign, representative=volunteer_mp(), status="nominated")

    before = next_actions(client)
    said = client.get("/me/").content.decode()
    LetterFactory(
        letter_campaign=letters,
        supporter=volunteer.supporter,
        representative=volunteer_mp(),
    )
    after = next_actions(client)

    assert ("letter", reverse("letters:write", args=[letters.slug])) in before
    assert [kind for kind, _ in before].count("letter") == 1
    assert "Your MP, Alex Member, has not decided yet" in said
    assert [kind for kind, _ in after].count("letter") == 0


def volunteer_mp():
    from campaigns.targets.models import Representative

    return Representative.objects.get(name="Alex Member")


def test_storms_of_the_coming_week_not_yet_pledged_are_suggested(client, volunteer):
    soon, pledged = StormFactory(), StormFactory()
    StormFactory(starts_at=timezone.now() + timedelta(days=8))  # too far ahead
    StormFactory(is_published=False)
    Pledge.objects.create(storm=pledged, supporter=volunteer.supporter, via="account")

    storms = [url for kind, url in next_actions(client) if kind == "storm"]

    assert storms == [reverse("storms:storm", args=[soon.slug])]


def test_events_near_you_with_places_are_suggested(client, volunteer):
    near = ShiftFactory(event=EventFactory()).event
    ShiftFactory(event=EventFactory(latitude=53.48, longitude=-2.24))  # Manchester
    full = ShiftFactory(event=EventFactory(), capacity=1, places_taken=1).event
    joined_shift = ShiftFactory()
    RSVP.objects.create(
        shift=joined_shift,
        supporter=volunteer.supporter,
        name="Sam",
        email="sam@example.org",
        state=RSVP.State.SIGNED_UP,
        code="AB12CD",
    )

    events = [url for kind, url in next_actions(client) if kind == "event"]

    assert events == [reverse("events:event", args=[near.slug])]
    assert full.slug not in str(events)


def test_open_petitions_not_yet_signed_are_suggested(client, volunteer):
    unsigned, signed = PetitionFactory(), PetitionFactory()
    PetitionFactory(state="closed")
    petition_sign(
        petition=signed, name="Sam", email="sam@example.org", postcode=sign_up_details()["postcode"]
    )

    petitions = [url for kind, url in next_actions(client) if kind == "petition"]

    assert petitions == [reverse("petitions:detail", args=[unsigned.slug])]


def test_a_petition_signed_before_signing_up_shows_under_your_actions(client, home_seat):
    petition = PetitionFactory(title="Put her on the ballot")
    petition_sign(
        petition=petition,
        name="Sam",
        email="Sam@Example.org",
        postcode=sign_up_details()["postcode"],
    )

    client.post(
        reverse("account_signup"),
        {"email": "sam@example.org", "password1": PASSWORD, "password2": PASSWORD}
        | sign_up_details(),
    )
    message = next(m for m in mail.outbox if "/accounts/confirm-email/" in m.body)
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", message.body).group(1)
    verified = client.post(reverse("account_confirm_email", args=[key]))
    page = client.get(verified["Location"])

    assert verified["Location"] == reverse("volunteers:me")
    assert "Signed the petition: Put her on the ballot" in page.content.decode()


def test_the_page_runs_the_same_queries_however_much_you_have_done(
    client, volunteer, django_assert_max_num_queries
):
    def add_history(n):
        for _ in range(n):
            petition = PetitionFactory()
            petition_sign(
                petition=petition, name="Sam", email="sam@example.org", postcode="ZA9 9ZZ"
            )
            LetterFactory(supporter=volunteer.supporter)
            ShiftFactory()
            StormFactory()

    add_history(1)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("volunteers:me"))
    add_history(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("volunteers:me"))

    assert page.content.decode().count("Signed the petition") == 11


def test_the_header_links_to_your_page_once_signed_in(client, volunteer):
    page = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("volunteers:me")}">Your page</a>' in page


def test_signing_in_lands_on_your_page(client):
    UserFactory(email="jo@example.org")

    signed_in = client.post(
        reverse("account_login"), {"login": "jo@example.org", "password": PASSWORD}
    )

    assert signed_in["Location"] == reverse("volunteers:me")


def test_your_page_needs_you_signed_in(client):
    response = client.get(reverse("volunteers:me"))

    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# The profile


def profile_form(**changes) -> dict:
    form = {
        **sign_up_details(),
        "phone": "07400 123456",
        "skill-writing": "2",
        "weekends": "on",
        "hours_per_week": "3",
        "heard_from": "news",
        "consent_campaign_email": "on",
    }
    return {key: value for key, value in {**form, **changes}.items() if value is not None}


def test_editing_the_profile_changes_it_and_keeps_the_new_postcode_on_the_supporter(
    client, volunteer
):
    PostcodeFallbackFactory(code="ZA5 5AB", constituency_code="E14000555")

    response = client.post(
        reverse("volunteers:profile"), profile_form(postcode="za5 5ab", name="Sam V")
    )

    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(user=volunteer)
    assert (profile.postcode, profile.constituency_code) == ("ZA5 5AB", "E14000555")
    assert profile.phone == "+447400123456" and profile.weekends and profile.hours_per_week == 3
    assert [(s.skill.slug, s.level) for s in profile.skills.all()] == [("writing", 2)]
    supporter = Supporter.objects.get(user=volunteer)
    assert (supporter.postcode, supporter.constituency_code, supporter.name) == (
        "ZA5 5AB",
        "E14000555",
        "Sam V",
    )


def test_consents_given_and_withdrawn_are_kept_as_a_history_per_purpose(client, volunteer):
    client.post(reverse("volunteers:profile"), profile_form())
    client.post(reverse("volunteers:profile"), profile_form(consent_campaign_email=None))
    client.post(reverse("volunteers:profile"), profile_form())

    records = ConsentRecord.objects.filter(supporter__user=volunteer).order_by("given_at", "pk")
    assert [(r.purpose, r.withdrawn_at is None) for r in records] == [
        ("campaign-email", False),
        ("campaign-email", True),
    ]
    page = client.get(reverse("volunteers:me")).content.decode()
    assert page.count("agreed <time") == 2 and page.count("withdrawn <time") == 1


def test_a_bad_profile_is_refused_with_a_message_and_changes_nothing(client, volunteer):
    before = VolunteerProfile.objects.get(user=volunteer)

    response = client.post(
        reverse("volunteers:profile"), profile_form(postcode="nowhere", phone="12")
    )

    assert response.status_code == 400
    assert "That is not a UK postcode" in response.content.decode()
    assert "Enter a phone number" in response.content.decode()
    after = VolunteerProfile.objects.get(user=volunteer)
    assert (after.postcode, after.phone, after.updated_at) == (
        before.postcode,
        before.phone,
        before.updated_at,
    )


def test_an_account_without_a_profile_gets_one_from_the_form(client, home_seat):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("volunteers:profile"), profile_form())

    assert response.status_code == 302
    assert VolunteerProfile.objects.get(user=user).constituency_code == "E14009999"
