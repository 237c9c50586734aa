"""Organisers in the admin: write, preview with a recipient, send a test to themselves,
schedule, cancel, watch progress; and unsubscribe someone by hand."""

import pytest
from django.urls import reverse

from organiser import services
from organiser.models import ScheduledMessage
from tests.factories import OrganiserFactory, ScheduledMessageFactory, StormFactory
from tests.organiser.conftest import opted_in, pledged
from volunteers.mail import email_is_suppressed


@pytest.fixture
def organiser(client, db):
    user = OrganiserFactory(email="organiser@example.org", name="Olu Organiser")
    client.force_login(user)
    return user


def action(client, name, *messages):
    return client.post(
        reverse("admin:organiser_scheduledmessage_changelist"),
        {"action": name, "_selected_action": [m.pk for m in messages]},
        follow=True,
    )


def test_an_organiser_writes_a_storm_reminder_in_the_admin(client, organiser):
    storm = StormFactory()
    response = client.post(
        reverse("admin:organiser_scheduledmessage_add"),
        {
            "name": "Last call",
            "audience": "storm_pledgers",
            "storm": storm.pk,
            "subject": "{{ hashtag }} tonight",
            "body": "Hello {{ first_name }}",
            "send_at_0": "30/11/2026",
            "send_at_1": "12:00:00",
            "send_by_0": "",
            "send_by_1": "",
            "region": "",
            "constituency_code": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    message = ScheduledMessage.objects.get()
    assert (message.state, message.created_by, message.version) == ("draft", organiser, 1)


def test_the_admin_form_says_what_an_audience_is_missing(client, organiser):
    response = client.post(
        reverse("admin:organiser_scheduledmessage_add"),
        {"name": "x", "audience": "petition_signers", "subject": "s", "body": "{% for %}"},
    )

    errors = response.context["adminform"].form.errors
    assert "Choose the petition" in errors["petition"][0]
    assert "mistake" in errors["body"][0]


def test_preview_shows_the_message_as_someone_in_the_audience_gets_it(client, organiser):
    storm = StormFactory(title="Let Members Choose")
    [person] = pledged(storm, 1)
    message = ScheduledMessageFactory(
        audience="storm_pledgers", storm=storm, body="Hi {{ first_name }}, {{ storm_title }}"
    )

    response = client.get(reverse("admin:organiser_scheduledmessage_preview", args=[message.pk]))

    first = person.name.split()[0]
    assert f"Hi {first}, Let Members Choose" in response.content.decode()
    assert "List-Unsubscribe-Post" in response.content.decode()


def test_send_a_test_to_me_reaches_the_organiser_only(client, organiser, smtp_sink):
    opted_in(3)
    message = ScheduledMessageFactory(subject="Hello {{ first_name }}")

    action(client, "send_test", message)

    [email] = smtp_sink.messages
    assert email["X-Envelope-To"] == "organiser@example.org"
    assert email["Subject"] == "[Test] Hello Olu"
    assert not message.outbox.exists()


def test_schedule_and_cancel_from_the_list(client, organiser):
    message = ScheduledMessageFactory(state="draft")

    action(client, "schedule", message)
    message.refresh_from_db()
    assert message.state == "scheduled"

    action(client, "cancel", message)
    message.refresh_from_db()
    assert message.state == "cancelled"


def test_the_list_shows_progress_in_a_fixed_number_of_queries(
    client, organiser, smtp_sink, django_assert_max_num_queries
):
    opted_in(3)
    for _ in range(3):
        message = ScheduledMessageFactory()
        services.message_fan_out(message_id=message.pk)
        services.outbox_send(message_id=message.pk)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:organiser_scheduledmessage_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<td class="field-recipients">3</td>') == 3


def test_an_organiser_unsubscribes_someone_by_hand(client, organiser):
    [person] = opted_in(1)

    client.post(
        reverse("admin:volunteers_supporter_changelist"),
        {"action": "unsubscribe", "_selected_action": [person.pk]},
    )

    assert email_is_suppressed(email=person.email, mass=True)


def test_an_organiser_unsubscribes_a_recipient_from_the_outbox_list(client, organiser):
    [person] = opted_in(1)
    message = ScheduledMessageFactory()
    services.message_fan_out(message_id=message.pk)

    client.post(
        reverse("admin:organiser_outboxemail_changelist"),
        {"action": "unsubscribe", "_selected_action": [message.outbox.get().pk]},
    )

    assert email_is_suppressed(email=person.email, mass=True)
