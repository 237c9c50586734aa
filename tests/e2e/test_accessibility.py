"""Every public page, and the error states a supporter can reach, meet WCAG 2.2 AA (axe-core),
at phone size."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.letters.models import Letter
from campaigns.letters.services import confirmation_token as letter_confirmation_token
from campaigns.letters.services import letter_write, reply_token, rewrite_token
from campaigns.petitions.models import Signature
from campaigns.petitions.services import confirmation_token, petition_sign
from campaigns.storms import services as storms
from campaigns.targets.models import Constituency
from organiser.rendering import unsubscribe_token
from tests.factories import (
    AngleFactory,
    BriefFactory,
    CampaignFactory,
    ConstituencyFactory,
    LetterCampaignFactory,
    PetitionFactory,
    PostcodeFallbackFactory,
    RepresentativeFactory,
    StormFactory,
    StormTargetFactory,
    SupporterFactory,
    TargetFactory,
)
from tests.harness.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(db):
    campaign = CampaignFactory(title="Get them nominating", threshold=35)
    TargetFactory.create_batch(2, campaign=campaign, status="nominated")
    TargetFactory.create_batch(2, campaign=campaign, status="undecided")
    return campaign


@pytest.fixture
def petition(campaign):
    seat = ConstituencyFactory(ons_code="E14999001", name="Testford Central")
    PostcodeFallbackFactory(
        code="ZA1 1AA", constituency_code=seat.ons_code, constituency_name=seat.name
    )
    return PetitionFactory(title="Put her on the ballot", campaign=campaign, goal=100)


def _sign(page, petition, *, name, email, postcode):
    page.goto(f"/petitions/{petition.slug}/")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email address").fill(email)
    page.get_by_label("Your postcode").fill(postcode)
    page.get_by_role("button", name="Sign the petition").click()


def open_home(page, campaign, petition):
    page.goto("/")


def open_tally(page, campaign, petition):
    page.goto(f"/campaigns/{campaign.slug}/?status=undecided")


def open_petition(page, campaign, petition):
    page.goto(f"/petitions/{petition.slug}/")


def open_petition_with_errors(page, campaign, petition):
    # Passes the browser's own checks (required, type=email), fails the server's.
    _sign(page, petition, name="Jo Bloggs", email="jo@example.org", postcode="nowhere")
    page.locator(".errorlist").first.wait_for()


def open_signed(page, campaign, petition):
    _sign(page, petition, name="Jo Bloggs", email="jo@example.org", postcode="ZA1 1AA")
    page.get_by_role("heading", name="One more step: check your email").wait_for()


def open_confirmed(page, campaign, petition):
    petition_sign(petition=petition, name="Jo Bloggs", email="jo@example.org", postcode="ZA1 1AA")
    signature = Signature.objects.get(petition=petition)
    page.goto(f"/petitions/{petition.slug}/confirm/{confirmation_token(signature)}/")


def open_confirm_broken_link(page, campaign, petition):
    page.goto(f"/petitions/{petition.slug}/confirm/not-a-real-token/")


def _skills():
    """Transactional tests start without the skills the migrations add: two, so the
    sign-up and profile pages show their skill choices."""
    from volunteers.models import Skill

    Skill.objects.get_or_create(slug="design", defaults={"name": "Design and memes"})
    Skill.objects.get_or_create(slug="video", defaults={"name": "Video editing"})


def open_signup_with_errors(page, campaign, petition):
    _skills()
    page.goto("/accounts/signup/")
    page.get_by_role("button", name="Sign up").click()
    page.locator(".errorlist").first.wait_for()


def open_login_with_errors(page, campaign, petition):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign In").click()


def open_password_reset(page, campaign, petition):
    page.goto("/accounts/password/reset/")


def open_login(page, campaign, petition):
    page.goto("/accounts/login/")


def open_signup(page, campaign, petition):
    _skills()
    page.goto("/accounts/signup/")


def open_page_not_found(page, campaign, petition):
    page.goto("/petitions/no-such-petition/")


def _letter_campaign(campaign, **kwargs):
    """A letter campaign of `campaign`, and an MP (on its tally) for ZA1 1AA."""
    seat = Constituency.objects.get(ons_code="E14999001")
    mp = RepresentativeFactory(constituency=seat, name="Ms Jane Member", address_as="Ms Member")
    TargetFactory(campaign=campaign, representative=mp, status="leaning")
    return LetterCampaignFactory(campaign=campaign, title="Ask your MP to nominate", **kwargs)


def _write_letter(page, campaign, **fields):
    letter_campaign = _letter_campaign(campaign)
    page.goto(f"/letters/{letter_campaign.slug}/?postcode=ZA1+1AA")
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Check your letter").click()


LETTER_FIELDS = {
    "Your name": "Jo Bloggs",
    "Your email address": "jo@example.org",
    "Your postal address": "1 High Street\nTestford",
    "Subject": "Please nominate the candidate",
    "Your letter": "I live in Testford Central.\n\nPlease nominate, so members can choose.",
}


def open_letter_postcode(page, campaign, petition):
    page.goto(f"/letters/{_letter_campaign(campaign).slug}/")


def open_letter_postcode_with_errors(page, campaign, petition):
    open_letter_postcode(page, campaign, petition)
    page.get_by_label("Your postcode").fill("nowhere")
    page.get_by_role("button", name="Find my MP").click()
    page.locator(".errorlist").first.wait_for()


def open_letter_writing(page, campaign, petition):
    page.goto(f"/letters/{_letter_campaign(campaign).slug}/?postcode=ZA1+1AA")


def open_letter_writing_with_errors(page, campaign, petition):
    _write_letter(page, campaign, **{"Your email address": "jo@"})
    page.locator(".errorlist").first.wait_for()


def open_letter_preview(page, campaign, petition):
    _write_letter(page, campaign, **LETTER_FIELDS)
    page.get_by_role("heading", name="Check your letter").wait_for()


def open_letter_check_email(page, campaign, petition):
    open_letter_preview(page, campaign, petition)
    page.get_by_role("button", name="Send my letter").click()
    page.get_by_role("heading", name="One more step: check your email").wait_for()


def open_letter_sent_myself(page, campaign, petition):
    open_letter_preview(page, campaign, petition)
    page.get_by_role("button", name="I've sent it from my own email").click()
    page.get_by_role("heading", name="Check your email to count your letter").wait_for()


def open_letter_sent_myself_counted(page, campaign, petition):
    open_letter_sent_myself(page, campaign, petition)
    letter = Letter.objects.get(sent_by_writer=True)
    page.goto(f"/letters/confirm/{letter_confirmation_token(letter)}/")
    page.get_by_role("heading", name="Your letter to Ms Jane Member is counted").wait_for()


def open_letter_confirmed(page, campaign, petition):
    letter = letter_write(
        letter_campaign=_letter_campaign(campaign),
        name="Jo Bloggs",
        email="jo@example.org",
        postcode="ZA1 1AA",
        address="1 High Street",
        subject="Please nominate",
        body="I live in Testford Central. Please nominate, so members can choose.",
    )
    page.goto(f"/letters/confirm/{letter_confirmation_token(letter)}/")
    page.get_by_role("heading", name="Your letter is on its way to Ms Jane Member").wait_for()


def open_letter_confirm_broken_link(page, campaign, petition):
    page.goto("/letters/confirm/not-a-real-token/")


def open_letter_reply(page, campaign, petition):
    letter = letter_write(
        letter_campaign=_letter_campaign(campaign),
        name="Jo Bloggs",
        email="jo@example.org",
        postcode="ZA1 1AA",
        address="1 High Street",
        subject="Please nominate",
        body="I live in Testford Central. Please nominate, so members can choose.",
    )
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.SENT)
    page.goto(f"/letters/reply/{reply_token(letter)}/not_yet/")
    page.get_by_role("button", name="Record my answer").click()
    page.get_by_role("heading", name="Thank you").wait_for()


def _held_letter(campaign) -> Letter:
    body = (
        "I live in Testford Central and have voted here for twenty years. The library "
        "closed, the bus to the hospital runs twice a day and rents rose by a third. Please "
        "nominate the candidate, so that members can choose, and tell me what you decide."
    )
    letter_campaign = _letter_campaign(campaign)
    for n, words in enumerate([body, body.replace("twenty", "thirty")]):
        letter = letter_write(
            letter_campaign=letter_campaign,
            name=f"Writer {n}",
            email=f"writer{n}@example.org",
            postcode="ZA1 1AA",
            address="1 High Street",
            subject="Please nominate",
            body=words,
        )
    assert letter.state == Letter.State.HELD_FOR_REVIEW
    return letter


def open_letter_rewrite(page, campaign, petition):
    page.goto(f"/letters/rewrite/{rewrite_token(_held_letter(campaign))}/")
    page.get_by_role("heading", name="Make your letter to Ms Jane Member your own").wait_for()


def open_letter_rewrite_with_errors(page, campaign, petition):
    open_letter_rewrite(page, campaign, petition)
    page.get_by_label("Subject").fill("")
    page.get_by_role("button", name="Send my letter").click()
    page.locator(".errorlist").first.wait_for()


def open_letter_rewrite_broken_link(page, campaign, petition):
    page.goto("/letters/rewrite/not-a-real-token/")


def open_letter_closed(page, campaign, petition):
    page.goto(f"/letters/{_letter_campaign(campaign, state='closed').slug}/")


def _storm(campaign, *, started=None, pledged_on=None):
    """A storm of the campaign tomorrow; pledged and confirmed in the browser `pledged_on`
    (as the email's link does); then moved to have started `started` ago."""

    storm = StormFactory(campaign=campaign, title="Let members choose")
    AngleFactory(storm=storm, prompt="What the NHS means to you", starter="The NHS saved me.")
    StormTargetFactory(storm=storm, target__representative__x_handle="JaneMemberMP")
    if pledged_on is not None:
        pledge, _ = storms.pledge_by_email(storm=storm, email="jo@example.org")
        pledged_on.goto(f"/storms/confirm/{storms.confirmation_token(pledge)}/")
        pledged_on.get_by_role("heading", name="Your pledge is confirmed").wait_for()
    if started is not None:
        storm.starts_at = timezone.now() - started
        storm.ends_at = storm.starts_at + timedelta(hours=1)
        storm.save()
    return storm


def open_storm_before(page, campaign, petition):
    page.goto(f"/storms/{_storm(campaign).slug}/")


def open_storm_before_with_errors(page, campaign, petition):
    open_storm_before(page, campaign, petition)
    page.get_by_label("Your email address").fill("jo@")
    page.get_by_role("button", name="I'll take part").click()
    page.locator(".errorlist").first.wait_for()


def open_storm_during(page, campaign, petition):
    storm = _storm(campaign, started=timedelta(minutes=5), pledged_on=page)
    page.goto(f"/storms/{storm.slug}/")


def open_storm_during_post_checked(page, campaign, petition):
    open_storm_during(page, campaign, petition)
    page.get_by_label("Your post", exact=True).fill("Members deserve a real choice.")
    page.get_by_role("button", name="Check my post").click()
    page.get_by_role("heading", name="Post it from your own account").wait_for()


def open_storm_during_with_errors(page, campaign, petition):
    page.goto(f"/storms/{_storm(campaign, started=timedelta(minutes=5)).slug}/")
    page.get_by_label("Your post", exact=True).fill("a" * 300)
    page.get_by_role("button", name="Check my post").click()
    page.locator(".errorlist").first.wait_for()


def open_storm_after(page, campaign, petition):
    storm = _storm(campaign, started=timedelta(hours=2), pledged_on=page)
    page.goto(f"/storms/{storm.slug}/")
    page.get_by_role("heading", name="How it went").wait_for()


def open_storm_after_report_with_errors(page, campaign, petition):
    open_storm_after(page, campaign, petition)
    page.get_by_label("Your post's address (optional)").fill("javascript:alert(1)")
    page.get_by_role("button", name="I posted").click()
    page.locator(".errorlist").first.wait_for()


def open_storm_confirmed(page, campaign, petition):
    _storm(campaign, pledged_on=page)


def open_storm_confirm_broken_link(page, campaign, petition):
    page.goto("/storms/confirm/not-a-real-token/")


def open_storm_mastodon_with_errors(page, campaign, petition):
    page.goto(f"/storms/{_storm(campaign).slug}/mastodon/?server=not+a+server&text=Hi")


def _event(campaign):
    from tests.factories import EventFactory, ShiftFactory

    event = EventFactory(campaign=campaign, title="Stall outside the library")
    ShiftFactory(event=event, capacity=5)
    ShiftFactory(event=event, capacity=1, places_taken=1)  # full: the waiting list
    return event


def open_events(page, campaign, petition):
    _event(campaign)
    page.goto("/events/")


def open_events_near_with_errors(page, campaign, petition):
    _event(campaign)
    page.goto("/events/?near=nowhere")
    page.locator(".errorlist").first.wait_for()


def open_events_near(page, campaign, petition):
    from volunteers.models import PostcodeFallback

    PostcodeFallback.objects.filter(code="ZA1 1AA").update(latitude=51.5, longitude=-0.1)
    _event(campaign)
    page.goto("/events/?near=ZA1+1AA&within_km=25")
    page.get_by_text("km away").first.wait_for()


def open_event(page, campaign, petition):
    page.goto(f"/events/{_event(campaign).slug}/")


def open_event_sign_up_with_errors(page, campaign, petition):
    open_event(page, campaign, petition)
    page.locator("form").nth(0).get_by_label("Your email address").fill("jo@")
    page.locator("form").nth(0).get_by_label("Your name").fill("Jo")
    page.get_by_role("button", name="Sign up").first.click()
    page.locator(".errorlist").first.wait_for()


def open_event_signed_up(page, campaign, petition):
    from campaigns.events import services as events

    shift = _event(campaign).shifts.first()
    rsvp, _ = events.rsvp_create(shift=shift, name="Jo", email="jo@example.org")
    page.goto("/" + events.rsvp_link(rsvp, "confirm").split("://", 1)[1].split("/", 1)[1])
    page.get_by_role("heading", name="You're signed up").wait_for()


def open_event_cancel(page, campaign, petition):
    from campaigns.events import services as events

    shift = _event(campaign).shifts.first()
    rsvp, _ = events.rsvp_create(shift=shift, name="Jo", email="jo@example.org")
    path = "/" + events.rsvp_link(rsvp, "cancel").split("://", 1)[1].split("/", 1)[1]
    page.goto(path)
    page.get_by_role("button", name="Cancel my place").wait_for()


def open_event_check_in(page, campaign, petition):
    from tests.factories import OrganiserFactory

    event = _event(campaign)
    sign_in(page, OrganiserFactory())
    page.goto(f"/events/{event.slug}/check-in/")
    page.get_by_role("heading", name="Check people in").wait_for()


def open_event_check_in_with_errors(page, campaign, petition):
    open_event_check_in(page, campaign, petition)
    page.get_by_label("Check-in code").fill("NOPE99")
    page.get_by_role("button", name="Check in", exact=True).click()
    page.locator(".errorlist").first.wait_for()


def open_event_propose(page, campaign, petition):
    from tests.factories import UserFactory

    sign_in(page, UserFactory())
    page.goto("/events/propose/")
    page.get_by_role("heading", name="Host an event").wait_for()


def open_event_propose_with_errors(page, campaign, petition):
    open_event_propose(page, campaign, petition)
    page.get_by_label("Title").fill("My stall")
    page.get_by_role("button", name="Propose my event").click()
    page.locator(".errorlist").first.wait_for()


def open_event_link_broken(page, campaign, petition):
    page.goto("/events/rsvp/not-a-real-token/confirm/")


def open_my_data(page, campaign, petition):
    from tests.factories import VolunteerFactory

    sign_in(page, VolunteerFactory().user)
    page.goto("/me/data/")
    page.get_by_role("heading", name="Your data").wait_for()


def open_me(page, campaign, petition):
    """A volunteer's page with a suggestion, a history and a consent record."""
    from campaigns.petitions.services import petition_sign
    from tests.factories import PetitionFactory, UserFactory, sign_up_details
    from volunteers.places import place_for_postcode
    from volunteers.services import (
        ProfileDetails,
        consent_set,
        supporter_link_user,
        volunteer_sign_up,
    )

    user = UserFactory(name="Sam Volunteer")
    postcode = sign_up_details()["postcode"]
    volunteer_sign_up(user=user, details=ProfileDetails(place=place_for_postcode(postcode)))
    supporter = supporter_link_user(user=user)
    consent_set(supporter=supporter, purpose="campaign-email", wanted=True, source="profile")
    petition_sign(
        petition=PetitionFactory(campaign=campaign), name="Sam", email=user.email, postcode=postcode
    )
    sign_in(page, user)
    page.goto("/me/")
    page.get_by_role("heading", name="Your page").wait_for()


def open_my_profile(page, campaign, petition):
    _skills()
    open_me(page, campaign, petition)
    page.get_by_role("link", name="Edit your profile, skills and availability").click()
    page.get_by_role("heading", name="Your profile").wait_for()


def open_my_profile_with_errors(page, campaign, petition):
    open_my_profile(page, campaign, petition)
    page.get_by_label("Your postcode").fill("not a postcode")
    page.get_by_label("Your phone number (optional)").fill("12")
    page.get_by_role("button", name="Save").click()
    page.locator(".errorlist").first.wait_for()


def open_brief(page, campaign, petition):
    """A brief claimed by the signed-in volunteer, with its form to send an image."""
    from campaigns.briefs.models import Brief
    from campaigns.briefs.services import brief_claim
    from tests.factories import UserFactory
    from volunteers.models import Skill, VolunteerProfile, VolunteerSkill

    _skills()
    design = Skill.objects.get(slug="design")
    brief = BriefFactory(
        campaign=campaign,
        title="A meme for Thursday",
        description="Bold and simple.",
        kind=Brief.Kind.IMAGE,
        places=1,
        skills=[design],
    )
    user = UserFactory(name="Sam Designer")
    profile = VolunteerProfile.objects.create(user=user, postcode="ZA1 1AA")
    VolunteerSkill.objects.create(volunteer=profile, skill=design, level=3)
    brief_claim(brief=brief, user=user)
    sign_in(page, user)
    page.goto(f"/briefs/{brief.pk}/")
    page.get_by_role("heading", name="A meme for Thursday").wait_for()


def open_brief_with_errors(page, campaign, petition):
    open_brief(page, campaign, petition)
    page.get_by_role("button", name="Send my work").click()
    page.locator(".errorlist").first.wait_for()


def open_dashboard(page, campaign, petition):
    """The organisers' dashboard with every table filled (seed_load at a small scale):
    organisers only, but it meets the same standard."""
    from django.core.management import call_command

    from tests.factories import OrganiserFactory

    call_command("seed_load", scale=0.001, campaign="axe-load", verbosity=0)
    sign_in(page, OrganiserFactory())
    page.goto("/organiser/axe-load/")
    page.get_by_role("heading", name="Push next").wait_for()
    page.locator("img.chart").first.wait_for()


def open_marginals(page, campaign, petition):
    from tests.factories import ConstituencyFactory, PostcodeFallbackFactory

    PostcodeFallbackFactory(code="ZA7 7AA", latitude=51.5, longitude=-0.12)
    ConstituencyFactory(latitude=50.82, longitude=-0.14, majority=800, turnout=40000)
    page.goto("/marginals/?postcode=ZA7+7AA&max_share=0.1")
    page.get_by_role("heading", name="Nearest first").wait_for()


def open_marginals_with_errors(page, campaign, petition):
    page.goto("/marginals/?postcode=nowhere&max_share=0.1")
    page.locator(".errorlist").first.wait_for()


def open_my_data_with_errors(page, campaign, petition):
    open_my_data(page, campaign, petition)
    page.get_by_label("Your password, to confirm it is you").fill("not my password")
    page.get_by_role("button", name="Delete me").click()
    page.locator(".errorlist").first.wait_for()


def open_privacy(page, campaign, petition):
    page.goto("/privacy/")


def open_erased(page, campaign, petition):
    page.goto("/me/data/erased/")


def _unsubscribe_link(campaign) -> str:
    supporter = SupporterFactory(email="jo@example.org")
    token = unsubscribe_token(supporter_id=supporter.pk, message_id=1)
    return f"/unsubscribe/{token}/"


def open_unsubscribe(page, campaign, petition):
    page.goto(_unsubscribe_link(campaign))


def open_unsubscribed(page, campaign, petition):
    open_unsubscribe(page, campaign, petition)
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()


def open_unsubscribe_broken_link(page, campaign, petition):
    page.goto("/unsubscribe/1.1:not-a-signature/")


PAGES = [
    open_home,
    open_tally,
    open_petition,
    open_petition_with_errors,
    open_signed,
    open_confirmed,
    open_confirm_broken_link,
    open_login,
    open_login_with_errors,
    open_signup,
    open_signup_with_errors,
    open_password_reset,
    open_page_not_found,
    open_letter_postcode,
    open_letter_postcode_with_errors,
    open_letter_writing,
    open_letter_writing_with_errors,
    open_letter_preview,
    open_letter_check_email,
    open_letter_sent_myself,
    open_letter_sent_myself_counted,
    open_letter_confirmed,
    open_letter_confirm_broken_link,
    open_letter_reply,
    open_letter_rewrite,
    open_letter_rewrite_with_errors,
    open_letter_rewrite_broken_link,
    open_letter_closed,
    open_storm_before,
    open_storm_before_with_errors,
    open_storm_during,
    open_storm_during_post_checked,
    open_storm_during_with_errors,
    open_storm_after,
    open_storm_after_report_with_errors,
    open_storm_confirmed,
    open_storm_confirm_broken_link,
    open_storm_mastodon_with_errors,
    open_events,
    open_events_near_with_errors,
    open_events_near,
    open_event,
    open_event_sign_up_with_errors,
    open_event_signed_up,
    open_event_cancel,
    open_event_link_broken,
    open_event_check_in,
    open_event_check_in_with_errors,
    open_unsubscribe,
    open_unsubscribed,
    open_unsubscribe_broken_link,
    open_me,
    open_marginals,
    open_marginals_with_errors,
    open_dashboard,
    open_brief,
    open_brief_with_errors,
    open_my_profile,
    open_my_profile_with_errors,
    open_my_data,
    open_my_data_with_errors,
    open_erased,
    open_privacy,
    open_event_propose,
    open_event_propose_with_errors,
]


@pytest.mark.parametrize("open_page", PAGES, ids=[p.__name__.removeprefix("open_") for p in PAGES])
def test_page_meets_wcag_2_2_aa(page, axe, campaign, petition, open_page):
    open_page(page, campaign, petition)
    page.wait_for_load_state("load")

    assert axe.violations(page) == []


def test_the_check_reports_what_breaks_the_guidelines(page, axe):
    page.set_content(
        '<html lang="en"><title>t</title><main><img src="x.png">'
        '<input type="text"><p style="color:#bbb;background:#fff">faint</p></main></html>'
    )

    found = {violation.split(" ", 1)[0] for violation in axe.violations(page)}

    assert {"image-alt", "label", "color-contrast"} <= found
