"""The campaign's open letter campaigns, as actions on the tally page
(campaigns.targets.actions): each is aimed at the whole campaign, since a writer writes to
their own MP, whoever that is."""

from django.urls import reverse

from campaigns.letters.models import LetterCampaign
from campaigns.targets.actions import ActionLink


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
