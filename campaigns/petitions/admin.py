"""Organisers' petition tools: signatures (filter, search, invalidate, review and restore
suspect ones), and per petition an invalidation form by criteria, an abuse report,
statistics, the CSV exports and a check of the published counts; venue allowances.

Every write to signatures goes through services (signatures_invalidate,
signatures_restore, petition_counts_check); every report reads through selectors, so the
admin cannot count differently from the rest of the site.
"""

import csv
from datetime import datetime, time
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateparse, timezone
from django.utils.html import format_html

from campaigns.petitions import abuse, selectors
from campaigns.petitions.forms import InvalidateByCriteriaForm, InvalidateReasonForm
from campaigns.petitions.models import Petition, Signature, VenueAllowance
from campaigns.petitions.services import (
    petition_counts_check,
    signatures_invalidate,
    signatures_restore,
)
from campaigns.targets.exports import spreadsheet_safe
from core.forms import form_add_service_errors
from volunteers.places import InvalidPostcode, normalise_outcode, normalise_postcode

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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _restored_message(done, selected: int) -> str:
    """What a restore did, in the organiser's terms."""
    message = f"{_plural(done.restored, 'signature')} restored"
    details = []
    if done.counted:
        details.append(f"{done.counted} count as soon as the counts are next applied")
    if done.emailed:
        details.append(f"{done.emailed} sent a confirmation email (each counts once confirmed)")
    unemailed = done.restored - done.counted - done.emailed
    if unemailed:
        details.append(
            f"{unemailed} not emailed (too many emails to that address lately): "
            "each counts once its signer confirms"
        )
    if details:
        message += ": " + "; ".join(details)
    if selected > done.restored:
        message += f". {selected - done.restored} not suspect (or invalidated), left as they were"
    return message + "."


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


class RestoreReasonForm(forms.Form):
    """Organisers say why the suspect signatures they picked are genuine after all."""

    reason = forms.CharField(
        max_length=200,
        help_text="Kept with each signature, so anyone can see later why it counts after all.",
    )


class TypedListFilter(admin.SimpleListFilter):
    """A filter the organiser types a value into (an IP hash, a domain, a date), kept in
    the query string with the other filters. It runs no query of its own."""

    template = "admin/petitions/signature/typed_filter.html"
    input_type = "text"
    placeholder = ""

    def lookups(self, request, model_admin):
        return [("", "")]  # one entry so the filter is shown; the value is typed in

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {}

    def choices(self, changelist):
        yield {
            "parameter_name": self.parameter_name,
            "value": self.value() or "",
            "input_type": self.input_type,
            "placeholder": self.placeholder,
            "others": [
                (name, value)
                for name, values in changelist.filter_params.items()
                if name != self.parameter_name
                for value in values
            ],
            "clear": changelist.get_query_string(remove=[self.parameter_name]),
        }

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        return self.filter(queryset, value) if value else queryset

    def filter(self, queryset, value):
        raise NotImplementedError


class EmailDomainFilter(TypedListFilter):
    title = "email domain"
    parameter_name = "email_domain"
    placeholder = "example.org"

    def filter(self, queryset, value):
        return queryset.filter(email_domain=value.lower().lstrip("@"))


class IpHashFilter(TypedListFilter):
    title = "IP hash"
    parameter_name = "ip_hash"

    def filter(self, queryset, value):
        return queryset.filter(ip_hash=value.lower())


class PostcodeFilter(TypedListFilter):
    title = "postcode or district"
    parameter_name = "postcode"
    placeholder = "SW1A 1AA or SW1A"

    def filter(self, queryset, value):
        try:
            return queryset.filter(postcode=normalise_postcode(value))
        except InvalidPostcode:
            pass
        try:
            return queryset.filter(postcode__startswith=f"{normalise_outcode(value)} ")
        except InvalidPostcode:
            return queryset.none()


class ConstituencyFilter(TypedListFilter):
    title = "constituency code"
    parameter_name = "constituency_code"
    placeholder = "E14000639"

    def filter(self, queryset, value):
        return queryset.filter(constituency_code=value.upper())


def _moment(value: str):
    """A typed date ("2025-06-01") or date and time ("2025-06-01T14:30") as an aware
    datetime in the site's time zone; None if it is neither."""
    try:
        moment = dateparse.parse_datetime(value)
        if moment is None and (day := dateparse.parse_date(value)) is not None:
            moment = datetime.combine(day, time())
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class SignedFromFilter(TypedListFilter):
    title = "signed at or after"
    parameter_name = "signed_from"
    input_type = "date"

    def filter(self, queryset, value):
        moment = _moment(value)
        return queryset.filter(created_at__gte=moment) if moment else queryset.none()


class SignedBeforeFilter(TypedListFilter):
    title = "signed before"
    parameter_name = "signed_before"
    input_type = "date"

    def filter(self, queryset, value):
        moment = _moment(value)
        return queryset.filter(created_at__lt=moment) if moment else queryset.none()


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
    # State "suspect" with these is the review list of suspect signatures; the typed
    # filters cost no query, so the page takes the same queries however many match.
    list_filter = [
        "petition",
        SignatureStateFilter,
        "source",
        EmailDomainFilter,
        IpHashFilter,
        PostcodeFilter,
        ConstituencyFilter,
        SignedFromFilter,
        SignedBeforeFilter,
    ]
    search_fields = ["name", "email", "postcode", "ip_hash", "canonical_email"]
    list_select_related = ["petition"]
    readonly_fields = [f.name for f in Signature._meta.fields]
    show_full_result_count = False  # one COUNT(*) over a big table per page is enough
    actions = ["invalidate_selected", "restore_selected"]

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

    @admin.action(description="Restore selected suspect signatures…", permissions=["change"])
    def restore_selected(self, request, queryset):
        """Ask for the reason, then restore through the service: the suspect ones among
        those selected count (confirmed) or are sent their confirmation email."""
        form = RestoreReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            selected = queryset.count()
            try:
                done = signatures_restore(
                    signatures=queryset, reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                self.message_user(request, _restored_message(done, selected), messages.SUCCESS)
                return None
        counts = selectors.state_counts(queryset)
        return TemplateResponse(
            request,
            "admin/petitions/signature/restore_selected.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Restore suspect signatures",
                "form": form,
                "suspect": counts["suspect"],
                "others": counts["total"] - counts["suspect"],
                "sample": queryset.filter(selectors.SIGNATURE_STATES["suspect"]).select_related(
                    "petition"
                )[:PREVIEW_ROWS],
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
            },
        )


class VenueAllowanceForm(forms.ModelForm):
    """The organiser types the venue's IP address; only its keyed hash is kept."""

    ip_address = forms.GenericIPAddressField(
        label="IP address",
        required=False,
        help_text=(
            "The venue's public IP address, as its connection shows it. Only a keyed hash "
            "is stored, never the address; leave empty when changing to keep the one set."
        ),
    )

    class Meta:
        model = VenueAllowance
        fields = ["label", "ip_address", "petition", "starts_at", "ends_at"]

    def clean(self):
        cleaned = super().clean()
        address = cleaned.get("ip_address")
        if address:
            self.instance.ip_hash = abuse.client_ip_hash(address)
        elif not self.instance.ip_hash and "ip_address" not in self.errors:
            self.add_error("ip_address", "Enter the venue's IP address.")
        return cleaned


@admin.register(VenueAllowance)
class VenueAllowanceAdmin(admin.ModelAdmin):
    """Street stalls and meeting halls: many signatures from one connection, allowed."""

    form = VenueAllowanceForm
    list_display = [
        "label",
        "petition",
        "starts_at",
        "ends_at",
        "ip_hash",
        "created_by",
        "suspect_signatures",
    ]
    list_filter = ["petition"]
    list_select_related = ["petition", "created_by"]
    search_fields = ["label", "ip_hash"]
    readonly_fields = ["ip_hash", "created_by", "created_at"]

    @admin.display(description="Suspect signatures")
    def suspect_signatures(self, allowance):
        """A link to the suspect signatures from the venue's IP, to review and restore
        those made before the allowance was added."""
        query = {"state": "suspect", "ip_hash": allowance.ip_hash}
        if allowance.petition_id:
            query["petition__id__exact"] = allowance.petition_id
        url = reverse("admin:petitions_signature_changelist") + "?" + urlencode(query)
        return format_html('<a href="{}">Review</a>', url)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
