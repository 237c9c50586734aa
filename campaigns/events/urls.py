from django.urls import path

from campaigns.events import views

app_name = "events"

urlpatterns = [
    path("", views.events_list, name="list"),
    # The emailed links: services.RSVP_PATH.
    path("rsvp/<str:token>/<str:action>/", views.rsvp_link_page, name="rsvp"),
    path("feed/<slug:campaign_slug>.ics", views.campaign_feed, name="feed"),
    path("propose/", views.propose_page, name="propose"),
    path("<slug:slug>/", views.event_page, name="event"),
    path("<slug:slug>/calendar.ics", views.event_ics, name="ics"),
    path("<slug:slug>/check-in/", views.check_in_page, name="check-in"),
]
