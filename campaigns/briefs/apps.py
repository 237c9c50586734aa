from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "campaigns.briefs"
    label = "briefs"
    verbose_name = "Creative briefs"

    def ready(self):
        from campaigns.briefs.actions import briefs_to_take, submissions_done
        from campaigns.briefs.privacy import briefs_provider
        from campaigns.briefs.selectors import approved_material
        from campaigns.targets import materials
        from volunteers import activity, privacy

        activity.register(
            activity.ActivityProvider("briefs", briefs_to_take, submissions_done, order=50)
        )
        privacy.register(briefs_provider)
        materials.register("briefs", approved_material)
