"""Personal data in the targets app, for the registry in volunteers.privacy.

Supporters appear here only as organisers who changed a target's status. Representatives'
and organisations' contact details are published office details, not supporters' data.
"""

from campaigns.targets.models import TargetStatusChange
from volunteers.privacy import PrivacyProvider


def _export(supporter) -> dict:
    if supporter.user_id is None:
        return {"status_changes_made": []}
    changes = TargetStatusChange.objects.filter(changed_by_id=supporter.user_id).select_related(
        "target__campaign", "target__representative", "target__organisation"
    )
    return {
        "status_changes_made": [
            {
                "campaign": change.target.campaign.slug,
                "target": str(change.target),
                "from": change.from_status,
                "to": change.to_status,
                "at": change.changed_at.isoformat(),
                "source_url": change.source_url,
                "note": change.note,
            }
            for change in changes
        ]
    }


def _erase(supporter) -> None:
    """The changes stay in the history (the tally is public record); who made them goes."""
    if supporter.user_id is not None:
        TargetStatusChange.objects.filter(changed_by_id=supporter.user_id).update(changed_by=None)


targets_provider = PrivacyProvider(
    name="targets",
    covers=("targets.TargetStatusChange",),
    export=_export,
    erase=_erase,
    exempt={
        "targets.Representative": "MPs' published parliamentary contact details",
        "targets.Organisation": "organisations' published contact details",
    },
)
