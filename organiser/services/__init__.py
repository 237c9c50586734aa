"""Organiser's writes: scheduling messages (scheduling.py), sending them (sending.py), what
email providers and recipients report back (tracking.py), and scheduled publishing and
closing of actions (actions.py)."""

from organiser.services.actions import actions_run_due
from organiser.services.scheduling import (
    in_quiet_hours,
    message_cancel,
    message_check,
    message_preview,
    message_save,
    message_schedule,
    message_send_test,
    out_of_quiet_hours,
    reminders_create,
    sample_recipient,
)
from organiser.services.sending import (
    message_fan_out,
    messages_fan_out_due,
    outbox_send,
    outbox_sweep,
)
from organiser.services.tracking import delivery_record, unsubscribe_by_token

__all__ = [
    "actions_run_due",
    "delivery_record",
    "in_quiet_hours",
    "message_cancel",
    "message_check",
    "message_fan_out",
    "message_preview",
    "message_save",
    "message_schedule",
    "message_send_test",
    "messages_fan_out_due",
    "out_of_quiet_hours",
    "outbox_send",
    "outbox_sweep",
    "reminders_create",
    "sample_recipient",
    "unsubscribe_by_token",
]
