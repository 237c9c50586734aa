from django.urls import path

from campaigns.briefs import api, views

app_name = "briefs"

urlpatterns = [
    path("<int:pk>/", views.brief_page, name="brief"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("image/<int:pk>/", views.image, name="image"),
]

api_urlpatterns = [
    path("briefs/", api.BriefList.as_view(), name="brief-list"),
    path("briefs/<int:pk>/claims/", api.BriefClaim.as_view(), name="brief-claim"),
    path("briefs/submissions/<int:pk>/", api.SubmissionSubmit.as_view(), name="brief-submission"),
    path("me/briefs/", api.MyBriefs.as_view(), name="my-briefs"),
]
