from django.urls import path

from organiser import views

app_name = "organiser"

urlpatterns = [
    path("<str:token>/", views.unsubscribe, name="unsubscribe"),
]
