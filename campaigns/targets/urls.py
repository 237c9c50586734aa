from django.urls import path

from campaigns.targets import api, views

app_name = "targets"

urlpatterns = [
    path("<slug:slug>/", views.campaign_detail, name="campaign"),
]

api_urlpatterns = [
    path("campaigns/", api.CampaignList.as_view(), name="campaign-list"),
    path("campaigns/<slug:slug>/", api.CampaignDetail.as_view(), name="campaign-detail"),
    path(
        "campaigns/<slug:slug>/targets/",
        api.CampaignTargetList.as_view(),
        name="campaign-target-list",
    ),
    path(
        "campaigns/<slug:slug>/targets/<int:pk>/",
        api.CampaignTargetDetail.as_view(),
        name="campaign-target-detail",
    ),
    path("representatives/", api.RepresentativeList.as_view(), name="representative-list"),
    path("constituencies/", api.ConstituencyList.as_view(), name="constituency-list"),
    path("marginals/", api.MarginalList.as_view(), name="marginal-list"),
]
