"""What comes back: a recipient's one-click unsubscribe, and the email provider's reports
of delivery, bounces and complaints (django-anymail's tracking webhooks)."""

import logging
import re

from django.core import signing
from django.utils import timezone

from organiser.models import OutboxEmail
from organiser.rendering import unsubscribe_ids
from volunteers.mail import email_suppress
from volunteers.models import EmailSuppression, Supporter
from volunteers.services import email_unsubscribe

logger = logging.getLogger(__name__)

# Our Message-ID (organiser.rendering): <...outbox.<row id>@domain>.
OUTBOX_MESSAGE_ID = re.compile(r"\.outbox\.(\d+)@")


def unsubscribe_by_token(*, token: str) -> bool:
    """Unsubscribe the person an emailed link was for from all mass email; False if the
    token is not one of ours. Safe to repeat."""
    try:
        supporter_id, message_id = unsubscribe_ids(token)
    except (signing.BadSignature, ValueError):
        return False
    supporter = Supporter.objects.filter(pk=supporter_id).only("email").first()
    if supporter is None:
        return True  # nobody left to unsubscribe
    email_unsubscribe(email=supporter.email, source=f"message:{message_id}")
    OutboxEmail.objects.filter(
        message_id=message_id, supporter_id=supporter_id, unsubscribed_at__isnull=True
    ).update(unsubscribed_at=timezone.now())
    return True


# Provider events that suppress the address, with why; and what each says of the row.
SUPPRESSING = {
    "bounced": EmailSuppression.Reason.BOUNCED,
    "complained": EmailSuppression.Reason.COMPLAINED,
    "unsubscribed": EmailSuppression.Reason.UNSUBSCRIBED,
}
DELIVERY = {
    "delivered": OutboxEmail.Delivery.DELIVERED,
    "bounced": OutboxEmail.Delivery.BOUNCED,
    "complained": OutboxEmail.Delivery.COMPLAINED,
}


def delivery_record(
    *, event_type: str, recipient: str, message_id: str = "", metadata=None
) -> bool:
    """Record a provider's report: a bounce, complaint or unsubscribe suppresses the address
    (for every email, or for mass email: volunteers.mail), and the outbox row it was about
    (found by its metadata or our Message-ID) shows the delivery. True if it mattered."""
    mattered = False
    reason = SUPPRESSING.get(event_type)
    if reason and recipient:
        email_suppress(email=recipient, reason=reason, source="provider webhook")
        mattered = True
    delivery = DELIVERY.get(event_type)
    row_id = _row_id(message_id=message_id, metadata=metadata or {})
    if delivery and row_id:
        rows = OutboxEmail.objects.filter(pk=row_id)
        if delivery == OutboxEmail.Delivery.DELIVERED:
            rows = rows.filter(delivery="")  # a later bounce or complaint is not undone
        mattered = bool(rows.update(delivery=delivery, delivery_at=timezone.now())) or mattered
    if event_type == "unsubscribed" and row_id:
        rows = OutboxEmail.objects.filter(pk=row_id, unsubscribed_at__isnull=True)
        mattered = bool(rows.update(unsubscribed_at=timezone.now())) or mattered
    return mattered


def _row_id(*, message_id: str, metadata: dict) -> int | None:
    value = str(metadata.get("outbox") or "")
    if value.isdigit():
        return int(value)
    match = OUTBOX_MESSAGE_ID.search(message_id or "")
    return int(match.group(1)) if match else None
