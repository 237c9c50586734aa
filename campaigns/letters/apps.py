from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "campaigns.letters"
    label = "letters"
    verbose_name = "Letters"

    def ready(self):
        from campaigns.letters.actions import letters_done, letters_to_write, open_letter_campaigns
        from campaigns.letters.privacy import letters_provider
        from campaigns.targets import actions
        from volunteers import activity, privacy

        activity.register(
            activity.ActivityProvider("letters", letters_to_write, letters_done, order=10)
        )
        privacy.register(letters_provider)
        actions.register("letter", open_letter_campaigns)

        from campaigns.letters.selectors import letter_figures
        from campaigns.targets import figures

        figures.register("letters", letter_figures)
