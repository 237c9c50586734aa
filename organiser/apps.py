from django.apps import AppConfig


class OrganiserConfig(AppConfig):
    name = "organiser"
    verbose_name = "Organiser tools"
