"""Organisers' admin for letters. Letters are read-only here and listed without their
bodies or addresses (only a letter's own page shows them, to organisers with the view
permission), and there is no bulk action: no export of bodies."""

from django.contrib import admin

from campaigns.letters.models import Letter, LetterCampaign


@admin.register(LetterCampaign)
class LetterCampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "campaign", "state", "created_at"]
    list_filter = ["state"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "slug"]


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["pk", "letter_campaign", "representative", "kind", "state", "created_at"]
    list_filter = ["state", "kind", "letter_campaign", "needs_printing"]
    list_select_related = ["letter_campaign", "representative"]
    exclude = ["signature"]
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Letter._meta.fields if f.name != "signature"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
