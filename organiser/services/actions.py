"""Scheduled actions: publishing and closing petitions, letter campaigns, storms and events
at their time, each through its own app's service (so the schedule does exactly what the
app's own admin would)."""

import logging

from django.db import transaction
from django.utils import timezone

from campaigns.events.services import event_approve, event_sign_ups_close
from campaigns.letters.services import letter_campaign_close, letter_campaign_open
from campaigns.petitions.services import petition_close, petition_open
from campaigns.storms.services import storm_publish, storm_unpublish
from organiser.models import ScheduledAction

logger = logging.getLogger(__name__)

Action = ScheduledAction.Action

# (subject field, action) -> the app's service, called with the subject by that name.
SERVICES = {
    ("petition", Action.PUBLISH): petition_open,
    ("petition", Action.CLOSE): petition_close,
    ("letter_campaign", Action.PUBLISH): letter_campaign_open,
    ("letter_campaign", Action.CLOSE): letter_campaign_close,
    ("storm", Action.PUBLISH): storm_publish,
    ("storm", Action.CLOSE): storm_unpublish,
    # An event is published by approving it (organisers create it as proposed to hold it
    # back); closing it closes its sign-ups.
    ("event", Action.PUBLISH): event_approve,
    ("event", Action.CLOSE): event_sign_ups_close,
}


def actions_run_due(*, now=None) -> int:
    """Run every scheduled action whose time has come, once each (a row lock with SKIP
    LOCKED, so two beats never run one twice); how many ran."""
    now = now or timezone.now()
    ran = 0
    due = ScheduledAction.objects.filter(state=ScheduledAction.State.SCHEDULED, run_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            action = (
                ScheduledAction.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=ScheduledAction.State.SCHEDULED)
                .first()
            )
            if action is None:
                continue
            field = next(
                f
                for f in ("petition", "letter_campaign", "storm", "event")
                if getattr(action, f"{f}_id")
            )
            changed = SERVICES[(field, action.action)](**{field: getattr(action, field)})
            action.state = (
                ScheduledAction.State.DONE if changed else ScheduledAction.State.NOTHING_TO_DO
            )
            action.ran_at = now
            action.save(update_fields=["state", "ran_at"])
            ran += 1
            logger.info("Scheduled action %s: %s", action.pk, action.state)
    return ran
