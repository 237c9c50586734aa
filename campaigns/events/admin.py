"""Organisers schedule events here: the event (its postcode resolved to a location when
saved, through services.event_place_resolve) with its shifts, and each shift's sign-ups.
Events under their minimum attendance or without a host contact are flagged in the list."""

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from campaigns.events import services
from campaigns.events.models import HOLDING_STATES, RSVP, Event, Shift
from core.cells import spreadsheet_safe


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 1
    fields = ["starts_at", "ends_at", "capacity", "places_taken"]
    readonly_fields = ["places_taken"]


class EventForm(forms.ModelForm):
    online_url = forms.URLField(
        required=False, max_length=500, assume_scheme="https", label="Online link"
    )

    class Meta:
        model = Event
        fields = [
            "campaign",
            "kind",
            "title",
            "slug",
            "description",
            "address",
            "postcode",
            "online_url",
            "address_visibility",
            "target",
            "host_name",
            "host_email",
            "host_phone",
            "min_attendance",
            "max_attendance",
            "state",
            "sign_ups_closed_at",
            "decline_reason",
        ]

    def clean(self):
        cleaned = super().clean()
        kind, url = cleaned.get("kind"), cleaned.get("online_url")
        if kind == Event.Kind.ONLINE and not url:
            self.add_error("online_url", "An online event needs its link.")
        if kind and kind != Event.Kind.ONLINE and not cleaned.get("postcode"):
            self.add_error("postcode", "Give the postcode of the event's address.")
        if "postcode" in cleaned and not self.has_error("postcode"):
            self.instance.postcode = cleaned["postcode"] or ""
            try:
                services.event_place_resolve(event=self.instance)
            except ValidationError as error:
                self.add_error("postcode", error.message_dict["postcode"])
            else:
                cleaned["postcode"] = self.instance.postcode
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text="Emailed to the host.",
    )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventForm
    inlines = [ShiftInline]
    actions = ["approve", "decline", "export_rsvps"]
    list_display = ["title", "kind", "state", "campaign", "signed_up", "attended", "flags"]
    list_filter = ["state", "kind", "campaign"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "slug", "postcode"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("campaign")
            .annotate(
                holding=Count("shifts__rsvps", filter=Q(shifts__rsvps__state__in=HOLDING_STATES)),
                came=Count("shifts__rsvps", filter=Q(shifts__rsvps__state=RSVP.State.ATTENDED)),
            )
        )

    @admin.display(description="Signed up", ordering="holding")
    def signed_up(self, event):
        return event.holding

    @admin.display(description="Attended", ordering="came")
    def attended(self, event):
        return event.came

    @admin.display(description="Needs attention")
    def flags(self, event):
        found = []
        if event.holding < event.min_attendance:
            found.append(f"under its minimum of {event.min_attendance}")
        if not (event.host_email or event.host_phone):
            found.append("no host contact")
        return "; ".join(found) or "-"

    @admin.action(description="Download the selected events' sign-ups (CSV)")
    def export_rsvps(self, request, queryset):
        """One row per sign-up: event, shift, name, state, check-in; email and phone only
        where the person agreed they may be shared."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="event-sign-ups.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["event", "shift_starts_at", "name", "state", "checked_in_at", "email", "phone"]
        )
        rsvps = (
            RSVP.objects.filter(shift__event__in=queryset)
            .select_related("shift__event")
            .order_by("shift__event_id", "shift__starts_at", "created_at", "pk")
        )
        for rsvp in rsvps:
            shared = rsvp.share_contact
            writer.writerow(
                [
                    spreadsheet_safe(rsvp.shift.event.title),
                    timezone.localtime(rsvp.shift.starts_at).isoformat(),
                    spreadsheet_safe(rsvp.name),
                    rsvp.state,
                    rsvp.checked_in_at.isoformat() if rsvp.checked_in_at else "",
                    spreadsheet_safe(rsvp.email) if shared else "",
                    spreadsheet_safe(rsvp.phone) if shared else "",
                ]
            )
        return response

    @admin.action(description="Approve proposed events (open for sign-ups)", permissions=["change"])
    def approve(self, request, queryset):
        approved = sum(services.event_approve(event=event) for event in queryset)
        self.message_user(request, f"{approved} approved; the hosts are told.", messages.SUCCESS)

    @admin.action(description="Decline proposed events, with a reason", permissions=["change"])
    def decline(self, request, queryset):
        form = DeclineForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            declined = sum(
                services.event_decline(event=event, reason=form.cleaned_data["reason"])
                for event in queryset
            )
            self.message_user(
                request, f"{declined} declined; the hosts are told.", messages.SUCCESS
            )
            return None
        return TemplateResponse(
            request,
            "admin/events/event/decline.html",
            {**self.admin_site.each_context(request), "events": queryset, "form": form},
        )


@admin.register(RSVP)
class RSVPAdmin(admin.ModelAdmin):
    list_display = ["name", "shift", "state", "created_at", "checked_in_at"]
    list_filter = ["state", "shift__event"]
    list_select_related = ["shift__event"]
    search_fields = ["name", "email", "code"]
    readonly_fields = [f.name for f in RSVP._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
