from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "campaigns.petitions"
    label = "petitions"
    verbose_name = "Petitions"

    def ready(self):
        from campaigns.petitions.actions import open_petitions
        from campaigns.petitions.privacy import petitions_provider
        from campaigns.targets import actions
        from volunteers import privacy

        privacy.register(petitions_provider)
        actions.register("petition", open_petitions)
