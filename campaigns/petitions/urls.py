from django.urls import path

from campaigns.petitions import api, views

app_name = "petitions"

urlpatterns = [
    path("<slug:slug>/", views.petition_detail, name="detail"),
    path("<slug:slug>/signed/<str:payload>/", views.petition_signed, name="signed"),
    path("<slug:slug>/confirm/<str:token>/", views.petition_confirm, name="confirm"),
]

api_urlpatterns = [
    path("petitions/", api.PetitionList.as_view(), name="petition-list"),
    path("petitions/confirm/", api.SignatureConfirm.as_view(), name="petition-confirm"),
    path("petitions/<slug:slug>/", api.PetitionDetail.as_view(), name="petition-detail"),
    path(
        "petitions/<slug:slug>/signatures/",
        api.PetitionSign.as_view(),
        name="petition-sign",
    ),
    path("petitions/<slug:slug>/count/", api.PetitionCountView.as_view(), name="petition-count"),
]
