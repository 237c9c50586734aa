from django.shortcuts import render

from campaigns.targets.selectors import campaign_tallies, published_campaigns


def home(request):
    """The front page: every published campaign and how far it has got."""
    campaigns = published_campaigns()
    tallies = campaign_tallies(campaigns)
    rows = [(campaign, tallies[campaign.pk]) for campaign in campaigns]
    return render(request, "targets/home.html", {"campaigns": rows})
