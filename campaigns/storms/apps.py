from django.apps import AppConfig


class StormsConfig(AppConfig):
    name = "campaigns.storms"
    label = "storms"
    verbose_name = "Twitterstorms"

    def ready(self):
        from campaigns.storms import signals
        from campaigns.storms.actions import open_storms, pledges_done, storms_to_join
        from campaigns.storms.privacy import storms_provider
        from campaigns.targets import actions
        from volunteers import activity, privacy

        activity.register(
            activity.ActivityProvider("storms", storms_to_join, pledges_done, order=20)
        )
        privacy.register(storms_provider)
        actions.register("storm", open_storms)
        signals.connect()
