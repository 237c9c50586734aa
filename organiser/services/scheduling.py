"""Scheduling messages: checking, quiet hours, editing, cancelling, previews and tests, and
the default reminders of storms and shifts."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.events.models import Event, Shift
from campaigns.storms.models import Twitterstorm
from core.db import insert_unless_exists
from organiser.models import OutboxEmail, ScheduledMessage
from organiser.rendering import Recipient, Renderer, template_checked
from organiser.selectors import audience_supporters
from volunteers.mail import email_send

State = ScheduledMessage.State
Audience = ScheduledMessage.Audience

# What each audience needs set, and what it must leave empty.
NEEDS = {
    Audience.STORM_PLEDGERS: "storm",
    Audience.EVENT_RSVPS: "event",
    Audience.SHIFT_RSVPS: "shift",
    Audience.PETITION_SIGNERS: "petition",
    Audience.LETTER_WRITERS: "letter_campaign",
}
EDITABLE = (State.DRAFT, State.SCHEDULED, State.SENDING)


def quiet_hours() -> tuple[time, time]:
    start, _, end = settings.ORGANISER_QUIET_HOURS.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def in_quiet_hours(moment) -> bool:
    """Whether `moment` falls in the quiet hours, in UK time (every recipient's: the
    platform is for UK constituencies, and Supporter holds no time zone)."""
    start, end = quiet_hours()
    local = timezone.localtime(moment).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def out_of_quiet_hours(moment, *, before: bool):
    """`moment` itself outside the quiet hours; inside them, ORGANISER_QUIET_LEAD_MINUTES
    before they began (`before`, for a reminder: the evening before) or when they end."""
    if not in_quiet_hours(moment):
        return moment
    start, end = quiet_hours()
    local = timezone.localtime(moment)
    zone = timezone.get_current_timezone()
    if before:
        day = local.date() if local.time() >= start else local.date() - timedelta(days=1)
        began = timezone.make_aware(datetime.combine(day, start), zone)
        return began - timedelta(minutes=settings.ORGANISER_QUIET_LEAD_MINUTES)
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), zone)


def message_check(message: ScheduledMessage) -> None:
    """A ValidationError naming each field that is wrong for this message's audience."""
    errors: dict[str, str] = {}
    for field in ("subject", "body"):
        try:
            template_checked(getattr(message, field), field=field)
        except ValidationError as error:
            errors |= {field: error.message_dict[field][0]}
    needed = NEEDS.get(message.audience)
    for field in NEEDS.values():
        if field == needed and not getattr(message, f"{field}_id"):
            errors[field] = f"Choose the {field.replace('_', ' ')} this message is for."
        elif field != needed and getattr(message, f"{field}_id") and field != "event":
            errors[field] = "Leave this empty for this audience."
    if message.audience != Audience.VOLUNTEERS and (message.region or message.constituency_code):
        errors["region"] = "Region and constituency choose volunteers only."
    if message.audience != Audience.VOLUNTEERS and (message.skill_id or message.skill_level):
        errors["skill"] = "A skill chooses volunteers only."
    elif message.skill_level and not message.skill_id:
        errors["skill"] = "Choose the skill this level is for."
    if message.send_by and message.send_at and message.send_at >= message.send_by:
        errors["send_at"] = "This is after the time it would still help (send by)."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def message_schedule(*, message: ScheduledMessage, send_at=None, now=None) -> ScheduledMessage:
    """Schedule a draft (or move a scheduled message) for `send_at`, moved out of quiet
    hours: a message that must go before a time (send_by: a reminder) goes before they
    begin, others when they end. ValidationError if it cannot be sent."""
    now = now or timezone.now()
    message = ScheduledMessage.objects.select_for_update().get(pk=message.pk)
    if message.state not in (State.DRAFT, State.SCHEDULED):
        raise ValidationError(
            f"A message that is {message.get_state_display().lower()} cannot be scheduled."
        )
    when = send_at or message.send_at
    if when is None:
        raise ValidationError({"send_at": "Say when to send it."})
    message.send_at = out_of_quiet_hours(when, before=message.send_by is not None)
    message_check(message)
    if message.send_by and message.send_by <= now:
        raise ValidationError({"send_by": "That time has passed: it is too late to send this."})
    message.state = State.SCHEDULED
    message.save(update_fields=["send_at", "state", "updated_at"])
    return message


@transaction.atomic
def message_save(*, message: ScheduledMessage, text_changed: bool) -> ScheduledMessage:
    """Save an organiser's edit. A changed subject or body is a new version: rows not yet
    sent go out in it. A scheduled message stays out of quiet hours."""
    if message.pk:
        stored = ScheduledMessage.objects.select_for_update().get(pk=message.pk)
        if stored.state not in EDITABLE:
            raise ValidationError(
                f"A message that is {stored.get_state_display().lower()} cannot be changed."
            )
        message.state = stored.state
        message.version = stored.version + 1 if text_changed else stored.version
    message_check(message)
    if message.state == State.SCHEDULED and message.send_at:
        message.send_at = out_of_quiet_hours(message.send_at, before=message.send_by is not None)
    message.save()
    return message


@transaction.atomic
def message_cancel(*, message: ScheduledMessage) -> int:
    """Cancel a message not yet sent: nothing more of it goes out (a send in progress stops
    before its next batch). How many waiting emails were dropped."""
    message = ScheduledMessage.objects.select_for_update().get(pk=message.pk)
    if message.state not in EDITABLE:
        raise ValidationError(
            f"A message that is {message.get_state_display().lower()} cannot be cancelled."
        )
    message.state = State.CANCELLED
    message.save(update_fields=["state", "updated_at"])
    return OutboxEmail.objects.filter(message=message, state=OutboxEmail.State.PENDING).update(
        state=OutboxEmail.State.SKIPPED,
        skip_reason=OutboxEmail.Skip.CANCELLED,
        claim_token=None,
        claimed_until=None,
    )


def sample_recipient(message: ScheduledMessage) -> Recipient:
    """Someone from the audience to preview with (the first found), or an invented one."""
    supporter = audience_supporters(message).order_by("pk").only("pk", "email", "name").first()
    if supporter is None:
        return Recipient(supporter_id=0, email="sam@example.org", name="Sam Example")
    return Recipient(supporter_id=supporter.pk, email=supporter.email, name=supporter.name)


def message_preview(*, message: ScheduledMessage, recipient: Recipient | None = None) -> dict:
    """The subject, text and HTML one recipient would get."""
    recipient = recipient or sample_recipient(message)
    email = Renderer(message).email(recipient)
    return {
        "recipient": recipient,
        "subject": email.subject,
        "text": email.body,
        "html": email.alternatives[0][0],
        "headers": email.extra_headers,
    }


def message_send_test(*, message: ScheduledMessage, user) -> str:
    """Send the message to the organiser themselves (with their name as the recipient's),
    now; marked [Test]. Returns the outcome (volunteers.mail.Outcome)."""
    recipient = Recipient(supporter_id=0, email=user.email, name=getattr(user, "name", ""))
    email = Renderer(message).email(recipient)
    email.subject = f"[Test] {email.subject}"
    return email_send(message=email, source=f"message-test:{message.pk}")


# The default reminders' words: organisers edit them per message in the admin.
STORM_SUBJECT = "Reminder: {{ hashtag }} starts {{ starts_at }}"
STORM_BODY = """Hello {{ first_name }},

You pledged to join "{{ storm_title }}", the {{ hashtag }} Twitterstorm.
It starts {{ starts_at }} (UK time).

When it starts, open {{ storm_url }}
You will be given an MP and an angle; write the post in your own words.

Thank you,
{{ site_name }}"""
SHIFT_SUBJECT = "Reminder: {{ event_title }}, {{ starts_at }}"
SHIFT_BODY = """Hello {{ first_name }},

You signed up to {{ event_title }}. Your shift starts {{ starts_at }} (UK time).

The details, the address and a calendar file are at {{ event_url }}
If you cannot come after all, please cancel from the link in your sign-up
email, so someone on the waiting list can have your place.

Thank you,
{{ site_name }}"""


def _label(before: timedelta) -> str:
    hours, seconds = divmod(int(before.total_seconds()), 3600)
    if hours and not seconds:
        return f"{hours} hour{'s' if hours > 1 else ''} before"
    return f"{int(before.total_seconds() // 60)} minutes before"


def reminders_create(*, now=None) -> int:
    """Give every published storm and every approved event's shift still to come its default
    reminders (ORGANISER_STORM_REMINDERS, ORGANISER_SHIFT_REMINDERS), scheduled, once each:
    an organiser may edit or cancel them and they are not made again. A reminder that would
    fall in quiet hours goes before them; one that is already past, or that quiet hours
    would send at the same time as a nearer one, is made cancelled (so it stays made).
    Default reminders still scheduled follow their storm or shift when it moves. How many
    were made."""
    now = now or timezone.now()
    made = 0
    storms = Twitterstorm.objects.filter(is_published=True, starts_at__gt=now)
    for storm in storms:
        made += _reminders_for(
            starts_at=storm.starts_at,
            offsets=settings.ORGANISER_STORM_REMINDERS,
            now=now,
            fields={
                "campaign_id": storm.campaign_id,
                "storm": storm,
                "audience": Audience.STORM_PLEDGERS,
                "subject": STORM_SUBJECT,
                "body": STORM_BODY,
            },
            name=storm.title,
            existing=ScheduledMessage.objects.filter(storm=storm, reminder_before__isnull=False),
        )
    shifts = Shift.objects.filter(
        event__state=Event.State.APPROVED, starts_at__gt=now
    ).select_related("event")
    for shift in shifts:
        made += _reminders_for(
            starts_at=shift.starts_at,
            offsets=settings.ORGANISER_SHIFT_REMINDERS,
            now=now,
            fields={
                "campaign_id": shift.event.campaign_id,
                "shift": shift,
                "audience": Audience.SHIFT_RSVPS,
                "subject": SHIFT_SUBJECT,
                "body": SHIFT_BODY,
            },
            name=f"{shift.event.title} ({timezone.localtime(shift.starts_at):%d %b %H:%M})",
            existing=ScheduledMessage.objects.filter(shift=shift, reminder_before__isnull=False),
        )
    return made


def _reminders_for(*, starts_at, offsets, now, fields, name, existing) -> int:
    known = {m.reminder_before: m for m in existing}
    made = 0
    taken: set = set()
    # Nearest first: when quiet hours put two at one time, the nearer one is kept.
    for seconds in sorted(offsets):
        before = timedelta(seconds=seconds)
        send_at = out_of_quiet_hours(starts_at - before, before=True)
        message = known.get(before)
        if message is not None:
            if message.state == State.SCHEDULED and message.send_by != starts_at:
                # The storm or shift moved: the reminder moves with it.
                message.send_by, message.send_at = starts_at, send_at
                message.save(update_fields=["send_by", "send_at", "updated_at"])
            taken.add(message.send_at)
            continue
        state, note = State.SCHEDULED, ""
        if send_at <= now:
            state, note = State.CANCELLED, " (already past when it was made)"
        elif send_at in taken:
            state, note = State.CANCELLED, " (quiet hours put it with a nearer reminder)"
        message = ScheduledMessage(
            name=f"{name}: reminder {_label(before)}{note}"[:150],
            send_at=send_at,
            send_by=starts_at,
            reminder_before=before,
            state=state,
            **fields,
        )
        if insert_unless_exists(message):
            made += 1
        taken.add(send_at)
    return made
