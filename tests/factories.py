"""factory-boy factories for the models every test needs."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from campaigns.petitions.models import Petition
from campaigns.targets.models import (
    Campaign,
    Constituency,
    Nation,
    Party,
    Representative,
    Target,
)
from volunteers.models import PostcodeFallback, Supporter, User, normalise_email

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    """An account with a verified address that can sign in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["email"] = normalise_email(kwargs["email"])
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class OrganiserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supporter

    email = factory.Sequence(lambda n: f"supporter{n}@example.org")
    name = factory.Faker("name", locale="en_GB")


class VolunteerFactory(SupporterFactory):
    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))


class ConstituencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Constituency

    ons_code = factory.Sequence(lambda n: f"E14{n:06d}")
    name = factory.Sequence(lambda n: f"Testford {n}")
    nation = Nation.ENGLAND
    region = "London"


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party
        django_get_or_create = ["name"]

    name = "Labour"
    abbreviation = "Lab"


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    name = factory.Faker("name", locale="en_GB")
    party = factory.SubFactory(PartyFactory)
    constituency = factory.SubFactory(ConstituencyFactory)
    email = factory.Sequence(lambda n: f"mp{n}@example.org")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title = factory.Sequence(lambda n: f"Campaign {n}")
    threshold = 35


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    campaign = factory.SubFactory(CampaignFactory)
    representative = factory.SubFactory(RepresentativeFactory)


class PetitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Petition

    campaign = factory.SubFactory(CampaignFactory)
    slug = factory.Sequence(lambda n: f"petition-{n}")
    title = factory.Sequence(lambda n: f"Nominate the candidate {n}")
    text = "We call on our MPs to put the candidate on the ballot."
    goal = 1000
    state = Petition.State.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class PostcodeFallbackFactory(factory.django.DjangoModelFactory):
    """A postcode that resolves offline to a constituency (see volunteers.places)."""

    class Meta:
        model = PostcodeFallback
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"ZA{n % 99 + 1} {n % 9 + 1}AB")
    constituency_code = factory.Sequence(lambda n: f"E14{n:06d}")
    constituency_name = factory.Sequence(lambda n: f"Testford {n}")
    region = "London"


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A target that is not a person; a constituency party by default."""

    class Meta:
        model = "targets.Organisation"

    name = factory.Sequence(lambda n: f"Testford {n} CLP")
    kind = "constituency-party"
    constituency = factory.SubFactory(ConstituencyFactory)
    email = factory.Sequence(lambda n: f"clp{n}@example.org")


class ActionRecordFactory(factory.django.DjangoModelFactory):
    """A letter sent to a target, recorded as pressure on it; source ids never repeat."""

    class Meta:
        model = "pressure.ActionRecord"

    target = factory.SubFactory(TargetFactory)
    kind = "letter"
    source = "tests.thing"
    source_id = factory.Sequence(lambda n: n + 1)
    occurred_at = factory.LazyFunction(timezone.now)


class LetterCampaignFactory(factory.django.DjangoModelFactory):
    """An open letter campaign; its MPs who have nominated get thank-you letters."""

    class Meta:
        model = "letters.LetterCampaign"

    campaign = factory.SubFactory(CampaignFactory)
    slug = factory.Sequence(lambda n: f"letters-{n}")
    title = factory.Sequence(lambda n: f"Write to your MP {n}")
    guidance = "Say why this matters to you, in your own words."
    talking_points = ["Why it matters where you live", "What you ask your MP to do"]
    subject_suggestion = "Please nominate the candidate"
    goal_statuses = ["nominated"]


class LetterFactory(factory.django.DjangoModelFactory):
    """A letter as letter_write stores it, awaiting confirmation (no similarity bands)."""

    class Meta:
        model = "letters.Letter"

    letter_campaign = factory.SubFactory(LetterCampaignFactory)
    supporter = factory.SubFactory(SupporterFactory)
    representative = factory.SubFactory(RepresentativeFactory)
    writer_name = factory.SelfAttribute("supporter.name")
    writer_email = factory.SelfAttribute("supporter.email")
    writer_postcode = "ZA1 1AA"
    writer_address = "1 High Street\nTestford"
    constituency_code = factory.SelfAttribute("representative.constituency.ons_code")
    subject = "Please nominate the candidate"
    body = "I am writing as your constituent to ask you to nominate the candidate."


class StormFactory(factory.django.DjangoModelFactory):
    """A published storm starting in a day and lasting an hour, on all three networks."""

    class Meta:
        model = "storms.Twitterstorm"

    campaign = factory.SubFactory(CampaignFactory)
    slug = factory.Sequence(lambda n: f"storm-{n}")
    title = factory.Sequence(lambda n: f"Storm {n}")
    hashtag = "LetMembersChoose"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda storm: storm.starts_at + timedelta(hours=1))
    briefing = "Post from your own account, in your own words, at 7pm."
    networks = ["x", "bluesky", "mastodon"]
    is_published = True


class AngleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "storms.Angle"

    storm = factory.SubFactory(StormFactory)
    prompt = factory.Sequence(lambda n: f"Angle {n}: what the NHS means to you")
    starter = factory.Sequence(lambda n: f"Starter {n}: the NHS looked after my mum last winter.")


class StormTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "storms.StormTarget"

    storm = factory.SubFactory(StormFactory)
    target = factory.SubFactory(TargetFactory, campaign=factory.SelfAttribute("..storm.campaign"))
    weight = 1


class EventFactory(factory.django.DjangoModelFactory):
    """An approved public street stall in Testford."""

    class Meta:
        model = "events.Event"

    campaign = factory.SubFactory(CampaignFactory)
    kind = "street_stall"
    title = factory.Sequence(lambda n: f"Street stall {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    description = "Leaflets and conversations outside the library."
    address = "Outside the library, High Street, Testford"
    postcode = "ZA1 1AA"
    latitude = 51.5
    longitude = -0.12
    host_name = "Sam Host"
    host_email = "sam.host@example.org"


class ShiftFactory(factory.django.DjangoModelFactory):
    """A two-hour shift starting in two days, with ten places."""

    class Meta:
        model = "events.Shift"

    event = factory.SubFactory(EventFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda shift: shift.starts_at + timedelta(hours=2))
    capacity = 10


class BriefFactory(factory.django.DjangoModelFactory):
    """An open written brief due in a day, with five places; `skills` (Skill objects) are
    the skills it asks for."""

    class Meta:
        model = "briefs.Brief"
        skip_postgeneration_save = True  # skills are added, the brief is not saved again

    campaign = factory.SubFactory(CampaignFactory)
    title = "Words for the storm"
    description = "A post people want to share."
    kind = "text"
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    places = 5

    @factory.post_generation
    def skills(brief, create, skills, **kwargs):
        if create and skills:
            brief.skills.add(*skills)


class ScheduledMessageFactory(factory.django.DjangoModelFactory):
    """A campaign update to everyone who opted in, scheduled for a minute ago (due now)."""

    class Meta:
        model = "organiser.ScheduledMessage"

    name = factory.Sequence(lambda n: f"Update {n}")
    subject = "News for {{ first_name }}"
    body = "Hello {{ first_name }},\n\nThirty MPs have nominated. Five to go.\n\n{{ site_name }}"
    audience = "opted_in"
    send_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    state = "scheduled"


SIGN_UP_POSTCODE = "ZA9 9ZZ"
SIGN_UP = {"name": "Sam Volunteer", "postcode": SIGN_UP_POSTCODE}


def sign_up_place() -> PostcodeFallback:
    """SIGN_UP_POSTCODE, resolving offline to the constituency E14009999, "Signupton", at
    the place of EventFactory's events."""
    return PostcodeFallbackFactory(
        code=SIGN_UP_POSTCODE,
        constituency_code="E14009999",
        constituency_name="Signupton",
        region="London",
        latitude=51.5,
        longitude=-0.12,
    )


def sign_up_details(**extra) -> dict:
    """What volunteer sign-up asks for besides the email and password: SIGN_UP (a name
    and a postcode that resolves offline), changed by `extra`."""
    sign_up_place()
    return {**SIGN_UP, **extra}
