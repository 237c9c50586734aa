"""Signatures: filter, search, invalidate, and review and restore suspect ones."""

from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import dateparse, timezone

from campaigns.petitions import selectors
from campaigns.petitions.admin.common import PREVIEW_ROWS, _invalidated_message, _plural
from campaigns.petitions.forms import InvalidateReasonForm
from campaigns.petitions.models import Signature
from campaigns.petitions.services import (
    signatures_invalidate,
    signatures_restore,
)
from core.forms import form_add_service_errors
from volunteers.places import InvalidPostcode, normalise_outcode, normalise_postcode


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
        """The signatures matching the typed `value`: each filter below says how."""
        raise NotImplementedError(f"{type(self).__name__} must say how it filters")


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
