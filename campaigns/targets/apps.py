from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "campaigns.targets"
    label = "targets"
    verbose_name = "Targets and tally"

    def ready(self):
        from campaigns.targets.privacy import targets_provider
        from volunteers import privacy

        privacy.register(targets_provider)
