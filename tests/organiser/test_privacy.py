"""A supporter's scheduled emails in their export; erasure drops those still waiting and
keeps their unsubscribe."""

import pytest

from organiser import services
from organiser.models import OutboxEmail
from tests.factories import ScheduledMessageFactory
from tests.organiser.conftest import opted_in
from volunteers import privacy
from volunteers.mail import email_is_suppressed
from volunteers.services import email_unsubscribe


@pytest.mark.django_db
def test_the_export_lists_the_messages_a_supporter_was_sent(smtp_sink):
    [person] = opted_in(1)
    message = ScheduledMessageFactory(name="Thirty nominations", subject="Nearly there")
    services.message_fan_out(message_id=message.pk)
    services.outbox_send(message_id=message.pk)

    [email] = privacy.supporter_export(supporter=person)["organiser"]["emails"]

    assert (email["message"], email["subject"], email["state"]) == (
        "Thirty nominations",
        "Nearly there",
        "sent",
    )


@pytest.mark.django_db
def test_erasure_drops_waiting_emails_and_keeps_the_unsubscribe():
    [person] = opted_in(1)
    address = person.email
    services.message_fan_out(message_id=ScheduledMessageFactory().pk)
    email_unsubscribe(email=address, source="test")

    privacy.supporter_erase(supporter=person)

    assert not OutboxEmail.objects.exists()
    assert email_is_suppressed(email=address, mass=True)
