from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from campaigns.briefs import services
from campaigns.briefs.models import Brief, Submission


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "kind", "due_at", "places", "taken", "waiting", "state"]
    list_filter = ["state", "kind", "campaign"]
    search_fields = ["title"]
    filter_horizontal = ["skills"]
    raw_id_fields = ["storm"]
    readonly_fields = ["created_by", "created_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("campaign")
            .annotate(
                taken=Count("submissions", filter=Q(submissions__state__in=Submission.HOLDING)),
                waiting=Count("submissions", filter=Q(submissions__state="submitted")),
            )
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="places taken", ordering="taken")
    def taken(self, brief):
        return brief.taken

    @admin.display(description="to review", ordering="waiting")
    def waiting(self, brief):
        return brief.waiting


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Organisers review work: open a submission, look at it, and approve it (it becomes
    share material) or write a note and return it."""

    change_form_template = "admin/briefs/submission/change_form.html"
    list_display = ["brief", "state", "submitted_at", "reviewed_at"]
    list_filter = ["state", "brief__campaign"]
    list_select_related = ["brief"]
    fields = [
        "brief", "state", "preview", "image_alt", "video_url", "text", "note",
        "claimed_at", "submitted_at", "reviewed_at", "reviewed_by",
    ]  # fmt: skip
    readonly_fields = [f for f in fields if f != "note"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="image")
    def preview(self, submission):
        if not submission.image:
            return "-"
        return format_html(
            '<img src="{}" alt="{}" style="max-width: 480px">',
            reverse("briefs:image", args=[submission.pk]),
            submission.image_alt,
        )

    def response_change(self, request, obj):
        for button, review in (("_approve", "approve"), ("_return", "return")):
            if button in request.POST:
                try:
                    if review == "approve":
                        services.submission_approve(submission=obj, organiser=request.user)
                    else:
                        services.submission_return(
                            submission=obj, organiser=request.user, note=obj.note
                        )
                except ValidationError as refusal:
                    self.message_user(request, " ".join(refusal.messages), messages.ERROR)
                else:
                    self.message_user(request, f"{obj.brief}: {review}ed.", messages.SUCCESS)
                return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)
