"""Celery tasks of organiser (scheduled messages, the dashboard): thin, by id, safe to run
twice."""

from celery import shared_task

from volunteers.mail import MailDeferred


@shared_task
def outbox_tend() -> None:
    """Beat: run the actions due (publish, close), fan out the messages due, and re-enqueue
    senders for sends nobody works on."""
    from organiser.services import actions_run_due, messages_fan_out_due, outbox_sweep

    actions_run_due()
    messages_fan_out_due()
    outbox_sweep()


@shared_task
def outbox_send(message_id: int) -> int:
    """Send one scheduled message's waiting emails (queue `mass`); each at most once, however
    many of these run at once or again. When the mail server defers, the rest waits for the
    sweeper (after ORGANISER_CLAIM_SECONDS), which enqueues this again."""
    from organiser.services import outbox_send as send

    try:
        return send(message_id=message_id)
    except MailDeferred:
        return 0


@shared_task
def reminders_create() -> int:
    """Beat: default reminders for storms and shifts that lack them."""
    from organiser.services import reminders_create as create

    return create()


@shared_task(ignore_result=True)
def dashboard_refresh() -> int:
    """Beat: recompute the organisers' dashboard figures into the cache."""
    from organiser.dashboard import dashboards_refresh

    return dashboards_refresh()
