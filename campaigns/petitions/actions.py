"""The campaign's open petitions, as actions on the tally page (campaigns.targets.actions)."""

from django.urls import reverse

from campaigns.petitions.models import Petition
from campaigns.targets.actions import ActionLink


def open_petitions(campaign) -> list[ActionLink]:
    petitions = [p for p in Petition.objects.filter(campaign=campaign) if p.is_open()]
    aimed = Petition.targets.through.objects.filter(petition__in=petitions).values_list(
        "petition_id", "target_id"
    )
    targets: dict[int, set[int]] = {}
    for petition_id, target_id in aimed:
        targets.setdefault(petition_id, set()).add(target_id)
    return [
        ActionLink(
            kind="petition",
            label=f"Sign the petition: {petition.title}",
            url=reverse("petitions:detail", args=[petition.slug]),
            target_ids=frozenset(targets[petition.pk]) if petition.pk in targets else None,
        )
        for petition in petitions
    ]
