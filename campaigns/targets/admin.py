from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from campaigns.targets.exports import as_csv, as_xlsx, target_rows
from campaigns.targets.forms import BulkStatusForm, TargetAdminForm
from campaigns.targets.models import (
    Campaign,
    Constituency,
    Organisation,
    Party,
    Representative,
    Target,
    TargetStatusChange,
)
from campaigns.targets.selectors import spreadsheet_targets
from campaigns.targets.services import target_status_set

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_response(targets, kind: str, name: str) -> HttpResponse:
    rows = target_rows(targets)
    body, content_type = (as_csv(rows), "text/csv") if kind == "csv" else (as_xlsx(rows), XLSX)
    filename = f"{name}-targets-{timezone.localdate():%Y-%m-%d}.{kind}"
    return HttpResponse(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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
    actions = ["export_targets_csv", "export_targets_xlsx"]

    def _export(self, request, queryset, kind):
        if queryset.count() != 1:
            self.message_user(request, "Choose one campaign to export.", messages.ERROR)
            return None
        campaign = queryset.get()
        return spreadsheet_response(
            spreadsheet_targets(campaign.targets.all()), kind, campaign.slug
        )

    @admin.action(description="Export the target spreadsheet (CSV)")
    def export_targets_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description="Export the target spreadsheet (XLSX)")
    def export_targets_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")


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
    list_display = ["__str__", "campaign", "party", "constituency", "status", "status_changed_at"]
    list_filter = [
        "campaign",
        "status",
        ("representative__party", admin.RelatedOnlyFieldListFilter),
        "representative__constituency__region",
    ]
    list_select_related = [
        "campaign",
        "representative__party",
        "representative__constituency",
        "organisation__constituency",
    ]
    search_fields = [
        "representative__name",
        "representative__constituency__name",
        "organisation__name",
    ]
    actions = ["set_status", "export_csv", "export_xlsx"]

    @admin.display(ordering="representative__party__name")
    def party(self, target):
        return target.party

    @admin.display(ordering="representative__constituency__name")
    def constituency(self, target):
        return target.constituency

    @admin.action(description="Set status (with a source link)")
    def set_status(self, request, queryset):
        """Ask for the status and source, then change each target through the service."""
        targets = list(queryset.select_related("campaign", "representative", "organisation"))
        form = BulkStatusForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            changed = sum(
                target_status_set(target=target, changed_by=request.user, **form.cleaned_data)
                is not None
                for target in targets
            )
            self.message_user(
                request,
                f"{changed} target{'s' if changed != 1 else ''} set to "
                f"{dict(form.fields['status'].choices)[form.cleaned_data['status']]}; "
                f"{len(targets) - changed} already had that status.",
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/targets/target/set_status.html",
            {**self.admin_site.each_context(request), "targets": targets, "form": form},
        )

    @admin.action(description="Export selected as spreadsheet (CSV)")
    def export_csv(self, request, queryset):
        return spreadsheet_response(self._for_export(queryset), "csv", "selected")

    @admin.action(description="Export selected as spreadsheet (XLSX)")
    def export_xlsx(self, request, queryset):
        return spreadsheet_response(self._for_export(queryset), "xlsx", "selected")

    def _for_export(self, queryset):
        return spreadsheet_targets(queryset)

    form = TargetAdminForm
    raw_id_fields = ["representative", "organisation"]
    readonly_fields = ["status_changed_at"]
    inlines = [TargetStatusChangeInline]

    def save_model(self, request, obj, form, change):
        """The status is written only by the service, so a status set here (on a new target
        too) is recorded in the history with its source, like any other change."""
        new_status = obj.status
        # As held, or the default for a new target (what changed_data compared with).
        obj.status = form.get_initial_for_field(form.fields["status"], "status")
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data:
            target_status_set(
                target=obj,
                status=new_status,
                changed_by=request.user,
                source_url=form.cleaned_data["source_url"],
                note=form.cleaned_data["note"],
            )
