"""Fill an empty site with clearly labelled demo data; safe to run again.

Everything it makes is generated: fictional constituency names with codes that no real
constituency has (nation letter + "99"), MPs with made-up names, example.org addresses and
drama-reserved phone numbers, and rows flagged is_demo. Real MPs come from
import_representatives. A second run adds nothing and changes nothing, except that
--reset-password gives the organiser account a new password.

Demo postcodes resolve offline through the postcode fallback table. They live in postcode
areas that do not exist: "Z" and a second letter (Royal Mail's only Z area is ZE, Shetland,
so E is skipped). Demo constituency number n (the last digits of its code, E99000123 is
123) has the outcode "Z" + "ABCDFGH"[n // 100] + str(n % 100), so 1 is ZA1, 123 is ZB23
and 650 is ZH50; its full postcodes are that outcode with "1AA" and "2BB" (ZB23 1AA).
Every one passes volunteers.places.normalise_postcode.
"""

import random
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

from campaigns.events.models import Event, Shift
from campaigns.letters.models import LetterCampaign
from campaigns.petitions import services
from campaigns.petitions.models import CountChange, Petition, Signature
from campaigns.storms.models import Angle, StormTarget, Twitterstorm
from campaigns.targets.models import (
    Campaign,
    Constituency,
    Nation,
    Party,
    Representative,
    Target,
    TargetStatus,
    TargetStatusChange,
)
from organiser.models import ScheduledMessage
from organiser.services import reminders_create
from volunteers.models import (
    ConsentRecord,
    PostcodeFallback,
    Skill,
    Supporter,
    User,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteers.places import SOURCE_FALLBACK, Place

SEED = 2015
ORGANISER_EMAIL = "organiser@example.org"
CAMPAIGN_SLUG = "demo-nominations"
LETTER_CAMPAIGN_SLUG = "demo-write-to-your-mp"
PETITION_SLUG = "demo-put-our-candidate-on-the-ballot"
STORM_SLUG = "demo-let-members-choose"
EVENT_SLUGS = ("demo-street-stall", "demo-phone-bank")
PETITION_SIGNERS = 1200
SUPPORTERS = 2000
VOLUNTEER_EVERY = 10  # one supporter in ten has a volunteer account
DEMO_POSTCODE_AREAS = "ABCDFGH"  # second letter of the made-up "Z?" areas, by hundreds
DEMO_INCODES = ("1AA", "2BB")

# 650 seats as in 2024: England's regions, then the other nations.
REGIONS = [
    (Nation.ENGLAND, "North East", 27, (54.9, -1.6)),
    (Nation.ENGLAND, "North West", 73, (53.6, -2.6)),
    (Nation.ENGLAND, "Yorkshire and The Humber", 54, (53.8, -1.4)),
    (Nation.ENGLAND, "East Midlands", 47, (52.9, -1.1)),
    (Nation.ENGLAND, "West Midlands", 57, (52.5, -2.0)),
    (Nation.ENGLAND, "East of England", 61, (52.2, 0.4)),
    (Nation.ENGLAND, "London", 75, (51.5, -0.1)),
    (Nation.ENGLAND, "South East", 91, (51.3, -0.8)),
    (Nation.ENGLAND, "South West", 58, (50.9, -3.2)),
    (Nation.SCOTLAND, "Scotland", 57, (56.2, -3.9)),
    (Nation.WALES, "Wales", 32, (52.3, -3.7)),
    (Nation.NORTHERN_IRELAND, "Northern Ireland", 18, (54.6, -6.7)),
]
NATION_LETTER = {
    Nation.ENGLAND: "E",
    Nation.SCOTLAND: "S",
    Nation.WALES: "W",
    Nation.NORTHERN_IRELAND: "N",
}
PLACE_ROOTS = """
Ashcombe Brackwater Caldmoor Dunhaven Elmsworth Farrowdale Glenmere Harrowby Ivelford
Kettlebridge Larkhampton Marlowheath Northby Oakridge Pellingford Quarrington Ravensholt
Saltmarsh Thornbury Upwich Vellington Wexcombe Yarrowfield Amberley Bexmoor Coldstream
Drayford Eastwick Fenbridge Greyhithe Hollowell Inchcombe Kingsmere Lindenfield
Millbrook Nettlestead Orchardleigh Penrose Queensferry Redbourne Stonehaven Tarrington
Underbarrow Wardlow Ashgrove Birchley Carrowmore Deepdale Ettrickbank Foxhollow Garnock
Hazelmere Kilbrannan Longmead Morwenna Newtonmore Oldcastle Pennwick Rosslare Sandford
Tollcross Wyndham Bryncoch Llanvair Aberfoyle Strathmore Carnmoney Dunmurry Glenavon
Ballyroan
""".split()
PLACE_SUFFIXES = [
    "",
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Vale",
    "and Dale",
    "Valley",
    "Moor",
]
PARTIES = [
    # name, abbreviation, colour, seats
    ("Labour", "Lab", "#d50000", 411),
    ("Conservative", "Con", "#0087dc", 121),
    ("Liberal Democrat", "LD", "#faa61a", 72),
    ("Scottish National Party", "SNP", "#fdf38e", 9),
    ("Reform UK", "RUK", "#12b6cf", 5),
    ("Green Party", "Green", "#6ab023", 4),
    ("Plaid Cymru", "PC", "#008142", 4),
    ("Independent", "Ind", "#909090", 5),
    ("Sinn Féin", "SF", "#326760", 7),
    ("Democratic Unionist Party", "DUP", "#d46a4c", 5),
    ("Social Democratic and Labour Party", "SDLP", "#2aa82c", 2),
    ("Alliance", "APNI", "#f6cb2f", 2),
    ("Ulster Unionist Party", "UUP", "#48a5ee", 1),
    ("Traditional Unionist Voice", "TUV", "#0c3a6a", 1),
    ("Speaker", "Spk", "#000000", 1),
]
NI_PARTIES = {
    "Sinn Féin",
    "Democratic Unionist Party",
    "Social Democratic and Labour Party",
    "Alliance",
    "Ulster Unionist Party",
    "Traditional Unionist Voice",
}
# How the demo nominations drive stands: 27 of the 35 needed, and everything in between.
DEMO_STATUSES = [
    (TargetStatus.NOMINATED, 27),
    (TargetStatus.PLEDGED, 14),
    (TargetStatus.LEANING, 31),
    (TargetStatus.OPPOSED, 52),
    (TargetStatus.NOMINATED_OTHER, 96),
]


class Command(BaseCommand):
    help = "Create labelled demo data (650 constituencies and MPs, a campaign, supporters)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Give the demo organiser a new password and print it.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even under DJANGO_ENV=production.",
        )

    def handle(self, *args, reset_password=False, force=False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError(
                "seed_demo writes generated demo data; refusing under DJANGO_ENV=production "
                "(pass --force if you really mean it)"
            )
        fake = Faker("en_GB")
        fake.seed_instance(SEED)
        rng = random.Random(SEED)
        with transaction.atomic():
            organiser, password = self._organiser(reset_password)
            constituencies = self._constituencies(rng)
            representatives = self._representatives(rng, fake, constituencies)
            campaign = self._campaign(rng, representatives, organiser)
            self._supporters(rng, fake, constituencies)
            self._postcodes(constituencies)
            petition = self._petition(rng, campaign, constituencies)
            letter_campaign = self._letter_campaign(campaign)
            storm = self._storm(campaign)
            self._events(campaign, constituencies)
            self._messages(campaign)
        # The storm's and the events' default reminders, as organiser's beat task makes them.
        reminders_create()
        self.stdout.write(
            f"Demo data ready: {Constituency.objects.filter(is_demo=True).count()} "
            f"constituencies, {Representative.objects.filter(is_demo=True).count()} MPs, "
            f"campaign '{campaign.title}' with {campaign.targets.count()} targets, "
            f"{Supporter.objects.filter(email__endswith='@example.org').count()} supporters; "
            f"demo postcodes such as {demo_outcode(1)} {DEMO_INCODES[0]} work offline; "
            f"petition at http://127.0.0.1:8000/petitions/{petition.slug}/; letters at "
            f"http://127.0.0.1:8000/letters/{letter_campaign.slug}/; a Twitterstorm at "
            f"http://127.0.0.1:8000/storms/{storm.slug}/; events at "
            "http://127.0.0.1:8000/events/."
        )
        if password:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Organiser login: {ORGANISER_EMAIL} / {password}  "
                    "(admin at http://127.0.0.1:8000/admin/)"
                )
            )
        else:
            self.stdout.write(
                f"Organiser login: {ORGANISER_EMAIL} (password unchanged; "
                "`python manage.py seed_demo --reset-password` prints a new one)"
            )

    def _organiser(self, reset_password: bool) -> tuple[User, str | None]:
        user = User.objects.filter(email=ORGANISER_EMAIL).first()
        password = None
        if user is None:
            user = User(email=ORGANISER_EMAIL, name="Demo Organiser", is_staff=True)
            user.is_superuser = True
            reset_password = True
        if reset_password:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=ORGANISER_EMAIL, defaults={"verified": True, "primary": True}
        )
        return user, password

    def _constituencies(self, rng: random.Random) -> list[Constituency]:
        names = [f"{root} {suffix}".strip() for suffix in PLACE_SUFFIXES for root in PLACE_ROOTS]
        wanted = []
        number = 0
        for nation, region, seats, (lat, lon) in REGIONS:
            for _ in range(seats):
                number += 1
                electorate = rng.randint(69_000, 77_000)
                turnout = int(electorate * rng.uniform(0.52, 0.72))
                wanted.append(
                    Constituency(
                        ons_code=f"{NATION_LETTER[nation]}99{number:06d}",
                        name=names[number - 1],
                        nation=nation,
                        region=region,
                        electorate=electorate,
                        turnout=turnout,
                        majority=int(turnout * rng.betavariate(1.2, 4) * 0.6) + 20,
                        latitude=round(lat + rng.uniform(-0.6, 0.6), 5),
                        longitude=round(lon + rng.uniform(-0.6, 0.6), 5),
                        is_demo=True,
                    )
                )
        existing = set(Constituency.objects.values_list("ons_code", flat=True))
        Constituency.objects.bulk_create([c for c in wanted if c.ons_code not in existing])
        return list(Constituency.objects.filter(is_demo=True).order_by("ons_code"))

    def _representatives(self, rng, fake, constituencies) -> list[Representative]:
        parties = {}
        for name, abbreviation, colour, _seats in PARTIES:
            parties[name], _ = Party.objects.get_or_create(
                name=name, defaults={"abbreviation": abbreviation, "colour": colour}
            )
        ni = [c for c in constituencies if c.nation == Nation.NORTHERN_IRELAND]
        gb = [c for c in constituencies if c.nation != Nation.NORTHERN_IRELAND]
        seats = [name for name, *_, n in PARTIES if name in NI_PARTIES for _ in range(n)]
        party_for = dict(zip(ni, seats, strict=True))
        seats = [name for name, *_, n in PARTIES if name not in NI_PARTIES for _ in range(n)]
        rng.shuffle(seats)
        party_for.update(zip(gb, seats, strict=True))

        taken = set(
            Representative.objects.filter(is_current=True).values_list("constituency_id", flat=True)
        )
        new = []
        for number, constituency in enumerate(constituencies, start=1):
            first, last = fake.first_name(), fake.last_name()
            title = rng.choice(["Ms", "Mr", "Dr", "Mx"])
            if constituency.pk in taken:
                continue
            handle = f"{first}{last}MP".replace(" ", "").replace("'", "")[:30]
            new.append(
                Representative(
                    name=f"{title} {first} {last}",
                    address_as=f"{title} {last}",
                    party=parties[party_for[constituency]],
                    constituency=constituency,
                    email=f"{first}.{last}.mp@example.org".lower().replace(" ", "-"),
                    phone=f"01632 960{number % 1000:03d}",
                    x_handle=handle,
                    is_current=True,
                    is_demo=True,
                )
            )
        Representative.objects.bulk_create(new)
        return list(
            Representative.objects.filter(is_demo=True, is_current=True)
            .select_related("party")
            .order_by("constituency__ons_code")
        )

    def _campaign(self, rng, representatives, organiser) -> Campaign:
        today = timezone.localdate()
        campaign, created = Campaign.objects.get_or_create(
            slug=CAMPAIGN_SLUG,
            defaults={
                "title": "Demo: get our candidate on the leadership ballot",
                "description": (
                    "A candidate needs nominations from 35 Labour MPs by the deadline. "
                    "Write to your MP, sign the petition and join the Twitterstorm. "
                    "(Demo data: the MPs and constituencies here are generated.)"
                ),
                "starts_on": today - timedelta(days=14),
                "ends_on": today + timedelta(days=21),
                "threshold": 35,
                "is_demo": True,
            },
        )
        if not created:
            return campaign
        labour = [r for r in representatives if r.party.name == "Labour"]
        targets = Target.objects.bulk_create(
            [Target(campaign=campaign, representative=r) for r in labour]
        )
        order = list(range(len(targets)))
        rng.shuffle(order)
        now = timezone.now()
        changes, position = [], 0
        for status, count in DEMO_STATUSES:
            for index in order[position : position + count]:
                target = targets[index]
                target.status = status
                target.status_changed_at = now - timedelta(minutes=rng.randint(5, 14 * 24 * 60))
                changes.append(
                    TargetStatusChange(
                        target=target,
                        from_status=TargetStatus.UNDECIDED,
                        to_status=status,
                        changed_by=organiser,
                        changed_at=target.status_changed_at,
                        source_url="https://example.org/demo-source",
                        note="Demo status.",
                    )
                )
            position += count
        Target.objects.bulk_update(targets, ["status", "status_changed_at"])
        TargetStatusChange.objects.bulk_create(changes)
        return campaign

    def _supporters(self, rng, fake, constituencies) -> None:
        wanted = {}
        for number in range(1, SUPPORTERS + 1):
            email = f"demo-supporter-{number:04d}@example.org"
            wanted[email] = Supporter(
                email=email,
                name=fake.name(),
                constituency_code=rng.choice(constituencies).ons_code,
            )
        existing = set(
            Supporter.objects.filter(email__in=list(wanted)).values_list("email", flat=True)
        )
        Supporter.objects.bulk_create([s for e, s in wanted.items() if e not in existing])

        volunteer_emails = list(wanted)[::VOLUNTEER_EVERY]
        have_account = set(
            User.objects.filter(email__in=volunteer_emails).values_list("email", flat=True)
        )
        new_users = []
        for email in volunteer_emails:
            if email in have_account:
                continue
            user = User(email=email, name=wanted[email].name)
            user.set_unusable_password()  # demo volunteers cannot sign in
            new_users.append(user)
        User.objects.bulk_create(new_users)
        users = {u.email: u for u in User.objects.filter(email__in=volunteer_emails)}
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=user, email=email, verified=True, primary=True)
                for email, user in users.items()
                if email not in have_account
            ]
        )
        supporters = list(Supporter.objects.filter(email__in=volunteer_emails, user=None))
        for supporter in supporters:
            supporter.user = users[supporter.email]
        Supporter.objects.bulk_update(supporters, ["user"])
        self._volunteer_profiles(users, wanted, constituencies, rng)

    def _volunteer_profiles(self, users, wanted, constituencies, rng) -> None:
        """Each demo volunteer's profile: their seat, one or two skills with a level and
        when they are free, so the organisers' directory has something to filter."""
        seats = {seat.ons_code: seat for seat in constituencies}
        have = set(
            VolunteerProfile.objects.filter(user__in=users.values()).values_list(
                "user_id", flat=True
            )
        )
        profiles = VolunteerProfile.objects.bulk_create(
            VolunteerProfile(
                user=user,
                postcode="",
                constituency_code=wanted[email].constituency_code,
                constituency_name=seats[wanted[email].constituency_code].name,
                region=seats[wanted[email].constituency_code].region,
                weekday_evenings=rng.random() < 0.5,
                weekends=rng.random() < 0.6,
                hours_per_week=rng.choice([None, 2, 4, 8]),
            )
            for email, user in users.items()
            if user.pk not in have
        )
        skills = list(Skill.objects.all())
        VolunteerSkill.objects.bulk_create(
            VolunteerSkill(volunteer=profile, skill=skill, level=rng.randint(1, 3))
            for profile in profiles
            for skill in rng.sample(skills, k=min(len(skills), rng.randint(1, 2)))
        )

    def _messages(self, campaign) -> None:
        """The demo volunteers agreed to campaign email (a demo consent), and a draft update
        to them waits in the admin, for organisers to preview, test and schedule."""
        volunteers = Supporter.objects.filter(
            email__startswith="demo-supporter-", user__isnull=False
        ).exclude(consents__purpose=ConsentRecord.Purpose.CAMPAIGN_EMAIL)
        ConsentRecord.objects.bulk_create(
            ConsentRecord(
                supporter=supporter,
                purpose=ConsentRecord.Purpose.CAMPAIGN_EMAIL,
                wording="Demo: email me about the campaign",
                source="demo",
            )
            for supporter in volunteers
        )
        ScheduledMessage.objects.get_or_create(
            name="Demo: thirty nominations, five to go",
            defaults={
                "campaign": campaign,
                "audience": ScheduledMessage.Audience.VOLUNTEERS,
                "subject": "{{ first_name }}, five more MPs to go",
                "body": (
                    "Hello {{ first_name }},\n\nThirty MPs have nominated. Five more and our "
                    "candidate is on the ballot.\n\nWrite to yours today.\n\n{{ site_name }}"
                ),
                "state": ScheduledMessage.State.DRAFT,
            },
        )

    def _postcodes(self, constituencies) -> None:
        """Fallback rows for the demo postcodes: an outcode and two full postcodes per
        demo constituency, so look-ups resolve without postcodes.io."""
        wanted = {}
        for constituency in constituencies:
            outcode = demo_outcode(int(constituency.ons_code[3:]))
            for code in (outcode, *(f"{outcode} {incode}" for incode in DEMO_INCODES)):
                wanted[code] = PostcodeFallback(
                    code=code,
                    constituency_code=constituency.ons_code,
                    constituency_name=constituency.name,
                    region=constituency.region,
                    latitude=constituency.latitude,
                    longitude=constituency.longitude,
                )
        existing = set(
            PostcodeFallback.objects.filter(code__startswith="Z").values_list("code", flat=True)
        )
        PostcodeFallback.objects.bulk_create(
            [row for code, row in wanted.items() if code not in existing], batch_size=500
        )

    def _letter_campaign(self, campaign) -> LetterCampaign:
        """An open letter campaign with no letters: demo letters would be someone's words."""
        letter_campaign, _ = LetterCampaign.objects.get_or_create(
            slug=LETTER_CAMPAIGN_SLUG,
            defaults={
                "campaign": campaign,
                "title": "Demo: ask your MP to nominate",
                "guidance": (
                    "Write to your own MP in your own words: say you live in their "
                    "constituency, why the members should have a choice, and what you are "
                    "asking them to do. Be polite and brief. (Demo letter campaign: letters "
                    "go to the demo MPs' made-up addresses, written to files in var/mail/.)"
                ),
                "talking_points": [
                    "Members should choose from a full ballot",
                    "A nomination is not an endorsement",
                    "What the campaign means to you and your area",
                ],
                "subject_suggestion": "Please nominate so members can choose",
                "goal_statuses": ["nominated"],
            },
        )
        return letter_campaign

    def _storm(self, campaign) -> Twitterstorm:
        """A published storm at 19:00 UK time on the next day, aimed at the campaign's
        undecided and leaning MPs, with three angles; no pledges (they would be people)."""
        starts = timezone.localtime().replace(hour=19, minute=0, second=0, microsecond=0)
        starts += timedelta(days=1)
        storm, created = Twitterstorm.objects.get_or_create(
            slug=STORM_SLUG,
            defaults={
                "campaign": campaign,
                "title": "Demo: let members choose",
                "hashtag": "LetMembersChoose",
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=1),
                "briefing": (
                    "For one hour, post on #LetMembersChoose from your own account, aimed at "
                    "the MP this page gives you, in your own words. (Demo storm: change its "
                    "times in the admin to see it start.)"
                ),
                "is_published": True,
            },
        )
        if not created:
            return storm
        Angle.objects.bulk_create(
            [
                Angle(
                    storm=storm,
                    prompt=prompt,
                    starter=starter,
                    second_starter=second,
                )
                for prompt, starter, second in DEMO_ANGLES
            ]
        )
        targets = campaign.targets.filter(status__in=["undecided", "leaning"]).order_by("pk")
        StormTarget.objects.bulk_create(
            [StormTarget(storm=storm, target=target) for target in targets[:60]]
        )
        return storm

    def _events(self, campaign, constituencies) -> None:
        """Two approved events a week ahead, at the first demo constituency's centre: a
        street stall with two shifts and an online phone bank; no sign-ups."""
        if Event.objects.filter(slug__in=EVENT_SLUGS).exists():
            return
        place = _demo_place(constituencies[0])
        starts = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        starts += timedelta(days=7)
        stall = Event.objects.create(
            campaign=campaign,
            kind=Event.Kind.STREET_STALL,
            title="Demo: street stall outside the library",
            slug=EVENT_SLUGS[0],
            description="Leaflets, a petition clipboard and conversations. (Demo event.)",
            address="Outside the library, High Street",
            postcode=place.postcode,
            latitude=place.latitude,
            longitude=place.longitude,
            constituency_code=place.constituency_code,
            host_name="Demo Organiser",
            host_email=ORGANISER_EMAIL,
            min_attendance=4,
        )
        Shift.objects.bulk_create(
            [
                Shift(
                    event=stall, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=6
                ),
                Shift(
                    event=stall,
                    starts_at=starts + timedelta(hours=2),
                    ends_at=starts + timedelta(hours=4),
                    capacity=6,
                ),
            ]
        )
        evening = starts.replace(hour=19)
        bank = Event.objects.create(
            campaign=campaign,
            kind=Event.Kind.ONLINE,
            title="Demo: online phone bank",
            slug=EVENT_SLUGS[1],
            description="Call members from home with our script. (Demo event.)",
            online_url="https://meet.example.org/demo-phone-bank",
            address_visibility=Event.AddressVisibility.ATTENDEES,
            host_name="Demo Organiser",
            host_email=ORGANISER_EMAIL,
        )
        Shift.objects.create(
            event=bank, starts_at=evening, ends_at=evening + timedelta(hours=2), capacity=30
        )

    def _petition(self, rng, campaign, constituencies) -> Petition:
        """An open petition signed (and confirmed) by a share of the demo supporters."""
        petition, created = Petition.objects.get_or_create(
            slug=PETITION_SLUG,
            defaults={
                "campaign": campaign,
                "title": "Demo: MPs, put our candidate on the ballot",
                "text": (
                    "We call on every Labour MP to nominate our candidate, so that members "
                    "can choose. (Demo petition: the signatures are generated.)"
                ),
                "goal": 10_000,
                "milestones": [1_000, 5_000],
                "state": Petition.State.OPEN,
                "opens_at": timezone.now() - timedelta(days=7),
            },
        )
        if not created:
            return petition
        supporters = list(Supporter.objects.filter(email__startswith="demo-supporter-"))
        signers = rng.sample(supporters, k=min(PETITION_SIGNERS, len(supporters)))
        places = {c.ons_code: _demo_place(c) for c in constituencies}
        start = timezone.now() - timedelta(days=7)
        signatures = []
        for signer in signers:
            signed_at = start + timedelta(minutes=rng.randint(0, 7 * 24 * 60 - 10))
            # Built by the signing service's own builder, so demo rows carry every derived
            # field (canonical email, domain, share code...) exactly as a real signing does.
            signature = services._signature_build(
                petition=petition,
                supporter=signer,
                name=signer.name,
                email=signer.email,
                place=places[signer.constituency_code],
                source=rng.choice(["web", "web", "twitter", "whatsapp", "email"]),
                referred_by="",
                share_code=services.share_code(petition=petition, email=signer.email),
                ip_hash="",
                suspect=False,
                counted=True,
            )
            # Signed over the past week and confirmed a few minutes after, as if by email.
            signature.created_at = signed_at
            signature.confirmed_at = signed_at + timedelta(minutes=3)
            signatures.append(signature)
        Signature.objects.bulk_create(signatures, batch_size=500)
        CountChange.objects.bulk_create(
            [
                CountChange(petition=petition, constituency_code=s.constituency_code, delta=1)
                for s in signatures
            ],
            batch_size=500,
        )
        services.petition_counts_apply()
        return petition


def _demo_place(constituency: Constituency) -> Place:
    """Where the first demo postcode of a constituency resolves to, as the postcode look-up
    answers from the fallback table (see _postcodes)."""
    outcode = demo_outcode(int(constituency.ons_code[3:]))
    return Place(
        postcode=f"{outcode} {DEMO_INCODES[0]}",
        constituency_code=constituency.ons_code,
        constituency_name=constituency.name,
        region=constituency.region,
        latitude=constituency.latitude,
        longitude=constituency.longitude,
        source=SOURCE_FALLBACK,
    )


DEMO_ANGLES = [
    (
        "Why members should choose",
        "Nominating isn't endorsing: it lets the members decide.",
        "I want a real choice on the ballot, and so do my neighbours.",
    ),
    (
        "What it means where you live",
        "Where I live, people feel nobody in Westminster is listening.",
        "",
    ),
    ("A question for your MP", "Will you nominate, so that members can choose?", ""),
]


def demo_outcode(number: int) -> str:
    """The made-up outcode of demo constituency `number` (1 to 699): see the module
    docstring."""
    return f"Z{DEMO_POSTCODE_AREAS[number // 100]}{number % 100}"
