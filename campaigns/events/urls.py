from django.urls import path

from campaigns.events import api, views

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

api_urlpatterns = [
    path("events/", api.EventList.as_view(), name="event-list"),
    path("events/rsvps/confirm/", api.RSVPConfirm.as_view(), name="event-rsvp-confirm"),
    path("events/<int:pk>/", api.EventDetail.as_view(), name="event-detail"),
    path("events/<int:pk>/rsvps/", api.EventSignUp.as_view(), name="event-sign-up"),
    path("events/<int:pk>/check-ins/", api.EventCheckIn.as_view(), name="event-check-in"),
    path("me/rsvps/", api.MyRSVPs.as_view(), name="my-rsvps"),
    path("me/rsvps/<int:pk>/", api.MyRSVP.as_view(), name="my-rsvp"),
]
