"""The campaign's open letter campaigns, as actions on the tally page
(campaigns.targets.actions): each is aimed at the whole campaign, since a writer writes to
their own MP, whoever that is; and a person's: letters to their own MP while the MP is
undecided, and the letters they wrote (volunteers.activity)."""

from django.db.models import Exists, OuterRef
from django.urls import reverse

from campaigns.letters.models import Letter, LetterCampaign
from campaigns.targets.actions import ActionLink
from campaigns.targets.models import Representative, Target, TargetStatus
from volunteers.activity import DoneAction, NextAction, Person


def open_letter_campaigns(campaign) -> list[ActionLink]:
    """One query."""
    return [
        ActionLink(
            kind="letter",
            label=f"Write to your MP: {letter_campaign.title}",
            url=reverse("letters:write", args=[letter_campaign.slug]),
        )
        for letter_campaign in LetterCampaign.objects.filter(
            campaign=campaign, state=LetterCampaign.State.OPEN
        )
    ]


# A person's next actions and history (volunteers.activity)

# Where an MP stands that a constituent's letter can still move.
UNDECIDED = [TargetStatus.UNDECIDED, TargetStatus.LEANING]


def letters_to_write(person: Person) -> list[NextAction]:
    """Open letter campaigns in which the person's own MP is a target still undecided (or
    leaning) and the person has not written to them yet. Two queries."""
    if not person.constituency_code:
        return []
    mp = Representative.objects.filter(
        constituency__ons_code=person.constituency_code, is_current=True
    ).first()
    if mp is None:
        return []
    undecided = Target.objects.filter(
        campaign=OuterRef("campaign"), representative=mp, status__in=UNDECIDED
    )
    written = Letter.objects.filter(
        letter_campaign=OuterRef("pk"), supporter=person.supporter, representative=mp
    ).exclude(state=Letter.State.EXPIRED)
    letter_campaigns = (
        LetterCampaign.objects.filter(state=LetterCampaign.State.OPEN, campaign__is_published=True)
        .filter(Exists(undecided))
        .exclude(Exists(written))
        .order_by("-created_at")
    )
    return [
        NextAction(
            kind="letter",
            title=f"Write to your MP: {letter_campaign.title}",
            why=f"Your MP, {mp.name}, has not decided yet",
            url=reverse("letters:write", args=[letter_campaign.slug]),
        )
        for letter_campaign in letter_campaigns
    ]


def letters_done(supporter) -> list[DoneAction]:
    """One query."""
    return [
        DoneAction(
            kind="letter",
            title=f"Wrote to {letter.representative.name}: {letter.letter_campaign.title}",
            state=letter.get_state_display(),
            at=letter.created_at,
            url=reverse("letters:write", args=[letter.letter_campaign.slug]),
        )
        for letter in Letter.objects.filter(supporter=supporter).select_related(
            "letter_campaign", "representative"
        )
    ]
