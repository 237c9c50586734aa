"""Petitions: the invalidation form by criteria, the abuse report, statistics, the CSV
exports and the check of the published counts."""

import csv

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from campaigns.petitions import selectors
from campaigns.petitions.admin.common import PREVIEW_ROWS, _invalidated_message, _plural
from campaigns.petitions.forms import InvalidateByCriteriaForm
from campaigns.petitions.models import Petition
from campaigns.petitions.services import (
    petition_counts_check,
    signatures_invalidate,
)
from core.cells import spreadsheet_safe

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


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "state", "published_total", "goal", "opens_at"]
    list_filter = ["state", "campaign"]
    list_select_related = ["campaign", "count"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["targets"]
    change_form_template = "admin/petitions/petition/change_form.html"
    actions = ["check_counts"]

    @admin.display(description="Signatures", ordering="count__total")
    def published_total(self, petition):
        count = getattr(petition, "count", None)
        return count.total if count else 0

    @admin.action(description="Check and repair counts", permissions=["change"])
    def check_counts(self, request, queryset):
        """Each selected petition's published counts against its counted signatures
        (services.petition_counts_check), repairing any difference and saying what."""
        checks = [
            petition_counts_check(petition_id=pk)
            for pk in queryset.order_by("pk").values_list("pk", flat=True)
        ]
        differing = [check for check in checks if check.differs]
        for check in differing:
            self.message_user(
                request,
                f"Petition {check}",
                messages.WARNING if check.repaired else messages.ERROR,
            )
        right = len(checks) - len(differing)
        if right:
            self.message_user(
                request,
                f"{_plural(right, 'petition')} checked with every count right.",
                messages.SUCCESS,
            )

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
