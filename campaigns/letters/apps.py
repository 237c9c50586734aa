from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "campaigns.letters"
    label = "letters"
    verbose_name = "Letters"

    def ready(self):
        from campaigns.letters.privacy import letters_provider
        from volunteers import privacy

        privacy.register(letters_provider)
