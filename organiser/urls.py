from django.urls import path

from organiser import views

app_name = "organiser"

urlpatterns = [
    path("<str:token>/", views.unsubscribe, name="unsubscribe"),
]

# Mounted at /organiser/ (config/urls.py).
dashboard_urlpatterns = [
    path("", views.dashboards, name="dashboards"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/<slug:key>.csv", views.dashboard_csv, name="csv"),
    path("<slug:slug>/<slug:key>.svg", views.dashboard_chart, name="chart"),
]
