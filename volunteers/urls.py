from django.urls import path

from volunteers import api

api_urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
]
