from django.apps import AppConfig


class OrganiserConfig(AppConfig):
    name = "organiser"
    verbose_name = "Organiser tools"

    def ready(self):
        from organiser import webhooks  # noqa: F401  (connects the provider's tracking events)
        from organiser.privacy import organiser_provider
        from volunteers.privacy import register

        register(organiser_provider)
