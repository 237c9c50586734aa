"""Sync (issue #22, part 2): the lists an app keeps accept `updated_since` and answer
exactly the rows changed since then, and on the first page the ids removed since then;
database triggers keep `updated_at` and the tombstones true whatever writes the rows."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.generics import ListAPIView

from campaigns.events.models import RSVP, Event, Shift
from campaigns.targets.models import Campaign, Target
from core import sync
from core.models import Tombstone
from tests.factories import (
    CampaignFactory,
    ShiftFactory,
    SupporterFactory,
    TargetFactory,
    UserFactory,
)
from tests.harness.urls import api_views

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


def a_moment_passes():
    """Times are compared to the millisecond on SQLite: let one go by."""
    time.sleep(0.005)


def moment() -> str:
    a_moment_passes()
    now = timezone.now()
    a_moment_passes()
    return now.isoformat().replace("+00:00", "Z")


def ids(body) -> list[int]:
    return sorted(row["id"] for row in body["results"])


def test_any_update_sets_updated_at_even_a_querysets():
    event = ShiftFactory().event
    before = Event.objects.get(pk=event.pk).updated_at
    a_moment_passes()

    Event.objects.filter(pk=event.pk).update(title="Renamed")  # no save(), no auto_now

    assert Event.objects.get(pk=event.pk).updated_at > before


def test_a_change_to_what_a_row_shows_touches_it():
    shift = ShiftFactory()
    target = TargetFactory()
    event_before = Event.objects.get(pk=shift.event_id).updated_at
    campaign_before = Campaign.objects.get(pk=target.campaign_id).updated_at
    a_moment_passes()

    Shift.objects.filter(pk=shift.pk).update(places_taken=1)  # an event shows places left
    Target.objects.filter(pk=target.pk).update(status="nominated")  # a campaign its tally

    assert Event.objects.get(pk=shift.event_id).updated_at > event_before
    assert Campaign.objects.get(pk=target.campaign_id).updated_at > campaign_before


def test_a_delete_leaves_a_tombstone_with_the_owner_for_a_persons_own_rows():
    user = UserFactory()
    supporter = SupporterFactory(user=user)
    shift = ShiftFactory()
    rsvp = RSVP.objects.create(shift=shift, supporter=supporter, name="Jo", state="signed_up")
    event_id = shift.event_id

    RSVP.objects.filter(pk=rsvp.pk).delete()
    Shift.objects.filter(pk=shift.pk).delete()
    Event.objects.filter(pk=event_id).delete()

    assert sorted(Tombstone.objects.values_list("resource", "object_id", "owner_id")) == [
        ("events.event", event_id, None),
        ("events.rsvp", rsvp.pk, user.pk),
    ]


def test_updated_since_answers_exactly_the_rows_changed_and_the_ids_removed(client):
    kept, changed, deleted, cancelled = (ShiftFactory().event for _ in range(4))
    since = moment()

    Event.objects.filter(pk=changed.pk).update(title="Moved to the square")
    Shift.objects.filter(event=deleted).delete()
    Event.objects.filter(pk=deleted.pk).delete()
    Event.objects.filter(pk=cancelled.pk).update(state=Event.State.CANCELLED)
    everything = client.get(EVENTS).json()
    response = client.get(EVENTS, {"updated_since": since})

    body = response.json()
    assert ids(everything) == sorted([kept.pk, changed.pk])  # the whole list, as before
    assert ids(body) == [changed.pk]
    assert body["results"][0]["title"] == "Moved to the square"
    assert body["removed"] == sorted([deleted.pk, cancelled.pk])
    assert "removed" not in everything
    synced_at = response["X-Synced-At"]
    assert synced_at.endswith("Z") and synced_at < since  # the overlap: a minute before


def test_nothing_changed_is_an_empty_answer(client):
    ShiftFactory.create_batch(2)
    since = moment()

    body = client.get(EVENTS, {"updated_since": since}).json()

    assert (body["results"], body["removed"], body["count"]) == ([], [], 0)


def test_a_persons_own_list_reports_their_deletions_and_nobody_elses(client):
    user, other = UserFactory(), UserFactory()
    mine = SupporterFactory(user=user)
    theirs = SupporterFactory(user=other)
    shifts = ShiftFactory.create_batch(3)
    kept, changed, gone = (
        RSVP.objects.create(shift=shift, supporter=mine, name="Jo", state="signed_up", code="A1")
        for shift in shifts
    )
    their_rsvp = RSVP.objects.create(
        shift=shifts[0], supporter=theirs, name="Al", state="signed_up", code="B2"
    )
    since = moment()
    RSVP.objects.filter(pk=changed.pk).update(state="cancelled")
    RSVP.objects.filter(pk__in=[gone.pk, their_rsvp.pk]).delete()
    client.force_login(user)

    body = client.get("/api/v1/me/rsvps/", {"updated_since": since}).json()

    assert ids(body) == [changed.pk] and body["results"][0]["state"] == "cancelled"
    assert body["removed"] == [gone.pk]
    assert kept.pk not in ids(body)


def test_removed_is_on_the_first_page_only(client):
    ShiftFactory.create_batch(3)
    gone = ShiftFactory().event
    since = moment()
    Event.objects.filter(pk__in=Event.objects.exclude(pk=gone.pk).values("pk")).update(title="x")
    Shift.objects.filter(event=gone).delete()
    Event.objects.filter(pk=gone.pk).delete()

    first = client.get(EVENTS, {"updated_since": since, "page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert first["removed"] == [gone.pk] and second["removed"] == []
    assert len(ids(first)) + len(ids(second)) == 3


@pytest.mark.parametrize(
    "value, message",
    [
        ("yesterday", "Datetime has wrong format"),
        ("2020-01-01T00:00:00Z", "fetch the whole list again"),
    ],
)
def test_a_bad_or_too_old_updated_since_is_a_400_naming_it(client, value, message):
    response = client.get(EVENTS, {"updated_since": value})

    assert response.status_code == 400
    [text] = response.json()["fields"]["updated_since"]
    assert message in text


def test_the_queries_do_not_grow_with_the_rows_changed(client, django_assert_max_num_queries):
    CampaignFactory.create_batch(2)
    since = moment()
    Campaign.objects.update(title="Changed")
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/campaigns/", {"updated_since": since})
    CampaignFactory.create_batch(15)
    Campaign.objects.update(title="Changed again")
    for campaign in Campaign.objects.all()[:5]:
        campaign.delete()

    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/v1/campaigns/", {"updated_since": since}).json()

    assert body["count"] == 12 and len(body["removed"]) == 5


def test_tombstones_are_forgotten_after_their_days(settings):
    settings.SYNC_TOMBSTONE_DAYS = 90
    event = ShiftFactory().event
    Shift.objects.filter(event=event).delete()
    Event.objects.filter(pk=event.pk).delete()
    Tombstone.objects.update(deleted_at=timezone.now() - timedelta(days=91))

    assert sync.tombstones_purge() == 1
    assert not Tombstone.objects.exists()


def test_the_schema_describes_updated_since_and_removed(client):
    schema = client.get("/api/v1/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/events/"]["get"]
    names = [parameter["name"] for parameter in operation["parameters"]]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page_schema = schema["components"]["schemas"][page.rsplit("/", 1)[1]]

    assert "updated_since" in names
    assert page_schema["properties"]["removed"]["items"] == {"type": "integer"}


# Lists under /api/v1/ an app does not keep a copy of, and why.
NOT_SYNCED = {
    "RepresentativeList": "a search (by name or postcode), not a list an app keeps",
    "ConstituencyList": "reference data from Parliament, fetched whole when it is needed",
    "VolunteerList": "organisers' directory, queried with filters, never kept on a phone",
    "MyActions": "a history drawn from several tables; /me/ and the lists it comes from sync",
    "Actions": (
        "a history read by cursor, newest first; an action can be recorded with a past time "
        "and withdrawn, so it is read again rather than kept"
    ),
}


def _list_views():
    return {name: cls for name, cls in api_views().items() if issubclass(cls, ListAPIView)}


def test_every_api_list_syncs_or_says_why_not():
    lists = _list_views()

    unsynced = sorted(
        name
        for name, cls in lists.items()
        if not issubclass(cls, sync.SyncedList) and name not in NOT_SYNCED
    )

    assert {"EventList", "CampaignList", "MyRSVPs"} <= set(lists)  # the walk finds them
    assert unsynced == []
    assert set(NOT_SYNCED) <= set(lists)
    assert all(cls.sync_resource for cls in lists.values() if issubclass(cls, sync.SyncedList))
