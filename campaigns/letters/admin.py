"""Organisers' admin for letters. Letters are read-only here and listed without their
bodies or addresses; a letter's own page shows them only to organisers with the
BODY_PERMISSION, and nothing exports them: the CSV is counts per MP.

The review queue is the list filtered to letters held for review (a link in the list),
showing the similar letter and how similar; its actions release a letter (to its writer
for confirmation) or reject it with a reason, through services. Counts per state and per
MP, their CSV, and the bounce report (MPs whose address bounced letters) are pages of
their own under the letters list.
"""

import csv

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from campaigns.letters import selectors, services
from campaigns.letters.models import Letter, LetterCampaign
from core.cells import spreadsheet_safe

# Who may read letters' bodies and writers' addresses. Superusers have it; for others it
# needs a custom permission in Letter.Meta (until then, only superusers read them).
BODY_PERMISSION = "letters.view_letter_body"
# Where a letter goes when we hold no office address for its MP.
PARLIAMENT_ADDRESS = "House of Commons\nLondon\nSW1A 0AA"
PRIVATE_FIELDS = {"body", "writer_address"}
REVIEW_PERMISSION = "letters.change_letter"
REVIEW_QUERY = f"state__exact={Letter.State.HELD_FOR_REVIEW}"


@admin.register(LetterCampaign)
class LetterCampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "campaign", "state", "created_at"]
    list_filter = ["state"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "slug"]


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Emailed to each writer: say what would make it their own letter.",
    )


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "letter_campaign",
        "representative",
        "kind",
        "state",
        "similar_letter",
        "similarity_percent",
        "created_at",
    ]
    list_filter = ["state", "kind", "letter_campaign", "needs_printing", "sent_by_writer"]
    list_select_related = ["letter_campaign", "representative"]
    exclude = ["signature"]
    actions = ["release", "reject", "print_letters", "mark_posted", "send_again"]
    change_list_template = "admin/letters/letter/change_list.html"

    @admin.display(description="Similar to", ordering="similar_to")
    def similar_letter(self, letter):
        if letter.similar_to_id is None:
            return "-"
        url = reverse("admin:letters_letter_change", args=[letter.similar_to_id])
        return format_html('<a href="{}">{}</a>', url, letter.similar_to_id)

    @admin.display(description="Similarity", ordering="similarity")
    def similarity_percent(self, letter):
        return f"{letter.similarity:.0%}" if letter.similar_to_id else "-"

    def get_fields(self, request, obj=None):
        fields = [f.name for f in Letter._meta.fields if f.name not in ("signature", "id")]
        if not request.user.has_perm(BODY_PERMISSION):
            fields = [name for name in fields if name not in PRIVATE_FIELDS]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    @admin.action(description="Release held letters (the writer confirms)", permissions=["review"])
    def release(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        released = sum(services.letter_release(letter_id=pk) for pk in ids)
        self.message_user(
            request,
            f"{released} letter{'s' if released != 1 else ''} released to their writers for "
            f"confirmation; {len(ids) - released} not held, left as they were.",
            messages.SUCCESS,
        )

    def has_body_permission(self, request):
        return request.user.has_perm(BODY_PERMISSION)

    @admin.action(
        description="Print letters for MPs without email (one a page)", permissions=["body"]
    )
    def print_letters(self, request, queryset):
        """The selected letters waiting to be posted, each on a page of its own with the MP's
        office address (Parliament's, when we have none) and the text as the MP reads it."""
        letters = list(
            queryset.filter(state=Letter.State.QUEUED, needs_printing=True).select_related(
                "representative"
            )
        )
        pages = [
            {
                "letter": letter,
                "to": letter.representative.postal_address or PARLIAMENT_ADDRESS,
                "text": services.letter_text(letter, by_post=True),
            }
            for letter in letters
        ]
        return TemplateResponse(
            request,
            "admin/letters/letter/print.html",
            {**self.admin_site.each_context(request), "pages": pages, "today": timezone.now()},
        )

    @admin.action(description="Mark printed letters as posted", permissions=["review"])
    def mark_posted(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        posted = sum(services.letter_posted(letter_id=pk) for pk in ids)
        self.message_user(
            request,
            f"{posted} letter{'s' if posted != 1 else ''} marked as posted; "
            f"{len(ids) - posted} not waiting to be printed, left as they were.",
            messages.SUCCESS,
        )

    @admin.action(
        description="Send again letters stuck sending (check first that they did not arrive)",
        permissions=["review"],
    )
    def send_again(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        again = sum(services.letter_send_again(letter_id=pk) for pk in ids)
        minutes = settings.LETTER_SENDING_STUCK_AFTER // 60
        self.message_user(
            request,
            f"{again} letter{'s' if again != 1 else ''} queued to send again; "
            f"{len(ids) - again} not stuck sending for {minutes} minutes or more, left as "
            "they were.",
            messages.SUCCESS,
        )

    @admin.action(description="Reject held letters, with a reason", permissions=["review"])
    def reject(self, request, queryset):
        """Ask for the reason, then reject each held letter through the service."""
        letters = list(queryset.select_related("representative"))
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                rejected = sum(
                    services.letter_reject(letter_id=letter.pk, reason=form.cleaned_data["reason"])
                    for letter in letters
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            self.message_user(
                request,
                f"{rejected} letter{'s' if rejected != 1 else ''} rejected and their writers "
                f"told why; {len(letters) - rejected} not held, left as they were.",
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/letters/letter/reject.html",
            {**self.admin_site.each_context(request), "letters": letters, "form": form},
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("counts/", view(self.counts_view), name="letters_letter_counts"),
            path("counts.csv", view(self.counts_csv), name="letters_letter_counts_csv"),
            path("bounces/", view(self.bounces_view), name="letters_letter_bounces"),
            *super().get_urls(),
        ]

    def _check_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied

    def counts_view(self, request):
        """Letters per state, and per MP and letter campaign with each state. Two queries."""
        self._check_view(request)
        states = selectors.counts_per_state()
        labels = dict(Letter.State.choices)
        rows = [
            {**row, "states": [row[state] for state in Letter.State.values]}
            for row in selectors.counts_per_mp()
        ]
        return TemplateResponse(
            request,
            "admin/letters/letter/counts.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Letters per MP and per state",
                "states": [(labels[state], n) for state, n in states.items()],
                "state_labels": [labels[state] for state in Letter.State.values],
                "rows": rows,
            },
        )

    def counts_csv(self, request):
        """The counts per MP as CSV: numbers and names, never a letter's text."""
        self._check_view(request)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="letter-counts.csv"'
        writer = csv.writer(response)
        header = ["letter_campaign", "representative_id", "mp", "constituency", "total"]
        writer.writerow([*header, *Letter.State.values])
        for row in selectors.counts_per_mp():
            writer.writerow(
                [
                    row["letter_campaign__slug"],
                    row["representative_id"],
                    spreadsheet_safe(row["representative__name"]),
                    spreadsheet_safe(row["representative__constituency__name"] or ""),
                    row["total"],
                    *(row[state] for state in Letter.State.values),
                ]
            )
        return response

    def bounces_view(self, request):
        """MPs whose address bounced letters: check the address we hold for them."""
        self._check_view(request)
        return TemplateResponse(
            request,
            "admin/letters/letter/bounces.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Bounced letters per MP",
                "rows": selectors.bounce_report(),
            },
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "review_query": REVIEW_QUERY}
        return super().changelist_view(request, extra_context)
