"""Personal data in pressure: which supporter took which action against which target, and
the actions they reported themselves (with a post's address).

Erasing keeps the action (it is part of a target's public count of pressure) but not who
took it: the supporter link is cleared, and a reported post loses its address (which
names the person's account). The thing behind any other action (a signature, a letter) is
erased by its own app's provider."""

from django.utils import timezone

from campaigns.pressure.models import ActionRecord, ReportedAction
from volunteers.privacy import PrivacyProvider

TARGET = ("target__representative", "target__organisation", "target__campaign")


def _export(supporter) -> dict:
    records = ActionRecord.objects.filter(supporter=supporter).select_related(*TARGET)
    reported = (
        ReportedAction.objects.filter(supporter=supporter).select_related(*TARGET).order_by("pk")
    )
    return {
        "actions": [
            {
                "kind": record.kind,
                "at": record.occurred_at.isoformat(),
                "campaign": record.target.campaign.slug,
                "target": record.target.name,
            }
            for record in records
        ],
        "reported_actions": [
            {
                "kind": action.kind,
                "at": action.occurred_at.isoformat(),
                "campaign": action.target.campaign.slug,
                "target": action.target.name,
                "url": action.url,
                "reported_at": action.created_at.isoformat(),
            }
            for action in reported
        ],
    }


def _erase(supporter) -> None:
    ActionRecord.objects.filter(supporter=supporter).update(supporter=None)
    ReportedAction.objects.filter(supporter=supporter).update(
        supporter=None, url="", updated_at=timezone.now()
    )


pressure_provider = PrivacyProvider(
    name="pressure",
    covers=("pressure.ActionRecord", "pressure.ReportedAction"),
    export=_export,
    erase=_erase,
)
