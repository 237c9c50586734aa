"""Reads organiser's code shares: who a message goes to, and how a send is going."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from campaigns.events.models import RSVP
from campaigns.events.services import HOLDS_A_PLACE
from campaigns.letters.models import Letter
from campaigns.petitions.models import Signature
from campaigns.storms.models import Pledge
from campaigns.targets.models import Constituency
from organiser.models import OutboxEmail, ScheduledMessage
from volunteers.models import ConsentRecord, Supporter, VolunteerSkill

Audience = ScheduledMessage.Audience


def live_consent(*purposes: str):
    """Supporters (as an Exists over OuterRef("pk")) with a consent for one of `purposes`
    (campaign email by default) given and not withdrawn."""
    return Exists(
        ConsentRecord.objects.filter(
            supporter=OuterRef("pk"),
            purpose__in=purposes or [ConsentRecord.Purpose.CAMPAIGN_EMAIL],
            withdrawn_at__isnull=True,
        )
    )


def audience_supporters(message: ScheduledMessage) -> QuerySet[Supporter]:
    """Everyone the message is for, now: each supporter once, none erased. Reminders go to
    those whose sign-up (pledge, place) is live; campaign email to those who opted in."""
    supporters = Supporter.objects.filter(erased_at__isnull=True)
    match message.audience:
        case Audience.STORM_PLEDGERS:
            return supporters.filter(
                Exists(
                    Pledge.objects.filter(
                        supporter=OuterRef("pk"),
                        storm_id=message.storm_id,
                        state=Pledge.State.CONFIRMED,
                    )
                )
            )
        case Audience.EVENT_RSVPS | Audience.SHIFT_RSVPS:
            return supporters.filter(Exists(_places(message).filter(supporter=OuterRef("pk"))))
        case Audience.PETITION_SIGNERS:
            signed = Signature.objects.filter(
                supporter=OuterRef("pk"), petition_id=message.petition_id
            )
            return supporters.filter(Exists(signed), live_consent())
        case Audience.LETTER_WRITERS:
            wrote = Letter.objects.filter(
                supporter=OuterRef("pk"), letter_campaign_id=message.letter_campaign_id
            )
            return supporters.filter(Exists(wrote), live_consent())
        case Audience.VOLUNTEERS:
            volunteers = supporters.filter(user__isnull=False, user__is_active=True)
            if message.constituency_code:
                volunteers = volunteers.filter(constituency_code=message.constituency_code)
            if message.region:
                seats = Constituency.objects.filter(region=message.region).values("ons_code")
                volunteers = volunteers.filter(constituency_code__in=seats)
            if message.skill_id:
                skilled = VolunteerSkill.objects.filter(
                    volunteer__user=OuterRef("user"),
                    skill_id=message.skill_id,
                    level__gte=message.skill_level or 1,
                )
                volunteers = volunteers.filter(Exists(skilled))
            # A message to volunteers is about volunteering: either consent will do.
            return volunteers.filter(
                live_consent(
                    ConsentRecord.Purpose.VOLUNTEERING, ConsentRecord.Purpose.CAMPAIGN_EMAIL
                )
            )
        case Audience.OPTED_IN:
            return supporters.filter(live_consent())
    raise ValueError(f"unknown audience {message.audience!r}")


def _places(message: ScheduledMessage) -> QuerySet[RSVP]:
    # Who an event's reminder is for: those holding a place, as the events app counts them.
    places = RSVP.objects.filter(state__in=HOLDS_A_PLACE)
    if message.audience == Audience.SHIFT_RSVPS:
        return places.filter(shift_id=message.shift_id)
    return places.filter(shift__event_id=message.event_id)


def shift_starts(message: ScheduledMessage, supporter_ids) -> dict[int, object]:
    """Each recipient's own (earliest) shift start, for an event audience's messages."""
    starts: dict[int, object] = {}
    rows = (
        _places(message)
        .filter(supporter_id__in=supporter_ids)
        .values_list("supporter_id", "shift__starts_at")
    )
    for supporter_id, starts_at in rows:
        if supporter_id not in starts or starts_at < starts[supporter_id]:
            starts[supporter_id] = starts_at
    return starts


PROGRESS_KEYS = (
    "recipients",
    "pending",
    "sent",
    "delivered",
    "bounced",
    "complained",
    "unsubscribed_skipped",
    "skipped",
    "failed",
)


def messages_with_progress(messages: QuerySet[ScheduledMessage]) -> QuerySet[ScheduledMessage]:
    """The messages with their outbox counted (one query, however many rows)."""
    state, delivery = OutboxEmail.State, OutboxEmail.Delivery
    return messages.annotate(
        recipients=Count("outbox"),
        pending=Count("outbox", filter=Q(outbox__state=state.PENDING)),
        sent=Count("outbox", filter=Q(outbox__state=state.SENT)),
        delivered=Count("outbox", filter=Q(outbox__delivery=delivery.DELIVERED)),
        bounced=Count("outbox", filter=Q(outbox__delivery=delivery.BOUNCED)),
        complained=Count("outbox", filter=Q(outbox__delivery=delivery.COMPLAINED)),
        unsubscribed=Count("outbox", filter=Q(outbox__unsubscribed_at__isnull=False)),
        unsubscribed_skipped=Count(
            "outbox", filter=Q(outbox__skip_reason=OutboxEmail.Skip.SUPPRESSED)
        ),
        skipped=Count("outbox", filter=Q(outbox__state=state.SKIPPED)),
        failed=Count("outbox", filter=Q(outbox__state=state.FAILED)),
    )


def message_progress(message: ScheduledMessage) -> dict[str, int]:
    counted = messages_with_progress(ScheduledMessage.objects.filter(pk=message.pk)).get()
    return {key: getattr(counted, key) for key in PROGRESS_KEYS}
