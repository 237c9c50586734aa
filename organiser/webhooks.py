"""The email provider's tracking events, as django-anymail delivers them once their
signature is checked (a bad signature is refused with a 400 before this runs)."""

from anymail.signals import tracking
from django.dispatch import receiver

from organiser.services import delivery_record


@receiver(tracking, dispatch_uid="organiser.webhooks.tracking_event")
def tracking_event(sender, event, esp_name, **kwargs) -> None:
    delivery_record(
        event_type=event.event_type,
        recipient=event.recipient or "",
        message_id=event.message_id or "",
        metadata=event.metadata,
    )
