"""Organisers' petition tools: signatures (filter, search, invalidate), and per petition an
invalidation form by criteria, an abuse report, statistics and the CSV exports.

Every write goes through services.signatures_invalidate; every report reads through
selectors, so the admin cannot count differently from the rest of the site.
"""

import csv

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from campaigns.petitions import selectors
from campaigns.petitions.forms import InvalidateByCriteriaForm, InvalidateReasonForm
from campaigns.petitions.models import Petition, Signature
from campaigns.petitions.services import signatures_invalidate
from campaigns.targets.exports import spreadsheet_safe

PREVIEW_ROWS = 20
DELIVERY_COLUMNS = [
    "constituency code",
    "constituency name",
    "MP name",
    "MP email",
    "counted signatures",
]


class _Echo:
    """A file that hands back what is written to it, so csv.writer can feed a stream."""

    def write(self, value):
        return value


def csv_lines(columns, rows):
    """The CSV text, line by line, starting with a BOM (so Excel reads UTF-8); every text
    cell is defused, so a name like "=HYPERLINK(...)" arrives as text."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns)
    for row in rows:
        yield writer.writerow(
            [spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in row]
        )


def _attachment(petition: Petition, what: str) -> dict:
    filename = f"{petition.slug}-{what}-{timezone.localdate():%Y-%m-%d}.csv"
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _invalidated_message(invalidated: int, selected: int) -> str:
    message = f"{invalidated} signature{'s' if invalidated != 1 else ''} invalidated"
    if selected > invalidated:
        message += f"; {selected - invalidated} already were"
    return message + ". The totals drop as soon as the counts are next applied."


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "state", "published_total", "goal", "opens_at"]
    list_filter = ["state", "campaign"]
    list_select_related = ["campaign", "count"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["targets"]
    change_form_template = "admin/petitions/petition/change_form.html"

    @admin.display(description="Signatures", ordering="count__total")
    def published_total(self, petition):
        count = getattr(petition, "count", None)
        return count.total if count else 0

    def get_urls(self):
        # Before the default URLs: their "<path:object_id>/" would swallow these.
        tools = [
            ("invalidate/", self.invalidate_view, "invalidate"),
            ("abuse/", self.abuse_view, "abuse"),
            ("statistics/", self.statistics_view, "statistics"),
            ("signatures.csv", self.signatures_csv_view, "signatures_csv"),
            ("constituencies.csv", self.constituencies_csv_view, "constituencies_csv"),
        ]
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                f"<path:object_id>/{route}",
                self.admin_site.admin_view(view),
                name=f"{prefix}_{name}",
            )
            for route, view, name in tools
        ] + super().get_urls()

    def _petition(self, request, object_id) -> Petition:
        """The petition, if this organiser may change it: these pages can invalidate
        signatures and hand out personal data."""
        petition = self.get_object(request, unquote(object_id))
        if petition is None:
            raise Http404("No such petition.")
        if not self.has_change_permission(request, petition):
            raise PermissionDenied
        return petition

    def _render(self, request, petition, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/petitions/petition/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": petition,
                "petition": petition,
                "title": title,
                **context,
            },
        )

    def invalidate_view(self, request, object_id):
        """Criteria first; then how many signatures match, to confirm; then invalidate."""
        petition = self._petition(request, object_id)
        if request.method == "POST":
            form = InvalidateByCriteriaForm(request.POST)
        else:
            criteria = InvalidateByCriteriaForm.CRITERIA
            form = InvalidateByCriteriaForm(
                initial={field: request.GET[field] for field in criteria if field in request.GET}
            )
        preview = None
        if form.is_valid():
            signatures = selectors.signatures_matching(petition, **form.criteria())
            if "confirm" in request.POST:
                selected = signatures.count()
                invalidated = signatures_invalidate(
                    signatures=signatures, reason=form.cleaned_data["reason"]
                )
                self.message_user(
                    request, _invalidated_message(invalidated, selected), messages.SUCCESS
                )
                return redirect(reverse("admin:petitions_petition_change", args=[petition.pk]))
            counts = selectors.state_counts(signatures)
            preview = {
                "counts": counts,
                "to_invalidate": counts["total"] - counts["invalidated"],
                "sample": signatures.order_by("created_at", "pk")[:PREVIEW_ROWS],
            }
        return self._render(
            request,
            petition,
            "invalidate.html",
            "Invalidate signatures by criteria",
            form=form,
            preview=preview,
        )

    def abuse_view(self, request, object_id):
        petition = self._petition(request, object_id)
        return self._render(
            request,
            petition,
            "abuse.html",
            "Abuse report",
            ip_hashes=selectors.busiest_ip_hashes(petition),
            domains=selectors.busiest_email_domains(petition),
            canonical_emails=selectors.repeated_canonical_emails(petition),
        )

    def statistics_view(self, request, object_id):
        petition = self._petition(request, object_id)
        published, updated_at = selectors.petition_total(petition)
        return self._render(
            request,
            petition,
            "statistics.html",
            "Statistics",
            published=published,
            updated_at=updated_at,
            states=selectors.signature_state_counts(petition),
            sources=selectors.signatures_by_source(petition),
            referrers=selectors.top_referrers(petition),
        )

    def signatures_csv_view(self, request, object_id):
        """Every signature, streamed: memory stays flat however many there are."""
        petition = self._petition(request, object_id)
        return StreamingHttpResponse(
            csv_lines(
                selectors.SIGNATURE_EXPORT_COLUMNS, selectors.signature_export_rows(petition)
            ),
            content_type="text/csv; charset=utf-8",
            headers=_attachment(petition, "signatures"),
        )

    def constituencies_csv_view(self, request, object_id):
        """The published count per constituency, with the MP to deliver it to."""
        petition = self._petition(request, object_id)
        rows = [
            [d.code, d.name, d.mp_name, d.mp_email, d.total]
            for d in selectors.constituency_deliveries(petition)
        ]
        return HttpResponse(
            "".join(csv_lines(DELIVERY_COLUMNS, rows)),
            content_type="text/csv; charset=utf-8",
            headers=_attachment(petition, "constituencies"),
        )


class SignatureStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(state, state.capitalize()) for state in selectors.SIGNATURE_STATES]

    def queryset(self, request, queryset):
        state = self.value()
        if state in selectors.SIGNATURE_STATES:
            return queryset.filter(selectors.SIGNATURE_STATES[state])
        return queryset


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "petition",
        "postcode",
        "constituency_code",
        "state",
        "source",
        "created_at",
    ]
    list_filter = ["petition", SignatureStateFilter, "source"]
    search_fields = ["name", "email", "postcode", "ip_hash", "canonical_email"]
    list_select_related = ["petition"]
    readonly_fields = [f.name for f in Signature._meta.fields]
    show_full_result_count = False  # one COUNT(*) over a big table per page is enough
    actions = ["invalidate_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # A deleted counted signature would stay in the totals: invalidate it instead.
        return False

    @admin.action(description="Invalidate selected…", permissions=["change"])
    def invalidate_selected(self, request, queryset):
        """Ask for the reason, then invalidate through the service."""
        form = InvalidateReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            selected = queryset.count()
            invalidated = signatures_invalidate(
                signatures=queryset, reason=form.cleaned_data["reason"]
            )
            self.message_user(
                request, _invalidated_message(invalidated, selected), messages.SUCCESS
            )
            return None
        return TemplateResponse(
            request,
            "admin/petitions/signature/invalidate_selected.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Invalidate signatures",
                "form": form,
                "count": queryset.count(),
                "sample": queryset.select_related("petition")[:PREVIEW_ROWS],
                # Echo the selection as it came, not one input per row: "select all" may
                # mean 100,000 signatures.
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
            },
        )
