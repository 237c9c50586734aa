from django.urls import path

from campaigns.pressure import api

app_name = "pressure"

urlpatterns = []  # no pages of its own

api_urlpatterns = [
    path("actions/", api.Actions.as_view(), name="actions"),
]
