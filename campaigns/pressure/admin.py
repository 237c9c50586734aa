"""Organisers see the record of pressure; they never edit it: records come from the apps
that feed it (a signature, a letter) and go when those withdraw them."""

from django.contrib import admin

from campaigns.pressure.models import ActionRecord


@admin.register(ActionRecord)
class ActionRecordAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "kind", "target", "campaign", "source", "source_id"]
    list_filter = ["kind", ("target__campaign", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["target__campaign", "target__representative", "target__organisation"]
    search_fields = ["target__representative__name", "target__organisation__name"]
    date_hierarchy = "occurred_at"
    fields = ["target", "kind", "occurred_at", "supporter", "source", "source_id"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="Campaign", ordering="target__campaign__title")
    def campaign(self, record):
        return record.target.campaign

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
