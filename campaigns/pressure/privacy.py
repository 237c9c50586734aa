"""Personal data in pressure: which supporter took which action against which target.

Erasing keeps the action (it is part of a target's public count of pressure) but not who
took it: the supporter link is cleared. The thing behind the action (a signature, a
letter) is erased by its own app's provider."""

from campaigns.pressure.models import ActionRecord
from volunteers.privacy import PrivacyProvider


def _export(supporter) -> dict:
    records = ActionRecord.objects.filter(supporter=supporter).select_related(
        "target__representative", "target__organisation", "target__campaign"
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
        ]
    }


def _erase(supporter) -> None:
    ActionRecord.objects.filter(supporter=supporter).update(supporter=None)


pressure_provider = PrivacyProvider(
    name="pressure",
    covers=("pressure.ActionRecord",),
    export=_export,
    erase=_erase,
)
