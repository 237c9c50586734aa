from django.urls import path

from campaigns.storms import api, views

app_name = "storms"

urlpatterns = [
    # Before the storms' own pages: the path services.CONFIRM_PATH puts in the email.
    path("confirm/<str:token>/", views.pledge_confirm_page, name="confirm"),
    path("<slug:slug>/", views.storm_page, name="storm"),
    path("<slug:slug>/mastodon/", views.storm_mastodon, name="mastodon"),
]

api_urlpatterns = [
    path("storms/", api.StormList.as_view(), name="storm-list"),
    path("storms/confirm/", api.PledgeConfirm.as_view(), name="storm-pledge-confirm"),
    path("storms/<int:pk>/", api.StormDetail.as_view(), name="storm-detail"),
    path("storms/<int:pk>/counts/", api.StormCounts.as_view(), name="storm-counts"),
    path("storms/<int:pk>/assignment/", api.StormAssignment.as_view(), name="storm-assignment"),
    path("storms/<int:pk>/pledges/", api.StormPledge.as_view(), name="storm-pledge"),
    path("storms/<int:pk>/reports/", api.StormReport.as_view(), name="storm-report"),
    path("storms/<int:pk>/posts/check/", api.PostCheck.as_view(), name="storm-post-check"),
    path("me/storm-pledges/", api.MyPledges.as_view(), name="my-storm-pledges"),
]
