from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers and supporters"

    def ready(self):
        from volunteers import privacy

        privacy.register(privacy.volunteers_provider)
