"""Personal data in storms: a supporter's pledges and reports. Erasing keeps both rows (the
counts are public facts, and a report stays pressure on its target) but removes who made
them and the address of the post."""

from campaigns.storms.models import Pledge, Report
from volunteers.privacy import PrivacyProvider


def _when(moment):
    return moment.isoformat() if moment else None


def _export(supporter) -> dict:
    pledges = Pledge.objects.filter(supporter=supporter).select_related(
        "storm",
        "angle",
        "storm_target__target__representative",
        "storm_target__target__organisation",
    )
    reports = Report.objects.filter(supporter=supporter).select_related("storm")
    return {
        "pledges": [
            {
                "storm": pledge.storm.slug,
                "hashtag": pledge.storm.hashtag,
                "via": pledge.via,
                "state": pledge.state,
                "pledged_at": _when(pledge.created_at),
                "confirmed_at": _when(pledge.confirmed_at),
                "angle": pledge.angle.prompt if pledge.angle else None,
                "target": pledge.storm_target.target.name if pledge.storm_target else None,
            }
            for pledge in pledges.order_by("pk")
        ],
        "reports": [
            {
                "storm": report.storm.slug,
                "network": report.network,
                "post_url": report.post_url,
                "reported_at": _when(report.created_at),
            }
            for report in reports.order_by("pk")
        ],
    }


def _erase(supporter) -> None:
    Pledge.objects.filter(supporter=supporter).update(supporter=None)
    Report.objects.filter(supporter=supporter).update(supporter=None, post_url="")


storms_provider = PrivacyProvider(
    name="storms",
    covers=("storms.Pledge", "storms.Report"),
    export=_export,
    erase=_erase,
)
