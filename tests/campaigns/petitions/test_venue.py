"""A street stall or a meeting hall signs many people from one connection: an organiser's
venue allowance keeps the per-IP limits from marking them suspect, in its window only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.petitions.models import Signature, VenueAllowance
from core.http import client_ip_hash
from tests.campaigns.petitions.helpers import counted_total, sign
from tests.factories import OrganiserFactory, PetitionFactory

pytestmark = pytest.mark.django_db

STALL_IP = "203.0.113.7"


@pytest.fixture
def instant(db, settings):
    """A petition counting at once, with at most two signatures per IP in the burst."""
    settings.PETITION_RATE_LIMITS = {**settings.PETITION_RATE_LIMITS, "ip_burst": (2, 60)}
    return PetitionFactory(confirmation_required=False)


def allow(ip=STALL_IP, petition=None, starts=-1, ends=1):
    """An allowance from `starts` to `ends` hours from now."""
    now = timezone.now()
    return VenueAllowance.objects.create(
        label="Market Street stall",
        ip_hash=client_ip_hash(ip),
        petition=petition,
        starts_at=now + timedelta(hours=starts),
        ends_at=now + timedelta(hours=ends),
    )


def sign_at_stall(petition, how_many, ip=STALL_IP, domain="example.org"):
    for n in range(how_many):
        sign(petition, n, email=f"person{n}@{domain}", ip=ip)


def test_a_venue_allowance_keeps_its_signatures_from_being_suspect(instant, seats):
    allow(petition=instant)

    sign_at_stall(instant, 8)

    assert not Signature.objects.filter(is_suspect=True).exists()
    assert counted_total(instant) == 8


def test_an_allowance_for_every_petition_covers_this_one(instant, seats):
    allow(petition=None)

    sign_at_stall(instant, 5)

    assert counted_total(instant) == 5


@pytest.mark.parametrize(("starts", "ends"), [(-3, -1), (1, 3)], ids=["ended", "not yet begun"])
def test_outside_its_window_the_ip_limits_apply(instant, seats, starts, ends):
    allow(petition=instant, starts=starts, ends=ends)

    sign_at_stall(instant, 5)

    assert Signature.objects.filter(is_suspect=True).count() == 3
    assert counted_total(instant) == 2


def test_an_allowance_does_not_cover_another_ip(instant, seats):
    allow(ip="198.51.100.9", petition=instant)

    sign_at_stall(instant, 5)

    assert Signature.objects.filter(is_suspect=True).count() == 3


def test_an_allowance_for_another_petition_does_not_cover_this_one(instant, seats):
    allow(petition=PetitionFactory())

    sign_at_stall(instant, 5)

    assert Signature.objects.filter(is_suspect=True).count() == 3


def test_domain_limits_still_apply_at_a_venue(instant, seats, settings):
    settings.PETITION_RATE_LIMITS = {**settings.PETITION_RATE_LIMITS, "domain_burst": (3, 60)}
    allow(petition=instant)

    sign_at_stall(instant, 5, domain="throwaway.example")

    assert Signature.objects.filter(is_suspect=True).count() == 2


def test_signing_under_the_limits_never_looks_up_allowances(instant, seats):
    allow(petition=instant)
    table = VenueAllowance._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        sign(instant, 1, ip="198.51.100.1")
    assert not any(table in q["sql"] for q in queries.captured_queries)

    with CaptureQueriesContext(connection) as queries:
        sign_at_stall(instant, 3)  # the third is over the limit: then it looks
    assert sum(table in q["sql"] for q in queries.captured_queries) == 1


def test_the_admin_stores_the_ip_as_a_hash_and_never_the_address(client, instant):
    organiser = OrganiserFactory()
    client.force_login(organiser)

    response = client.post(
        reverse("admin:petitions_venueallowance_add"),
        {"label": "Town hall meeting", "ip_address": STALL_IP, "petition": instant.pk,
         "starts_at_0": "2030-06-01", "starts_at_1": "18:00",
         "ends_at_0": "2030-06-01", "ends_at_1": "21:00"},
    )  # fmt: skip

    assert response.status_code == 302
    allowance = VenueAllowance.objects.get()
    assert (allowance.ip_hash, allowance.created_by) == (client_ip_hash(STALL_IP), organiser)
    row = VenueAllowance.objects.filter(pk=allowance.pk).values().get()
    assert STALL_IP not in {str(value) for value in row.values()}


def test_the_admin_refuses_an_allowance_that_ends_before_it_starts(client, instant):
    client.force_login(OrganiserFactory())

    response = client.post(
        reverse("admin:petitions_venueallowance_add"),
        {"label": "Backwards", "ip_address": STALL_IP,
         "starts_at_0": "2030-06-01", "starts_at_1": "21:00",
         "ends_at_0": "2030-06-01", "ends_at_1": "18:00"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "must end after it starts" in response.content.decode()
    assert not VenueAllowance.objects.exists()


def test_the_admin_needs_the_ip_address_of_a_new_allowance(client, instant):
    client.force_login(OrganiserFactory())

    response = client.post(
        reverse("admin:petitions_venueallowance_add"),
        {"label": "No address", "ip_address": "",
         "starts_at_0": "2030-06-01", "starts_at_1": "18:00",
         "ends_at_0": "2030-06-01", "ends_at_1": "21:00"},
    )  # fmt: skip

    assert "Enter the venue&#x27;s IP address." in response.content.decode()
    assert not VenueAllowance.objects.exists()
