from django.urls import path

from volunteers import api, views

app_name = "volunteers"

urlpatterns = [
    path("", views.me, name="me"),
    path("profile/", views.profile, name="profile"),
    path("data/", views.my_data, name="my-data"),
    path("data/my-data.json", views.my_data_download, name="my-data-download"),
    path("data/erased/", views.erased, name="erased"),
]

api_urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("me/export/", api.MyExport.as_view(), name="my-export"),
    path("me/actions/", api.MyActions.as_view(), name="my-actions"),
    path("me/next-actions/", api.MyNextActions.as_view(), name="my-next-actions"),
    path("volunteers/", api.VolunteerList.as_view(), name="volunteer-list"),
]
