from django.apps import AppConfig


class PressureConfig(AppConfig):
    name = "campaigns.pressure"
    label = "pressure"
    verbose_name = "Pressure on targets"

    def ready(self):
        from campaigns.pressure.privacy import pressure_provider
        from volunteers import privacy

        privacy.register(pressure_provider)
