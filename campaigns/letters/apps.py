from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "campaigns.letters"
    label = "letters"
    verbose_name = "Letters"

    def ready(self):
        from campaigns.letters.actions import open_letter_campaigns
        from campaigns.letters.privacy import letters_provider
        from campaigns.targets import actions
        from volunteers import privacy

        privacy.register(letters_provider)
        actions.register("letter", open_letter_campaigns)

        from campaigns.letters.selectors import letter_figures
        from campaigns.targets import figures

        figures.register("letters", letter_figures)
