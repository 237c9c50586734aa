"""Venue allowances: a street stall or hall signing many people on one connection."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from campaigns.petitions.models import VenueAllowance
from core.http import client_ip_hash


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
            self.instance.ip_hash = client_ip_hash(address)
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
