"""The emails of an RSVP: the link that confirms an email sign-up, the place (or the place
in the waiting list) with its check-in code, and the offer of a freed place."""

import io

import segno
from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from campaigns.events.models import RSVP
from volunteers.mail import Outcome, email_send


def _when(shift) -> str:
    starts = timezone.localtime(shift.starts_at)
    ends = timezone.localtime(shift.ends_at)
    return f"{starts:%A %-d %B}, {starts:%H:%M} to {ends:%H:%M} (UK time)"


def _message(rsvp: RSVP, kind: str) -> EmailMessage | None:
    from campaigns.events.services import rsvp_link

    shift, event = rsvp.shift, rsvp.shift.event
    when = _when(shift)
    cancel = f"\n\nIf you can't come, cancel here so someone else can: {rsvp_link(rsvp, 'cancel')}"
    if kind == "confirm" and rsvp.state == RSVP.State.AWAITING_CONFIRMATION:
        subject = f"Confirm your place: {event.title}"
        body = (
            f"You signed up for {event.title}, {when}. To confirm it's you, follow this "
            f"link:\n\n{rsvp_link(rsvp, 'confirm')}\n\nIf you did not sign up, ignore this email."
        )
    elif kind == "placed" and rsvp.state in (RSVP.State.SIGNED_UP, RSVP.State.CONFIRMED):
        subject = f"You're signed up: {event.title}"
        body = (
            f"You have a place at {event.title}, {when}.\n\nYour check-in code: {rsvp.code}\n"
            "Show it (or the QR code attached) to the host when you arrive." + cancel
        )
    elif kind == "placed" and rsvp.state == RSVP.State.WAITING:
        subject = f"You're on the waiting list: {event.title}"
        body = (
            f"{event.title}, {when}, is full, so you're on its waiting list. If a place "
            "frees, we'll email you first come, first served." + cancel
        )
    elif kind == "offer" and rsvp.state == RSVP.State.OFFERED:
        expires = timezone.localtime(rsvp.offer_expires_at)
        subject = f"A place has come free: {event.title}"
        body = (
            f"A place has come free at {event.title}, {when}. It's yours if you take it by "
            f"{expires:%A %-d %B at %H:%M}:\n\n{rsvp_link(rsvp, 'accept')}\n\nAfter that "
            "it goes to the next person waiting." + cancel
        )
    else:
        return None
    message = EmailMessage(
        subject=subject, body=f"Dear {rsvp.name},\n\n{body}\n\nGroundswell\n", to=[rsvp.email]
    )
    if kind == "placed" and rsvp.state in (RSVP.State.SIGNED_UP, RSVP.State.CONFIRMED):
        message.attach(f"check-in-{rsvp.code}.png", check_in_qr(rsvp), "image/png")
    return message


def check_in_url(rsvp: RSVP) -> str:
    """The address the host's phone opens on scanning the code: the event's check-in page
    with the code filled in."""
    path = reverse("events:check-in", args=[rsvp.shift.event.slug])
    return f"{settings.SITE_URL.rstrip('/')}{path}?code={rsvp.code}"


def check_in_qr(rsvp: RSVP) -> bytes:
    """The check-in address as a QR code, a PNG made here (segno: no network, no Pillow)."""
    buffer = io.BytesIO()
    segno.make(check_in_url(rsvp), error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def rsvp_email_send(*, rsvp_id: int, kind: str) -> bool:
    """Send the RSVP's email of this kind if it still fits its state (an offer taken back,
    a sign-up cancelled: nothing); True if the mail server took it."""
    rsvp = RSVP.objects.select_related("shift__event").filter(pk=rsvp_id).first()
    if rsvp is None or rsvp.supporter_id is None:
        return False
    message = _message(rsvp, kind)
    if message is None:
        return False
    return email_send(message=message, source=f"events:{rsvp.shift.event_id}") is Outcome.SENT


def host_email_send(*, event_id: int) -> bool:
    """Tell the host of a proposed event that it was approved (with its page) or declined
    (with the reason); True if the mail server took it."""
    from campaigns.events.models import Event

    event = Event.objects.filter(pk=event_id).first()
    if event is None or not event.host_email:
        return False
    if event.state == Event.State.APPROVED:
        url = settings.SITE_URL.rstrip("/") + reverse("events:event", args=[event.slug])
        subject, said = (
            f"Your event is approved: {event.title}",
            f"Your event is approved and open for sign-ups:\n\n{url}\n\nOn the day, check people "
            "in from its check-in page: "
            + settings.SITE_URL.rstrip("/")
            + reverse("events:check-in", args=[event.slug]),
        )
    elif event.state == Event.State.DECLINED:
        subject, said = (
            f"Your event was not approved: {event.title}",
            f"We read your proposed event and did not approve it:\n\n{event.decline_reason}",
        )
    else:
        return False
    message = EmailMessage(
        subject=subject,
        body=f"Dear {event.host_name},\n\n{said}\n\nGroundswell\n",
        to=[event.host_email],
    )
    return email_send(message=message, source=f"events:{event.pk}") is Outcome.SENT
