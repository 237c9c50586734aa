import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse

from campaigns.petitions.models import Signature
from campaigns.petitions.services import CAMPAIGN_EMAIL_WORDING, petition_sign
from tests.campaigns.petitions.helpers import committed, confirmation_links, counted_total, sign
from tests.factories import PetitionFactory, RepresentativeFactory
from volunteers.models import ConsentRecord, Supporter

pytestmark = pytest.mark.django_db


def test_signing_stores_a_pending_signature_and_emails_a_link(petition, seats):
    sign(petition, name="Jo Bloggs", email=" Jo@Example.org ", postcode="za11aa")

    signature = Signature.objects.get()
    assert (signature.email, signature.postcode) == ("jo@example.org", "ZA1 1AA")
    assert signature.constituency_code == seats["ZA1 1AA"].ons_code
    assert signature.supporter == Supporter.objects.get(email="jo@example.org")
    assert (signature.counted, signature.confirmed_at) == (False, None)
    assert len(confirmation_links("jo@example.org")) == 1
    assert counted_total(petition) == 0


def test_following_the_link_counts_the_signature_once(client, petition, seats):
    sign(petition)
    link = confirmation_links()[0]

    first = client.get(link)
    again = client.get(link)

    assert first.status_code == again.status_code == 200
    assert "Your signature is confirmed" in first.content.decode()
    assert counted_total(petition) == 1
    assert petition.constituency_counts.get().total == 1


def test_a_tampered_link_says_so_and_counts_nothing(client, petition, seats):
    sign(petition)
    link = confirmation_links()[0]

    response = client.get(link.replace("/confirm/", "/confirm/x"))

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert counted_total(petition) == 0


def test_without_confirmation_a_signature_counts_at_once(seats):
    petition = PetitionFactory(confirmation_required=False)

    sign(petition)

    assert mail.outbox == []
    assert counted_total(petition) == 1


def test_campaign_email_consent_is_recorded_only_when_ticked(petition, seats):
    sign(petition, n=1, campaign_email_opt_in=False)
    sign(petition, n=2, campaign_email_opt_in=True)

    consent = ConsentRecord.objects.get()
    assert consent.supporter.email == "signer2@example.org"
    assert consent.wording == CAMPAIGN_EMAIL_WORDING
    assert consent.source == f"petition:{petition.slug}"


def test_a_repeat_gets_the_same_answer_and_at_most_one_more_email(petition, seats):
    first = sign(petition, email="jo@example.org")
    again = sign(petition, email="JO@example.org ", name="Someone Else", postcode="ZA2 1AA")

    assert Signature.objects.count() == 1
    assert first.share_code == again.share_code
    assert len(confirmation_links("jo@example.org")) == 2


def test_a_repeat_after_confirming_sends_nothing(client, petition, seats):
    sign(petition, email="jo@example.org")
    client.get(confirmation_links()[0])

    sign(petition, email="jo@example.org")

    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("name", {"name": ""}, "Enter your name."),
        ("name", {"name": "x" * 10_000}, "at most 100 characters"),
        ("email", {"email": "not-an-email"}, "Enter a valid email address"),
        ("email", {"email": ""}, "Enter your email address."),
        ("postcode", {"postcode": "12345"}, "That is not a UK postcode"),
        ("postcode", {"postcode": "SW1A 1AA"}, "not available right now"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(petition, seats, field, values, message):
    with pytest.raises(ValidationError) as error:
        sign(petition, **values)

    assert message in " ".join(error.value.message_dict[field])
    assert Signature.objects.count() == Supporter.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("state", ["closed", "draft", "archived"])
def test_a_petition_not_open_refuses_signatures(seats, state):
    petition = PetitionFactory(state=state)

    with pytest.raises(ValidationError) as error:
        sign(petition)

    assert NON_FIELD_ERRORS in error.value.message_dict
    assert Signature.objects.count() == 0


def test_page_form_shows_field_errors_and_keeps_nothing(client, petition, seats):
    response = client.post(
        reverse("petitions:detail", args=[petition.slug]),
        {"name": "", "email": "nope", "postcode": "ZZZ"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter your name." in html
    assert "Enter a valid email address" in html
    assert "That is not a UK postcode" in html
    assert Signature.objects.count() == 0


def test_page_signing_shows_your_mp_and_share_links_with_your_code(client, petition, seats):
    mp = RepresentativeFactory(constituency=seats["ZA2 1AA"], name="Ms Local Member")

    with committed():
        response = client.post(
            reverse("petitions:detail", args=[petition.slug]),
            {"name": "Jo", "email": "jo@example.org", "postcode": "ZA2 1AA"},
            follow=True,
        )

    html = response.content.decode()
    signature = Signature.objects.get()
    assert "check your email" in html
    assert mp.name in html
    assert f"?ref={signature.share_code}" in html


def test_the_honeypot_catches_bots_quietly(client, petition, seats):
    response = client.post(
        reverse("petitions:detail", args=[petition.slug]),
        {"name": "Bot", "email": "bot@example.org", "postcode": "ZA1 1AA", "website": "x"},
    )

    assert response.status_code == 302
    assert Signature.objects.count() == 0


def test_referral_and_source_are_recorded(client, petition, seats):
    sign(petition, n=1)
    code = Signature.objects.get().share_code

    petition_sign(
        petition=petition, name="Friend", email="friend@example.org", postcode="ZA1 1AA",
        referred_by=code, source="twitter",
    )  # fmt: skip

    friend = Signature.objects.get(email="friend@example.org")
    assert (friend.referred_by, friend.source) == (code, "twitter")
