import re
import socket
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from campaigns.events.models import Event, Shift
from campaigns.petitions import services
from campaigns.petitions.models import Petition, PetitionCount, Signature
from campaigns.petitions.selectors import signatures_matching
from campaigns.storms.models import Angle, StormTarget, Twitterstorm
from campaigns.targets.models import (
    Campaign,
    Constituency,
    Representative,
    Target,
    TargetStatusChange,
)
from organiser.models import ScheduledMessage
from organiser.selectors import audience_supporters
from volunteers.models import (
    ConsentRecord,
    PostcodeFallback,
    Supporter,
    User,
    VolunteerProfile,
    VolunteerSkill,
    canonical_email,
    email_domain,
)
from volunteers.places import normalise_postcode, place_for_postcode

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    models = (
        Petition,
        Signature,
        PetitionCount,
        Constituency,
        Representative,
        Campaign,
        Target,
        TargetStatusChange,
        Supporter,
        User,
        PostcodeFallback,
        ScheduledMessage,
        ConsentRecord,
        Twitterstorm,
        Angle,
        StormTarget,
        Event,
        Shift,
        VolunteerProfile,
        VolunteerSkill,
    )
    return [model.objects.count() for model in models]


def test_seed_makes_labelled_demo_data():
    seed()

    assert Constituency.objects.filter(is_demo=True).count() == 650
    assert Representative.objects.filter(is_demo=True, is_current=True).count() == 650
    campaign = Campaign.objects.get(is_demo=True)
    assert campaign.threshold == 35
    statuses = set(campaign.targets.values_list("status", flat=True))
    assert len(statuses) >= 5
    assert Supporter.objects.count() == 2000
    volunteers = Supporter.objects.filter(user__isnull=False).count()
    assert 0 < volunteers < 2000
    assert VolunteerProfile.objects.count() == volunteers
    assert VolunteerSkill.objects.values("volunteer").distinct().count() == volunteers
    assert not Constituency.objects.exclude(ons_code__regex=r"^[ESWN]99\d{6}$").exists()


def test_seed_twice_changes_nothing():
    seed()
    before = counts()

    seed()

    assert counts() == before


def readme_demo_postcodes() -> list[tuple[str, str, str]]:
    """(postcode, constituency, region) of each example in the README's "Demo postcodes"."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Demo postcodes", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^- `([A-Z0-9 ]+)`: (.+) \((.+)\)$", section, flags=re.MULTILINE)


def test_readme_demo_postcodes_resolve_offline_to_their_constituencies(settings):
    with socket.socket() as probe:  # a port nobody listens on: any request would fail
        probe.bind(("127.0.0.1", 0))
        settings.POSTCODES_IO_URL = f"http://127.0.0.1:{probe.getsockname()[1]}"
    seed()
    examples = readme_demo_postcodes()
    assert len(examples) >= 3

    for postcode, name, region in examples:
        place = place_for_postcode(postcode.lower().replace(" ", ""))

        constituency = Constituency.objects.get(ons_code=place.constituency_code)
        assert (constituency.name, constituency.region, constituency.is_demo) == (
            name,
            region,
            True,
        )
        assert (place.constituency_name, place.source) == (name, "fallback")


def test_every_demo_constituency_has_valid_demo_postcodes():
    seed()

    codes = list(PostcodeFallback.objects.values_list("code", "constituency_code"))

    assert len(codes) == 3 * 650
    assert {constituency for _, constituency in codes} == set(
        Constituency.objects.filter(is_demo=True).values_list("ons_code", flat=True)
    )
    full = [code for code, _ in codes if " " in code]
    assert len(full) == 2 * 650
    assert all(normalise_postcode(code) == code and code.startswith("Z") for code in full)


def test_printed_organiser_login_opens_the_admin(client):
    output = seed()
    email, password = re.search(r"Organiser login: (\S+) / (\S+)", output).groups()

    client.post(reverse("account_login"), {"login": email, "password": password})

    assert client.get("/admin/").status_code == 200
    assert client.get("/").context["user"].email == email


def test_reset_password_prints_a_working_new_one(client):
    seed()
    output = seed("--reset-password")
    email, password = re.search(r"Organiser login: (\S+) / (\S+)", output).groups()

    client.post(reverse("account_login"), {"login": email, "password": password})

    assert client.get("/admin/").status_code == 200


def test_seed_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="refusing under DJANGO_ENV=production"):
        seed()
    assert Constituency.objects.count() == 0


def test_seed_makes_a_demo_petition_with_exact_counts():
    seed()

    petition = Petition.objects.get(slug="demo-put-our-candidate-on-the-ballot")
    counted = Signature.objects.filter(petition=petition, counted=True).count()
    assert counted == 1200
    assert petition.count.total == counted
    assert sum(petition.constituency_counts.values_list("total", flat=True)) == counted


def test_demo_signatures_carry_what_the_signing_service_derives_from_each_address(settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"  # demo postcodes resolve offline
    seed()
    petition = Petition.objects.get(slug="demo-put-our-candidate-on-the-ballot")
    signatures = list(
        Signature.objects.filter(petition=petition).values_list(
            "email",
            "canonical_email",
            "email_domain",
            "share_code",
            "postcode",
            "constituency_code",
        )
    )
    assert len(signatures) == 1200

    for email, canonical, domain, code, _, _ in signatures:
        assert canonical == canonical_email(email)
        assert domain == email_domain(email)
        assert code == services.share_code(petition=petition, email=email)
    seats = {postcode: seat for *_, postcode, seat in signatures}
    for postcode, seat in seats.items():
        assert place_for_postcode(postcode).constituency_code == seat
    # So the organiser's abuse filters find demo signatures as they would real ones.
    email = signatures[0][0]
    assert list(
        signatures_matching(
            petition, canonical_email=canonical_email(email), email_domain="example.org"
        ).values_list("email", flat=True)
    ) == [email]


def test_the_demo_letter_campaign_finds_a_demo_postcodes_mp(client, settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"  # never the internet
    printed = seed()
    postcode, name, _ = readme_demo_postcodes()[0]
    mp = Representative.objects.get(constituency__name=name, is_current=True)

    page = client.get("/letters/demo-write-to-your-mp/", {"postcode": postcode})

    assert "/letters/demo-write-to-your-mp/" in printed
    assert page.status_code == 200
    assert mp.name in page.content.decode()


def test_the_demo_storm_counts_down_to_7pm_and_aims_at_undecided_and_leaning_mps(client):
    printed = seed()

    storm = Twitterstorm.objects.get(slug="demo-let-members-choose")
    page = client.get(f"/storms/{storm.slug}/").content.decode()
    assert "Starts in" in page and "19:00</time>" in page
    statuses = set(StormTarget.objects.filter(storm=storm).values_list("target__status", flat=True))
    assert statuses and statuses <= {"undecided", "leaning"}
    assert storm.angles.count() == 3
    assert f"/storms/{storm.slug}/" in printed


def test_the_demo_events_are_listed_near_a_demo_postcode(client, settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"  # never the internet
    printed = seed()
    postcode, _, _ = readme_demo_postcodes()[0]

    page = client.get("/events/", {"near": postcode}).content.decode()

    assert "Demo: street stall outside the library" in page and "km away" in page
    assert "Demo: online phone bank" in page
    assert "/events/" in printed
    assert Shift.objects.filter(event__slug="demo-street-stall").count() == 2


def test_the_demo_has_default_reminders_and_a_draft_update_for_its_volunteers(smtp_sink):
    seed()

    storm = Twitterstorm.objects.get(slug="demo-let-members-choose")
    reminders = ScheduledMessage.objects.filter(storm=storm, reminder_before__isnull=False)
    assert reminders.exclude(state="cancelled").exists()
    assert ScheduledMessage.objects.filter(shift__isnull=False).exists()
    update = ScheduledMessage.objects.get(name="Demo: thirty nominations, five to go")
    assert update.state == "draft"
    volunteers = Supporter.objects.filter(user__isnull=False).count()
    assert audience_supporters(update).count() == volunteers
