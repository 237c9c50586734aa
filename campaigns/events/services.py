"""Every write of events' places: signing up (by account at once, by email once the link is
followed), the waiting list, cancelling, offering a freed place to the first in line with
an expiry, and accepting it. The page, the API, the admin and the tasks all come here.

Capacity: a shift's places_taken changes only by one conditional UPDATE (take a place
only below capacity) or by handing a freed place straight to the first waiting person
(the count does not move), each inside the transaction that changes the RSVP; PostgreSQL
re-checks the condition after waiting for the row lock, so however many sign up at once,
exactly the capacity gets places and the rest wait.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from campaigns.events import tasks
from campaigns.events.models import CODE_LENGTH, NAME_MAX, PHONE_MAX, RSVP, Event, Shift
from campaigns.pressure.models import ActionKind
from campaigns.pressure.services import Action, actions_record
from core.db import insert_unless_exists
from core.fields import one_line
from core.links import link_id, link_token
from core.ratelimit import within_cap_for
from volunteers.models import email_checked
from volunteers.places import PlaceError, place_for_postcode
from volunteers.services import consent_record, supporter_get_or_create, supporter_link_user

CONFIRM_SALT = "events.rsvp-confirm"
OFFER_SALT = "events.rsvp-offer"
CANCEL_SALT = "events.rsvp-cancel"
RSVP_PATH = "/events/rsvp/{token}/{action}/"  # the page that confirms, accepts or cancels
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I

HOLDS_A_PLACE = [RSVP.State.SIGNED_UP, RSVP.State.CONFIRMED, RSVP.State.OFFERED]


class LinkInvalid(ValidationError):
    pass


def event_place_resolve(*, event: Event) -> None:
    """Set the event's location from its postcode (normalised, with latitude, longitude and
    constituency), or clear it for an event with no postcode. ValidationError({"postcode"})
    with the look-up's own message for one that cannot be found; nothing is saved here."""
    if not event.postcode.strip():
        event.postcode, event.latitude, event.longitude, event.constituency_code = (
            "",
            None,
            None,
            "",
        )
        return
    try:
        place = place_for_postcode(event.postcode)
    except PlaceError as error:
        raise ValidationError({"postcode": error.message}) from None
    event.postcode = place.postcode
    event.latitude, event.longitude = place.latitude, place.longitude
    event.constituency_code = place.constituency_code


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _check_shift_open(shift: Shift) -> None:
    event = shift.event
    if event.state != Event.State.APPROVED:
        raise ValidationError({NON_FIELD_ERRORS: "This event is not taking sign-ups."})
    if event.sign_ups_closed_at is not None and event.sign_ups_closed_at <= timezone.now():
        raise ValidationError({NON_FIELD_ERRORS: "Sign-ups for this event have closed."})
    if shift.starts_at <= timezone.now():
        raise ValidationError({NON_FIELD_ERRORS: "This shift has started: it takes no more."})


def _take_place(shift_id: int) -> bool:
    """Take one place on the shift if one is left: one conditional UPDATE. For an event with
    a max_attendance, its row is locked first and the places held on all its shifts are
    counted under the lock, so the event's cap holds too."""
    event = Event.objects.filter(shifts__pk=shift_id).values("pk", "max_attendance").first()
    if event and event["max_attendance"] is not None:
        Event.objects.select_for_update().filter(pk=event["pk"]).values_list("pk").first()
        held = Shift.objects.filter(event_id=event["pk"]).aggregate(n=Sum("places_taken"))["n"]
        if (held or 0) >= event["max_attendance"]:
            return False
    return bool(
        Shift.objects.filter(pk=shift_id, places_taken__lt=F("capacity")).update(
            places_taken=F("places_taken") + 1
        )
    )


def _settle(rsvp: RSVP, now) -> None:
    """An RSVP whose address is known to be its person's gets a place, or the waiting list;
    the email saying which goes after commit."""
    if _take_place(rsvp.shift_id):
        rsvp.state = RSVP.State.SIGNED_UP
    else:
        rsvp.state, rsvp.waiting_since = RSVP.State.WAITING, now
    RSVP.objects.filter(pk=rsvp.pk).update(
        state=rsvp.state, waiting_since=rsvp.waiting_since, email_confirmed_at=now
    )
    rsvp.email_confirmed_at = now
    tasks.rsvp_email_send.delay_on_commit(rsvp.pk, "placed")


def rsvp_create(
    *,
    shift: Shift,
    name: str,
    email: str = "",
    phone: str = "",
    share_contact: bool = False,
    user=None,
    source: str = "",
) -> tuple[RSVP, bool]:
    """Sign up for a shift: with an account (its verified address) the place, or the waiting
    list, is decided now; with a name and an email the RSVP waits for the emailed link
    (rsvp_confirm), so nobody can take places in other people's names. Signing up again
    returns the RSVP the person has (False: not new). ValidationError naming each bad field,
    storing nothing; a non-field error for an event not approved or a shift started."""
    _check_shift_open(shift)
    errors: dict[str, str] = {}
    name = one_line(name, field="name", label="name", limit=NAME_MAX, errors=errors)
    phone = one_line(
        phone, field="phone", label="phone number", limit=PHONE_MAX, errors=errors, required=False
    )
    if phone and not all(c.isdigit() or c in "+ ()-" for c in phone):
        errors["phone"] = "Enter a phone number with digits, spaces and + only."
    if user is None:
        email = email_checked(email, errors=errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        if user is not None:
            supporter = supporter_link_user(user=user)
            email = supporter.email
        else:
            supporter, _ = supporter_get_or_create(email=email, name=name)
        while True:
            rsvp = RSVP(
                shift=shift,
                supporter=supporter,
                name=name,
                email=email,
                phone=phone,
                share_contact=bool(share_contact),
                source=source[: RSVP._meta.get_field("source").max_length],
                state=RSVP.State.AWAITING_CONFIRMATION,
                code=_code(),
            )
            if insert_unless_exists(rsvp):
                break
            existing = (
                RSVP.objects.filter(shift=shift, supporter=supporter)
                .exclude(state=RSVP.State.CANCELLED)
                .first()
            )
            if existing is not None:
                return existing, False
            # Otherwise its code was taken in this shift (one in a billion): draw again.
        if user is not None:
            _settle(rsvp, now)
        elif _confirmation_allowed(email):
            tasks.rsvp_email_send.delay_on_commit(rsvp.pk, "confirm")
    return rsvp, True


def _confirmation_allowed(email: str) -> bool:
    return within_cap_for("events:confirm-email", email, settings.EVENT_CONFIRMATION_EMAILS)


def rsvp_link(rsvp: RSVP, action: str) -> str:
    salt = {"confirm": CONFIRM_SALT, "accept": OFFER_SALT, "cancel": CANCEL_SALT}[action]
    token = link_token(rsvp.pk, salt=salt)
    return settings.SITE_URL.rstrip("/") + RSVP_PATH.format(token=token, action=action)


def _rsvp_from(token: str, *, salt: str, max_age: int) -> RSVP:
    pk = link_id(
        token,
        salt=salt,
        max_age=max_age,
        expired="This link has expired.",
        error=LinkInvalid,
    )
    rsvp = RSVP.objects.select_for_update().select_related("shift__event").filter(pk=pk).first()
    if rsvp is None:
        raise LinkInvalid({"token": "This sign-up no longer exists."})
    return rsvp


def rsvp_confirm(*, token: str) -> RSVP:
    """The emailed link of an email sign-up: a place if one is left, else the waiting list.
    Safe to follow twice. LinkInvalid for a bad or expired link, or a shift started."""
    with transaction.atomic():
        rsvp = _rsvp_from(token, salt=CONFIRM_SALT, max_age=settings.EVENT_CONFIRMATION_MAX_AGE)
        if rsvp.state == RSVP.State.AWAITING_CONFIRMATION:
            if rsvp.shift.starts_at <= timezone.now():
                raise LinkInvalid({"token": "This shift has started: it takes no more."})
            _settle(rsvp, timezone.now())
    return rsvp


def rsvp_cancel(*, rsvp: RSVP) -> bool:
    """Its person cancels, until EVENT_CANCEL_CUTOFF_MINUTES before the shift starts. A
    place it held passes straight to the first on the waiting list, as an offer (or is
    freed if nobody waits). True if this call cancelled it. ValidationError past the
    cutoff."""
    cutoff = rsvp.shift.starts_at - timedelta(minutes=settings.EVENT_CANCEL_CUTOFF_MINUTES)
    if timezone.now() > cutoff:
        raise ValidationError(
            {NON_FIELD_ERRORS: "It is too close to the start to cancel here: please tell the host."}
        )
    now = timezone.now()
    with transaction.atomic():
        locked = RSVP.objects.select_for_update().get(pk=rsvp.pk)
        cancellable = [*HOLDS_A_PLACE, RSVP.State.WAITING, RSVP.State.AWAITING_CONFIRMATION]
        cancelled = locked.state in cancellable
        if cancelled:
            RSVP.objects.filter(pk=rsvp.pk).update(state=RSVP.State.CANCELLED, cancelled_at=now)
            if locked.state in HOLDS_A_PLACE:
                _place_freed(rsvp.shift_id, now)
    if cancelled:
        rsvp.state, rsvp.cancelled_at = RSVP.State.CANCELLED, now
    return cancelled


def rsvp_cancel_by_token(*, token: str) -> RSVP:
    with transaction.atomic():
        rsvp = _rsvp_from(token, salt=CANCEL_SALT, max_age=settings.EVENT_LINK_MAX_AGE)
        rsvp_cancel(rsvp=rsvp)
    return rsvp


def _place_freed(shift_id: int, now) -> None:
    """Inside the transaction that freed a place: offer it to the first waiting (the place
    passes to the offer, places_taken does not move), or give it back to the shift."""
    first = (
        RSVP.objects.select_for_update(skip_locked=True)
        .filter(shift_id=shift_id, state=RSVP.State.WAITING)
        .order_by("waiting_since", "pk")
        .first()
    )
    if first is None:
        Shift.objects.filter(pk=shift_id, places_taken__gt=0).update(
            places_taken=F("places_taken") - 1
        )
        return
    expires = now + timedelta(hours=settings.EVENT_OFFER_HOURS)
    RSVP.objects.filter(pk=first.pk).update(
        state=RSVP.State.OFFERED, offered_at=now, offer_expires_at=expires
    )
    tasks.rsvp_email_send.delay_on_commit(first.pk, "offer")


def rsvp_offer_accept(*, token: str) -> RSVP:
    """The emailed offer of a freed place, taken before it expires: signed up. Safe to
    follow twice. LinkInvalid for a bad link, or an offer expired or withdrawn."""
    with transaction.atomic():
        rsvp = _rsvp_from(token, salt=OFFER_SALT, max_age=settings.EVENT_LINK_MAX_AGE)
        if rsvp.state == RSVP.State.OFFERED:
            if rsvp.offer_expires_at and rsvp.offer_expires_at <= timezone.now():
                raise LinkInvalid({"token": "This offer has expired, and the place went on."})
            RSVP.objects.filter(pk=rsvp.pk).update(state=RSVP.State.SIGNED_UP)
            rsvp.state = RSVP.State.SIGNED_UP
            tasks.rsvp_email_send.delay_on_commit(rsvp.pk, "placed")
        elif rsvp.state not in (RSVP.State.SIGNED_UP, RSVP.State.CONFIRMED):
            raise LinkInvalid({"token": "This offer is no longer open."})
    return rsvp


def offers_expire(*, limit: int | None = None) -> int:
    """Offers past their expiry are withdrawn (the RSVP is cancelled) and each place is
    offered to the next in line, or given back: at most `limit` (EVENT_HOUSEKEEPING_BATCH)
    a run, each in its own transaction. Returns how many expired. Safe to run twice."""
    now = timezone.now()
    due = list(
        RSVP.objects.filter(state=RSVP.State.OFFERED, offer_expires_at__lte=now)
        .order_by("offer_expires_at")
        .values_list("pk", "shift_id")[: limit or settings.EVENT_HOUSEKEEPING_BATCH]
    )
    expired = 0
    for pk, shift_id in due:
        with transaction.atomic():
            if RSVP.objects.filter(pk=pk, state=RSVP.State.OFFERED).update(
                state=RSVP.State.CANCELLED, cancelled_at=now
            ):
                expired += 1
                _place_freed(shift_id, now)
    return expired


# --- On the day -----------------------------------------------------------------------------


def check_in_allowed(*, event: Event, user) -> bool:
    """The event's host (by their account) and organisers who may change RSVPs."""
    if not user.is_authenticated:
        return False
    if user.has_perm("events.change_rsvp"):
        return True
    return event.host_id is not None and event.host.user_id == user.pk


def check_in_by_code(*, event: Event, code: str) -> RSVP:
    """Check in the person whose code this is (typed, in any case, or from their QR):
    ATTENDED now, once; attending an event aimed at a target is an action against it.
    ValidationError({"code"}) for a code of no place at this event."""
    code = "".join((code if isinstance(code, str) else "").split()).upper()
    with transaction.atomic():
        rsvp = (
            RSVP.objects.select_for_update()
            .select_related("shift")
            .filter(shift__event=event, code=code, state__in=[*HOLDS_A_PLACE, RSVP.State.ATTENDED])
            .exclude(state=RSVP.State.OFFERED)
            .order_by("-pk")
            .first()
        )
        if rsvp is None:
            raise ValidationError(
                {
                    "code": "No place at this event has that code. Check it, or add them "
                    "as a walk-in."
                }
            )
        if rsvp.state != RSVP.State.ATTENDED:
            now = timezone.now()
            RSVP.objects.filter(pk=rsvp.pk).update(state=RSVP.State.ATTENDED, checked_in_at=now)
            rsvp.state, rsvp.checked_in_at = RSVP.State.ATTENDED, now
            _attendance_record(event, rsvp)
    return rsvp


def walk_in(*, shift: Shift, name: str, email: str, consent: bool) -> RSVP:
    """Someone who came without signing up: checked in now, with their email and their
    consent to hear from the campaign recorded. They take no place (the places are for
    sign-ups). ValidationError naming each bad field; consent is required, since we keep
    their email."""
    errors: dict[str, str] = {}
    name = one_line(name, field="name", label="name", limit=NAME_MAX, errors=errors)
    email = email_checked(email, errors=errors)
    if not consent:
        errors["consent"] = "Ask them whether we may keep their email to tell them about events."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        supporter, _ = supporter_get_or_create(email=email, name=name)
        consent_record(
            supporter=supporter,
            purpose="events",
            wording=WALK_IN_CONSENT,
            source=f"events:walk-in:{shift.event_id}",
        )
        existing = (
            RSVP.objects.filter(shift=shift, supporter=supporter)
            .exclude(state=RSVP.State.CANCELLED)
            .first()
        )
        if existing is not None:
            return (
                check_in_by_code(event=shift.event, code=existing.code)
                if existing.state in HOLDS_A_PLACE
                else existing
            )
        while True:
            rsvp = RSVP(
                shift=shift,
                supporter=supporter,
                name=name,
                email=email,
                state=RSVP.State.ATTENDED,
                code=_code(),
                email_confirmed_at=None,
                checked_in_at=now,
            )
            if insert_unless_exists(rsvp):
                break
        _attendance_record(shift.event, rsvp)
    return rsvp


WALK_IN_CONSENT = "They agreed at the event that the campaign may email them about events."


def no_shows_mark(*, shift: Shift) -> int:
    """At the end: everyone still signed up or confirmed and not checked in is a no-show.
    Only once the shift has started. Returns how many."""
    if shift.starts_at > timezone.now():
        raise ValidationError({NON_FIELD_ERRORS: "The shift hasn't started yet."})
    return RSVP.objects.filter(
        shift=shift, state__in=[RSVP.State.SIGNED_UP, RSVP.State.CONFIRMED]
    ).update(state=RSVP.State.NO_SHOW)


ATTENDANCE_SOURCE = "events.rsvp"


def _attendance_record(event: Event, rsvp: RSVP) -> None:
    """Attending an event aimed at a target is an "attendance" action against it."""
    if event.target_id is None:
        return
    actions_record(
        kind=ActionKind.ATTENDANCE,
        source=ATTENDANCE_SOURCE,
        actions=[
            Action(
                target_id=event.target_id,
                source_id=rsvp.pk,
                supporter_id=rsvp.supporter_id,
                occurred_at=rsvp.checked_in_at,
            )
        ],
    )


# --- Volunteer-hosted events ------------------------------------------------------------------


def event_propose(
    *,
    user,
    campaign,
    kind: str,
    title: str,
    description: str,
    address: str,
    postcode: str,
    online_url: str,
    address_visibility: str,
    starts_at,
    ends_at,
    capacity: int,
    phone: str = "",
) -> Event:
    """A signed-in volunteer proposes an event they will host, with its one shift: stored
    PROPOSED, shown nowhere until an organiser approves it (event_approve). The volunteer is
    its host (their account's name and address; the phone if they give it). ValidationError
    naming each bad field, storing nothing."""
    errors: dict[str, str] = {}
    title = one_line(title, field="title", label="event's title", limit=200, errors=errors)
    phone = one_line(
        phone, field="phone", label="phone number", limit=PHONE_MAX, errors=errors, required=False
    )
    if kind not in Event.Kind.values:
        errors["kind"] = "Choose what kind of event it is."
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = "It must end after it starts."
    if starts_at and starts_at <= timezone.now():
        errors["starts_at"] = "It must start in the future."
    if not capacity or capacity < 1:
        errors["capacity"] = "Say how many people can come."
    event = Event(
        campaign=campaign,
        kind=kind,
        title=title,
        slug=_free_slug(title),
        description=(description or "").strip(),
        address=(address or "").strip(),
        postcode=postcode or "",
        online_url=(online_url or "").strip(),
        address_visibility=address_visibility or Event.AddressVisibility.ATTENDEES,
        state=Event.State.PROPOSED,
        proposed_by=user,
        host_name=user.name or user.email,
        host_email=user.email,
        host_phone=phone,
    )
    if kind == Event.Kind.ONLINE and not event.online_url:
        errors["online_url"] = "An online event needs its link."
    if kind and kind != Event.Kind.ONLINE:
        if not event.address:
            errors["address"] = "Give the event's address."
        try:
            event_place_resolve(event=event)
            if not event.postcode:
                errors["postcode"] = "Give the postcode of the event's address."
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event.host = supporter_link_user(user=user)
        event.save()
        Shift.objects.create(event=event, starts_at=starts_at, ends_at=ends_at, capacity=capacity)
    return event


def _free_slug(title: str) -> str:
    from django.utils.text import slugify

    base = (slugify(title)[:40] or "event").strip("-")
    return f"{base}-{secrets.token_hex(3)}"


def event_approve(*, event: Event) -> bool:
    """An organiser approves a proposed event: public from now; its host is told. True if
    this call approved it."""
    with transaction.atomic():
        approved = Event.objects.filter(pk=event.pk, state=Event.State.PROPOSED).update(
            state=Event.State.APPROVED, decline_reason=""
        )
        if approved:
            tasks.event_host_email_send.delay_on_commit(event.pk)
    return bool(approved)


def event_sign_ups_close(*, event: Event) -> bool:
    """No new sign-ups from now (places already taken stay, and the waiting list still gets
    freed places). True if this call closed them."""
    return bool(
        Event.objects.filter(pk=event.pk, sign_ups_closed_at__isnull=True).update(
            sign_ups_closed_at=timezone.now()
        )
    )


def event_decline(*, event: Event, reason: str) -> bool:
    """An organiser declines a proposed event, saying why (its host is told). True if this
    call declined it; ValidationError({"reason"}) for no reason."""
    reason = " ".join((reason if isinstance(reason, str) else "").split())
    if not reason:
        raise ValidationError({"reason": "Say why: the host is told."})
    with transaction.atomic():
        declined = Event.objects.filter(pk=event.pk, state=Event.State.PROPOSED).update(
            state=Event.State.DECLINED, decline_reason=reason[:500]
        )
        if declined:
            tasks.event_host_email_send.delay_on_commit(event.pk)
    return bool(declined)
