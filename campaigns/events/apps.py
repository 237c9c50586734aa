from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "campaigns.events"
    label = "events"
    verbose_name = "Events"

    def ready(self):
        from campaigns.events.privacy import events_provider
        from volunteers import privacy

        privacy.register(events_provider)
