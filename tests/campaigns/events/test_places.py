"""Places on a shift (issue #18, part 3): never over capacity under any concurrency; a full
shift puts people on the waiting list; a freed place is offered to the first in line, by
email, until it expires, then to the next; people cancel their own place until a cutoff."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from campaigns.events import services
from campaigns.events.models import RSVP, Shift
from tests.factories import EventFactory, ShiftFactory, UserFactory
from volunteers import privacy
from volunteers.models import Supporter


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


def sign_up(shift, n=0, **overrides):
    values = {"name": f"Person {n}", "email": f"person{n}@example.org"}
    values.update(overrides)
    with committed():
        return services.rsvp_create(shift=shift, **values)


def link(address, action):
    [message] = [m for m in mail.outbox if address in m.to and f"/{action}/" in m.body]
    return re.search(rf"/events/rsvp/([^/\s]+)/{action}/", message.body).group(1)


def confirmed(shift, n=0, **overrides):
    rsvp, _ = sign_up(shift, n, **overrides)
    with committed():
        return services.rsvp_confirm(token=link(rsvp.email, "confirm"))


@pytest.fixture
def shift(db):
    return ShiftFactory(capacity=2)


def test_an_email_sign_up_holds_no_place_until_its_link_is_followed(shift):
    rsvp, created = sign_up(shift)

    assert created and rsvp.state == RSVP.State.AWAITING_CONFIRMATION
    assert Shift.objects.get(pk=shift.pk).places_taken == 0
    with committed():
        services.rsvp_confirm(token=link("person0@example.org", "confirm"))
        services.rsvp_confirm(token=link("person0@example.org", "confirm"))  # twice

    rsvp.refresh_from_db()
    assert rsvp.state == RSVP.State.SIGNED_UP and rsvp.email_confirmed_at
    assert Shift.objects.get(pk=shift.pk).places_taken == 1
    placed = [m for m in mail.outbox if m.subject.startswith("You're signed up")]
    assert len(placed) == 1 and rsvp.code in placed[0].body


def test_an_account_sign_up_is_placed_at_once_and_twice_is_one(shift):
    user = UserFactory()

    first, created = services.rsvp_create(shift=shift, name="Jo", user=user)
    again, created_again = services.rsvp_create(shift=shift, name="Jo", user=user)

    assert (created, created_again) == (True, False) and again.pk == first.pk
    assert first.state == RSVP.State.SIGNED_UP and first.email == user.email


def test_a_full_shift_puts_people_on_the_waiting_list(shift):
    states = [confirmed(shift, n).state for n in range(4)]

    assert states == ["signed_up", "signed_up", "waiting", "waiting"]
    assert Shift.objects.get(pk=shift.pk).places_taken == 2


def test_a_cancellation_offers_the_place_to_the_first_waiting_and_an_expired_offer_moves_on(
    shift, settings
):
    first, _second, third, fourth = (confirmed(shift, n) for n in range(4))
    mail.outbox.clear()

    with committed():
        assert services.rsvp_cancel(rsvp=first)
    third.refresh_from_db()
    assert third.state == RSVP.State.OFFERED
    assert third.offer_expires_at - third.offered_at == timedelta(hours=settings.EVENT_OFFER_HOURS)
    assert Shift.objects.get(pk=shift.pk).places_taken == 2  # the place passed to the offer
    [offer] = mail.outbox
    assert offer.to == ["person2@example.org"] and "come free" in offer.subject

    RSVP.objects.filter(pk=third.pk).update(offer_expires_at=timezone.now() - timedelta(1))
    with committed():
        assert services.offers_expire() == 1
        assert services.offers_expire() == 0

    assert RSVP.objects.get(pk=third.pk).state == RSVP.State.CANCELLED
    assert RSVP.objects.get(pk=fourth.pk).state == RSVP.State.OFFERED
    with committed():
        services.rsvp_offer_accept(token=link("person3@example.org", "accept"))
    assert RSVP.objects.get(pk=fourth.pk).state == RSVP.State.SIGNED_UP
    assert Shift.objects.get(pk=shift.pk).places_taken == 2
    with pytest.raises(services.LinkInvalid):
        services.rsvp_offer_accept(token=link("person2@example.org", "accept"))


def test_a_place_freed_with_nobody_waiting_goes_back_to_the_shift(shift):
    rsvp = confirmed(shift)

    services.rsvp_cancel(rsvp=rsvp)

    assert Shift.objects.get(pk=shift.pk).places_taken == 0
    assert services.rsvp_cancel(rsvp=rsvp) is False  # twice: once


def test_cancelling_closes_at_the_cutoff(db, settings):
    shift = ShiftFactory(starts_at=timezone.now() + timedelta(minutes=30))
    rsvp = confirmed(shift)

    with pytest.raises(ValidationError) as refused:
        services.rsvp_cancel(rsvp=rsvp)

    assert "too close to the start" in refused.value.messages[0]
    assert RSVP.objects.get(pk=rsvp.pk).state == RSVP.State.SIGNED_UP


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": ""}, "name"),
        ({"name": "Jo\r\nBcc: x@example.org"}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
    ],
)
def test_bad_input_is_a_field_error_storing_nothing(shift, overrides, field):
    with pytest.raises(ValidationError) as refused:
        sign_up(shift, **overrides)

    assert field in refused.value.message_dict
    assert RSVP.objects.count() == 0 and Supporter.objects.count() == 0


def test_an_event_not_approved_or_a_shift_started_takes_no_sign_ups(db):
    proposed = ShiftFactory(event=EventFactory(state="proposed"))
    started = ShiftFactory(starts_at=timezone.now() - timedelta(minutes=1))

    for shift in (proposed, started):
        with pytest.raises(ValidationError):
            sign_up(shift)
    assert RSVP.objects.count() == 0


def test_privacy_export_and_erasure_keep_the_places(shift):
    rsvp = confirmed(shift, phone="+44 7700 900123", share_contact=True)
    supporter = rsvp.supporter

    export = privacy.supporter_export(supporter=supporter)["events"]
    assert export["rsvps"][0]["phone"] == "+44 7700 900123"
    privacy.supporter_erase(supporter=supporter)

    rsvp.refresh_from_db()
    assert (rsvp.supporter_id, rsvp.name, rsvp.phone) == (None, "", "")
    assert rsvp.state == RSVP.State.SIGNED_UP
    assert Shift.objects.get(pk=shift.pk).places_taken == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_sign_ups_for_ten_places_give_ten_places_and_forty_waiting():
    shift = ShiftFactory(capacity=10)
    users = [UserFactory() for _ in range(50)]
    start = threading.Barrier(50)
    errors = []

    def sign(user):
        start.wait()
        try:
            services.rsvp_create(shift=shift, name="Someone", user=user)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    states = list(RSVP.objects.filter(shift=shift).values_list("state", flat=True))
    assert states.count("signed_up") == 10 and states.count("waiting") == 40
    assert Shift.objects.get(pk=shift.pk).places_taken == 10


def test_an_events_maximum_attendance_holds_across_its_shifts(db):
    event = EventFactory(max_attendance=3)
    morning, afternoon = (
        ShiftFactory(event=event, capacity=2),
        ShiftFactory(event=event, capacity=2),
    )

    states = [confirmed(morning, n).state for n in range(2)]
    states += [confirmed(afternoon, n).state for n in range(2, 4)]

    assert states == ["signed_up", "signed_up", "signed_up", "waiting"]
    assert sum(Shift.objects.filter(event=event).values_list("places_taken", flat=True)) == 3
