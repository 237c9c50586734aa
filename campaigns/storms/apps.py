from django.apps import AppConfig


class StormsConfig(AppConfig):
    name = "campaigns.storms"
    label = "storms"
    verbose_name = "Twitterstorms"

    def ready(self):
        from campaigns.storms.privacy import storms_provider
        from volunteers import privacy

        privacy.register(storms_provider)
