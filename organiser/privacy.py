"""Personal data in organiser: which scheduled messages went to a supporter. Erasing drops
the emails still waiting and keeps the sent ones (counted in each message's progress),
which then point at the erased, nameless supporter. The suppression list's entry for an
unsubscribe stays (volunteers.privacy): it is the person's wish not to be emailed."""

from organiser.models import OutboxEmail
from volunteers.privacy import PrivacyProvider


def _export(supporter) -> dict:
    rows = OutboxEmail.objects.filter(supporter=supporter).select_related("message")
    return {
        "emails": [
            {
                "message": row.message.name,
                "subject": row.message.subject,
                "state": row.state,
                "skip_reason": row.skip_reason or None,
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                "delivery": row.delivery or None,
            }
            for row in rows.order_by("pk")
        ]
    }


def _erase(supporter) -> None:
    OutboxEmail.objects.filter(supporter=supporter, state=OutboxEmail.State.PENDING).delete()


organiser_provider = PrivacyProvider(
    name="organiser",
    covers=("organiser.OutboxEmail",),
    export=_export,
    erase=_erase,
    exempt={
        "organiser.ScheduledMessage": (
            "what organisers wrote and who of them created it: the organisers' own work"
        ),
        "organiser.ScheduledAction": "which organiser planned an action: their own work",
    },
)
