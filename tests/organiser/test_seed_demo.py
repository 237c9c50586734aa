import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from campaigns.targets.models import (
    Campaign,
    Constituency,
    Representative,
    Target,
    TargetStatusChange,
)
from volunteers.models import Supporter, User

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    models = (Constituency, Representative, Campaign, Target, TargetStatusChange, Supporter, User)
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
    assert not Constituency.objects.exclude(ons_code__regex=r"^[ESWN]99\d{6}$").exists()


def test_seed_twice_changes_nothing():
    seed()
    before = counts()

    seed()

    assert counts() == before


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
