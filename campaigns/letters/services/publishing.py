"""Opening and closing a letter campaign: what the organiser's admin and schedule call."""

from campaigns.letters.models import LetterCampaign


def letter_campaign_open(*, letter_campaign: LetterCampaign) -> bool:
    """Writers may write again from now. True if this call opened it."""
    return bool(
        LetterCampaign.objects.filter(
            pk=letter_campaign.pk, state=LetterCampaign.State.CLOSED
        ).update(state=LetterCampaign.State.OPEN)
    )


def letter_campaign_close(*, letter_campaign: LetterCampaign) -> bool:
    """No new letters from now; letters already confirmed are still sent. True if this call
    closed it."""
    return bool(
        LetterCampaign.objects.filter(
            pk=letter_campaign.pk, state=LetterCampaign.State.OPEN
        ).update(state=LetterCampaign.State.CLOSED)
    )
