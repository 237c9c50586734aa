from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "campaigns.events"
    label = "events"
    verbose_name = "Events"

    def ready(self):
        from campaigns.events.actions import events_in_seats, events_to_join, rsvps_done
        from campaigns.events.privacy import events_provider
        from campaigns.targets import local
        from volunteers import activity, privacy

        local.register("events", events_in_seats)
        activity.register(activity.ActivityProvider("events", events_to_join, rsvps_done, order=30))

        privacy.register(events_provider)
