"""On the day (issue #18, part 5): the placed email carries the code and its QR image (made
here, no network); the host's check-in page takes the code typed or scanned, adds
walk-ins with their email and consent, and marks no-shows at the end; only the host and
organisers may use it; attending an event aimed at a target is pressure on it."""

import html
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from campaigns.events import services
from campaigns.events.emails import check_in_url
from campaigns.events.models import RSVP
from campaigns.pressure.models import ActionRecord
from tests.factories import (
    EventFactory,
    OrganiserFactory,
    ShiftFactory,
    SupporterFactory,
    TargetFactory,
    UserFactory,
)
from volunteers.models import ConsentRecord


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def host(db):
    user = UserFactory()
    return user, SupporterFactory(user=user, email=user.email)


@pytest.fixture
def event(host):
    return EventFactory(host=host[1], target=TargetFactory())


def placed(event, n=0):
    shift = event.shifts.first() or ShiftFactory(event=event)
    with committed():
        rsvp, _ = services.rsvp_create(shift=shift, name=f"Person {n}", user=UserFactory())
    return RSVP.objects.get(pk=rsvp.pk)


def test_the_placed_email_carries_the_code_and_a_qr_of_the_check_in_address(event):
    rsvp = placed(event)

    [message] = mail.outbox
    assert rsvp.code in message.body
    [(filename, png, mimetype)] = message.attachments
    assert mimetype == "image/png" and png.startswith(b"\x89PNG") and rsvp.code in filename
    assert check_in_url(rsvp).endswith(f"/events/{event.slug}/check-in/?code={rsvp.code}")


def test_the_host_checks_in_by_code_typed_in_any_case_once(client, event, host):
    rsvp = placed(event)
    client.force_login(host[0])
    url = f"/events/{event.slug}/check-in/"

    scanned = client.get(url, {"code": rsvp.code})
    assert f'value="{rsvp.code}"' in scanned.content.decode()
    client.post(url, {"step": "code", "code": f" {rsvp.code.lower()} "})
    client.post(url, {"step": "code", "code": rsvp.code})

    rsvp.refresh_from_db()
    assert rsvp.state == RSVP.State.ATTENDED and rsvp.checked_in_at
    [record] = ActionRecord.objects.all()
    assert (record.kind, record.target_id) == ("attendance", event.target_id)


def test_a_wrong_code_is_a_field_error(client, event, host):
    placed(event)
    client.force_login(host[0])

    response = client.post(f"/events/{event.slug}/check-in/", {"step": "code", "code": "ZZZZZZ"})

    assert response.status_code == 400
    assert "No place at this event has that code" in response.content.decode()


def test_a_walk_in_needs_consent_and_is_checked_in_with_it_recorded(client, event, host):
    shift = ShiftFactory(event=event)
    client.force_login(host[0])
    url = f"/events/{event.slug}/check-in/"
    walk_in = {"step": "walk_in", "shift": shift.pk, "name": "Walk In", "email": "w@example.org"}

    refused = client.post(url, walk_in)
    assert refused.status_code == 400 and "Ask them whether" in refused.content.decode()
    assert not RSVP.objects.exists()

    client.post(url, {**walk_in, "consent": "on"})

    rsvp = RSVP.objects.get()
    assert rsvp.state == RSVP.State.ATTENDED and rsvp.email == "w@example.org"
    assert ConsentRecord.objects.filter(supporter=rsvp.supporter, purpose="events").exists()
    assert shift.__class__.objects.get(pk=shift.pk).places_taken == 0  # no place taken


def test_no_shows_are_marked_at_the_end(client, event, host):
    shift = ShiftFactory(event=event, starts_at=timezone.now() + timedelta(hours=1))
    came = placed(event, 1)
    stayed_away = placed(event, 2)
    client.force_login(host[0])
    url = f"/events/{event.slug}/check-in/"
    client.post(url, {"step": "code", "code": came.code})

    too_soon = client.post(url, {"step": "no_shows", "shift": shift.pk}, follow=True)
    assert "hasn't started" in html.unescape(too_soon.content.decode())
    shift.__class__.objects.filter(pk=shift.pk).update(
        starts_at=timezone.now() - timedelta(hours=1)
    )
    client.post(url, {"step": "no_shows", "shift": shift.pk})

    assert RSVP.objects.get(pk=stayed_away.pk).state == RSVP.State.NO_SHOW
    assert RSVP.objects.get(pk=came.pk).state == RSVP.State.ATTENDED


def test_only_the_host_and_organisers_may_check_in(client, event):
    url = f"/events/{event.slug}/check-in/"

    assert client.get(url).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(OrganiserFactory())
    assert client.get(url).status_code == 200


def test_the_host_sees_contact_details_only_where_the_attendee_agreed(client, event, host):
    shift = ShiftFactory(event=event)
    services.rsvp_create(
        shift=shift, name="Shares", user=UserFactory(email="shares@example.org"), share_contact=True
    )
    services.rsvp_create(shift=shift, name="Private", user=UserFactory(email="private@example.org"))
    client.force_login(host[0])

    page = client.get(f"/events/{event.slug}/check-in/").content.decode()

    assert "Shares" in page and "shares@example.org" in page
    assert "Private" in page and "private@example.org" not in page
