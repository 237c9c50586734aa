"""The campaign's open petitions, as actions on the tally page (campaigns.targets.actions),
and a person's: the petitions they could sign next and those they signed
(volunteers.activity)."""

from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from campaigns.petitions.models import Petition, Signature
from campaigns.targets.actions import ActionLink
from volunteers.activity import DoneAction, NextAction, Person


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


# A person's next actions and history (volunteers.activity)

SUGGESTED = 5  # open petitions suggested at a time


def petitions_to_sign(person: Person) -> list[NextAction]:
    """Open petitions of published campaigns that the person has not signed, closing
    soonest first. One query."""
    now = timezone.now()
    signed = Signature.objects.filter(petition=OuterRef("pk"), supporter=person.supporter)
    petitions = (
        Petition.objects.filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now),
            state=Petition.State.OPEN,
            opens_at__lte=now,
            campaign__is_published=True,
        )
        .exclude(Exists(signed))
        .order_by(F("closes_at").asc(nulls_last=True), "-opens_at")[:SUGGESTED]
    )
    return [
        NextAction(
            kind="petition",
            title=f"Sign the petition: {petition.title}",
            why="Open now" if petition.closes_at is None else "Closes soon",
            url=reverse("petitions:detail", args=[petition.slug]),
            due_at=petition.closes_at,
        )
        for petition in petitions
    ]


def signatures_done(supporter) -> list[DoneAction]:
    """One query."""
    return [
        DoneAction(
            kind="signature",
            title=f"Signed the petition: {signature.petition.title}",
            state=_signature_state(signature),
            at=signature.created_at,
            url=reverse("petitions:detail", args=[signature.petition.slug]),
        )
        for signature in Signature.objects.filter(supporter=supporter).select_related("petition")
    ]


def _signature_state(signature) -> str:
    if signature.invalidated_at is not None:
        return "Not counted"
    if signature.confirmed_at is None:
        return "Waiting for you to confirm by email"
    return "Confirmed"
