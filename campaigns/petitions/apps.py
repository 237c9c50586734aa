from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "campaigns.petitions"
    label = "petitions"
    verbose_name = "Petitions"

    def ready(self):
        from campaigns.petitions.actions import open_petitions, petitions_to_sign, signatures_done
        from campaigns.petitions.privacy import petitions_provider
        from campaigns.targets import actions
        from volunteers import activity, privacy

        activity.register(
            activity.ActivityProvider("petitions", petitions_to_sign, signatures_done, order=40)
        )
        privacy.register(petitions_provider)
        actions.register("petition", open_petitions)
