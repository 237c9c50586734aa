"""Organisers see the record of pressure; they never edit it: records come from the apps
that feed it (a signature, a letter) and go when those withdraw them; reported actions come
from supporters through the API."""

from django.contrib import admin

from campaigns.pressure.models import ActionRecord, ReportedAction


class AgainstTargetsSeenOnly(admin.ModelAdmin):
    """Rows against targets, listed by campaign and kind, found by the target's name, and
    never added, changed or deleted here."""

    list_filter = ["kind", ("target__campaign", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["target__campaign", "target__representative", "target__organisation"]
    search_fields = ["target__representative__name", "target__organisation__name"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    @admin.display(description="Campaign", ordering="target__campaign__title")
    def campaign(self, row):
        return row.target.campaign

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActionRecord)
class ActionRecordAdmin(AgainstTargetsSeenOnly):
    list_display = ["occurred_at", "kind", "target", "campaign", "source", "source_id"]
    fields = ["target", "kind", "occurred_at", "supporter", "source", "source_id"]
    readonly_fields = fields


@admin.register(ReportedAction)
class ReportedActionAdmin(AgainstTargetsSeenOnly):
    """What supporters reported doing (services.action_report). Who reported it is shown by
    supporter id only."""

    list_display = ["occurred_at", "kind", "target", "campaign", "supporter_id", "created_at"]
    fields = ["target", "kind", "url", "occurred_at", "supporter", "created_at", "updated_at"]
    readonly_fields = fields
