"""Volunteer-hosted events (issue #18, part 4): a signed-in volunteer proposes an event;
it is invisible until an organiser approves it; organisers approve or decline with a
reason, and the host is told; the host checks people in."""

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from campaigns.events.models import Event
from tests.factories import (
    CampaignFactory,
    ConstituencyFactory,
    OrganiserFactory,
    PostcodeFallbackFactory,
    UserFactory,
)


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture(autouse=True)
def _offline(settings, db):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2
    seat = ConstituencyFactory(ons_code="E14000639")
    PostcodeFallbackFactory(
        code="ZA1 1AA", constituency_code=seat.ons_code, latitude=51.5, longitude=-0.12
    )


def proposal(campaign, **overrides):
    data = {
        "campaign": campaign.pk,
        "kind": "phone_bank",
        "title": "Phone bank in my front room",
        "description": "Tea provided.",
        "address": "12 Acacia Avenue",
        "postcode": "ZA1 1AA",
        "online_url": "",
        "address_visibility": "attendees",
        "starts_at": "2027-07-01T19:00",
        "ends_at": "2027-07-01T21:00",
        "capacity": "6",
        "phone": "",
    }
    data.update(overrides)
    return data


def test_a_proposed_event_is_invisible_until_approved_and_the_host_is_told(client):
    campaign = CampaignFactory()
    volunteer = UserFactory(email="vol@example.org")
    client.force_login(volunteer)

    response = client.post("/events/propose/", proposal(campaign))

    assert response.status_code == 302
    event = Event.objects.get()
    assert event.state == Event.State.PROPOSED and event.host.user == volunteer
    assert (event.latitude, event.postcode) == (51.5, "ZA1 1AA")
    assert event.shifts.get().starts_at.isoformat() == "2027-07-01T18:00:00+00:00"
    client.logout()
    assert client.get(f"/events/{event.slug}/").status_code == 404
    assert event.title not in client.get("/events/").content.decode()
    assert client.get(f"/api/v1/events/{event.pk}/").status_code == 404

    organiser = OrganiserFactory()
    client.force_login(organiser)
    with committed():
        client.post(
            reverse("admin:events_event_changelist"),
            {"action": "approve", "_selected_action": [event.pk]},
        )

    assert Event.objects.get().state == Event.State.APPROVED
    assert client.get(f"/events/{event.slug}/").status_code == 200
    [told] = mail.outbox
    assert told.to == ["vol@example.org"] and "approved" in told.subject
    assert f"/events/{event.slug}/check-in/" in told.body


def test_declining_asks_for_a_reason_and_tells_the_host(client):
    campaign = CampaignFactory()
    client.force_login(UserFactory(email="vol@example.org"))
    client.post("/events/propose/", proposal(campaign))
    event = Event.objects.get()
    client.force_login(OrganiserFactory())
    url = reverse("admin:events_event_changelist")

    asked = client.post(url, {"action": "decline", "_selected_action": [event.pk]})
    with committed():
        client.post(
            url,
            {
                "action": "decline",
                "_selected_action": [event.pk],
                "apply": "1",
                "reason": "Please hold it somewhere public.",
            },
        )

    assert "Decline 1 event" in asked.content.decode()
    assert Event.objects.get().state == Event.State.DECLINED
    [told] = mail.outbox
    assert "Please hold it somewhere public." in told.body


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"postcode": "nowhere"}, "That is not a UK postcode."),
        ({"ends_at": "2027-07-01T18:00"}, "It must end after it starts."),
        (
            {"starts_at": "2020-07-01T19:00", "ends_at": "2020-07-01T21:00"},
            "It must start in the future.",
        ),
        ({"kind": "online", "address": "", "postcode": ""}, "An online event needs its link."),
    ],
)
def test_a_bad_proposal_is_refused_with_a_clear_message_storing_nothing(client, overrides, field):
    client.force_login(UserFactory())

    response = client.post("/events/propose/", proposal(CampaignFactory(), **overrides))

    assert response.status_code == 400 and field in response.content.decode()
    assert not Event.objects.exists()


def test_proposing_needs_signing_in(client):
    assert client.get("/events/propose/").status_code == 302
