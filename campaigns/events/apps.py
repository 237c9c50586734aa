from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "campaigns.events"
    label = "events"
    verbose_name = "Events"

    def ready(self):
        from campaigns.events.actions import events_to_join, rsvps_done
        from campaigns.events.privacy import events_provider
        from volunteers import activity, privacy

        activity.register(activity.ActivityProvider("events", events_to_join, rsvps_done, order=30))

        privacy.register(events_provider)
