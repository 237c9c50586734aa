from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from campaigns.targets.actions import campaign_actions
from campaigns.targets.figures import target_figures
from campaigns.targets.filters import TargetFilter
from campaigns.targets.forms import MarginalsForm
from campaigns.targets.materials import share_material
from campaigns.targets.models import Campaign
from campaigns.targets.selectors import (
    campaign_filter_options,
    campaign_tallies,
    campaign_tally,
    campaign_targets,
    nearest_marginals,
    published_campaigns,
)

TARGETS_PER_PAGE = 100


def home(request):
    """The front page: every published campaign and how far it has got."""
    campaigns = published_campaigns()
    tallies = campaign_tallies(campaigns)
    rows = [(campaign, tallies[campaign.pk]) for campaign in campaigns]
    return render(request, "targets/home.html", {"campaigns": rows})


def campaign_detail(request, slug):
    """The public tally: progress to the threshold and every target with its contacts."""
    campaign = get_object_or_404(Campaign, slug=slug, is_published=True)
    filters = TargetFilter(request.GET, queryset=campaign_targets(campaign))
    targets = filters.qs if filters.is_valid() else campaign_targets(campaign).none()
    page = Paginator(targets, TARGETS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    actions = campaign_actions(campaign)
    figures = target_figures(campaign, [target.pk for target in page])
    for target in page:
        target.actions = [a for a in actions if a.target_ids and target.pk in a.target_ids]
        target.figures = list(figures.get(target.pk, {}).values())
    return render(
        request,
        "targets/campaign_detail.html",
        {
            "campaign": campaign,
            "tally": campaign_tally(campaign),
            "filters": filters,
            "options": campaign_filter_options(campaign),
            "page": page,
            "query": query.urlencode(),
            "campaign_actions": [a for a in actions if a.target_ids is None],
            "materials": share_material(campaign.pk),
        },
    )


def marginals(request):
    """The nearest marginal seats to a postcode: where a few hundred votes matter, and
    what the campaign has going on there."""
    form = MarginalsForm(request.GET or None)
    seats = None
    if form.is_bound and form.is_valid():
        latitude, longitude = form.point
        seats = nearest_marginals(
            latitude=latitude, longitude=longitude, max_share=form.cleaned_data["max_share"]
        )
    return render(
        request,
        "targets/marginals.html",
        {"form": form, "seats": seats},
        status=400 if form.errors else 200,
    )
