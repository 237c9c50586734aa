from django.contrib import admin

from campaigns.targets.models import (
    Campaign,
    Constituency,
    Organisation,
    Party,
    Representative,
    Target,
    TargetStatusChange,
)
from campaigns.targets.services import target_status_set


@admin.register(Constituency)
class ConstituencyAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_code", "nation", "region", "majority"]
    list_filter = ["nation", "region", "is_demo"]
    search_fields = ["name", "ons_code"]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation"]
    search_fields = ["name", "abbreviation"]


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["name", "party", "constituency", "email", "x_handle", "is_current"]
    list_filter = ["is_current", "party", "is_demo"]
    list_select_related = ["party", "constituency"]
    search_fields = ["name", "constituency__name", "email", "x_handle"]
    raw_id_fields = ["constituency"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "email", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "email"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "threshold", "is_published", "starts_on", "ends_on"]
    list_filter = ["is_published", "is_demo"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "slug"]


class TargetStatusChangeInline(admin.TabularInline):
    model = TargetStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "source_url", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "campaign", "status", "status_changed_at"]
    list_filter = ["campaign", "status"]
    list_select_related = ["campaign", "representative", "organisation"]
    search_fields = ["representative__name", "organisation__name"]
    raw_id_fields = ["representative", "organisation"]
    readonly_fields = ["status_changed_at"]
    inlines = [TargetStatusChangeInline]

    def save_model(self, request, obj, form, change):
        """A status edited here is recorded in the history like any other change."""
        new_status = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            target_status_set(target=obj, status=new_status, changed_by=request.user)
        else:
            super().save_model(request, obj, form, change)
