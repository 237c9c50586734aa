"""Organisers plan messages here: write, preview with a recipient from the audience, send a
test to themselves, schedule, cancel, and watch the send (recipients, sent, delivered,
bounced, complained, unsubscribed and skipped, failed)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from organiser import selectors, services
from organiser.models import OutboxEmail, ScheduledAction, ScheduledMessage
from organiser.rendering import FIELDS
from volunteers.admin import unsubscribe_by_hand
from volunteers.models import Supporter

FIELDS_HELP = format_html(
    "Fields: {}. Write them as {{{{ first_name }}}}; the HTML part is this text, escaped.",
    format_html_join(", ", "<code>{}</code> ({})", FIELDS.items()),
)


class ScheduledMessageForm(forms.ModelForm):
    class Meta:
        model = ScheduledMessage
        fields = [
            "name", "campaign", "audience", "storm", "event", "shift", "petition",
            "letter_campaign", "region", "constituency_code", "skill", "skill_level",
            "subject", "body", "send_at", "send_by",
        ]  # fmt: skip
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "cols": 90})}
        help_texts = {"body": FIELDS_HELP}

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            message = self.instance
            for name, value in cleaned.items():
                setattr(message, name, value)
            try:
                services.message_check(message)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, problems)
        return cleaned


@admin.register(ScheduledMessage)
class ScheduledMessageAdmin(admin.ModelAdmin):
    form = ScheduledMessageForm
    list_display = [
        "name", "audience", "send_at", "state", "recipients", "sent", "delivered",
        "bounced", "complained", "unsubscribed_skipped", "skipped", "failed",
    ]  # fmt: skip
    list_filter = ["state", "audience", "campaign"]
    search_fields = ["name", "subject"]
    date_hierarchy = "send_at"
    raw_id_fields = ["storm", "event", "shift", "petition", "letter_campaign"]
    readonly_fields = [
        "state",
        "version",
        "progress",
        "preview",
        "created_by",
        "fanned_out_at",
        "finished_at",
    ]
    actions = ["schedule", "cancel", "send_test"]
    fieldsets = [
        (None, {"fields": ["name", "campaign", "state", "version", "preview", "progress"]}),
        (
            "Audience",
            {
                "fields": [
                    "audience",
                    "storm",
                    "event",
                    "shift",
                    "petition",
                    "letter_campaign",
                    "region",
                    "constituency_code",
                    "skill",
                    "skill_level",
                ],
                "description": (
                    "Reminders (pledgers, RSVPs) go to everyone signed up; every other "
                    "audience only to those who opted in to campaign email (volunteers: or "
                    "to contact about volunteering), and to each "
                    "person at most ORGANISER_WEEKLY_CAP times a week."
                ),
            },
        ),
        ("Message", {"fields": ["subject", "body"]}),
        (
            "When",
            {
                "fields": ["send_at", "send_by", "fanned_out_at", "finished_at", "created_by"],
                "description": (
                    "UK time. Nothing is sent in quiet hours: a message with a 'send by' "
                    "time goes before them, others when they end."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return selectors.messages_with_progress(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        fixed = list(self.readonly_fields)
        if obj is not None and obj.state not in services.scheduling.EDITABLE:
            return fixed + list(self.form.Meta.fields)
        if obj is not None and obj.state == ScheduledMessage.State.SENDING:
            # Only the words may change while it is going out.
            return fixed + [
                f for f in self.form.Meta.fields if f not in ("subject", "body", "name")
            ]
        return fixed

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        try:
            services.message_save(
                message=obj, text_changed=bool({"subject", "body"} & set(form.changed_data))
            )
        except ValidationError as error:
            # Its state changed meanwhile (another organiser sent or cancelled it).
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def has_delete_permission(self, request, obj=None):
        # A message that went out stays, with its outbox, as the record of what was sent.
        return obj is None or obj.state in (
            ScheduledMessage.State.DRAFT,
            ScheduledMessage.State.CANCELLED,
        )

    @admin.display(description="progress")
    def progress(self, message):
        if message.pk is None:
            return "-"
        counts = selectors.message_progress(message)
        outbox = (
            reverse("admin:organiser_outboxemail_changelist") + f"?message__id__exact={message.pk}"
        )
        return format_html(
            '{} · <a href="{}">see each recipient</a>',
            ", ".join(f"{key.replace('_', ' ')}: {n}" for key, n in counts.items()),
            outbox,
        )

    @admin.display(description="preview")
    def preview(self, message):
        if message.pk is None:
            return "Save first, then preview it with someone from the audience."
        url = reverse("admin:organiser_scheduledmessage_preview", args=[message.pk])
        return format_html('<a href="{}">Preview with a recipient from the audience</a>', url)

    @admin.display(description="recipients", ordering="recipients")
    def recipients(self, message):
        return message.recipients

    @admin.display(description="sent")
    def sent(self, message):
        return message.sent

    @admin.display(description="delivered")
    def delivered(self, message):
        return message.delivered

    @admin.display(description="bounced")
    def bounced(self, message):
        return message.bounced

    @admin.display(description="complained")
    def complained(self, message):
        return message.complained

    @admin.display(description="unsubscribed, skipped")
    def unsubscribed_skipped(self, message):
        return message.unsubscribed_skipped

    @admin.display(description="skipped (all)")
    def skipped(self, message):
        return message.skipped

    @admin.display(description="failed")
    def failed(self, message):
        return message.failed

    @admin.action(description="Schedule (at their send time)")
    def schedule(self, request, queryset):
        self._each(request, queryset, lambda m: services.message_schedule(message=m), "scheduled")

    @admin.action(description="Cancel (nothing more is sent)")
    def cancel(self, request, queryset):
        self._each(request, queryset, lambda m: services.message_cancel(message=m), "cancelled")

    @admin.action(description="Send a test to me")
    def send_test(self, request, queryset):
        for message in queryset:
            outcome = services.message_send_test(message=message, user=request.user)
            self.message_user(
                request, f"{message}: test to {request.user.email}: {outcome}.", messages.INFO
            )

    def _each(self, request, queryset, act, done: str) -> None:
        for message in queryset:
            try:
                act(message)
            except ValidationError as error:
                self.message_user(request, f"{message}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{message}: {done}.", messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/",
                view(self.preview_view),
                name="organiser_scheduledmessage_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        message = get_object_or_404(ScheduledMessage, pk=pk)
        try:
            shown = services.message_preview(message=message)
        except ValidationError as error:
            shown = {"error": " ".join(error.messages)}
        return TemplateResponse(
            request,
            "admin/organiser/scheduledmessage/preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Preview: {message}",
                "message": message,
                "shown": shown,
                "now": timezone.now(),
            },
        )


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """Each recipient of a message and what became of their email. Read only: the sender
    writes these; organisers may unsubscribe people from here."""

    list_display = [
        "message",
        "supporter",
        "state",
        "skip_reason",
        "sent_at",
        "delivery",
        "attempts",
    ]
    list_filter = ["state", "skip_reason", "delivery"]
    list_select_related = ["message", "supporter"]
    search_fields = ["supporter__email"]
    raw_id_fields = ["message", "supporter"]
    actions = ["unsubscribe"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Unsubscribe these people from all campaign email")
    def unsubscribe(self, request, queryset):
        people = Supporter.objects.filter(pk__in=queryset.values("supporter_id"))
        unsubscribe_by_hand(self, request, people)


@admin.register(ScheduledAction)
class ScheduledActionAdmin(admin.ModelAdmin):
    """A week of actions planned ahead: publish or close a petition, letter campaign, storm
    or event at a set time. Beat runs each once, through the app's own service."""

    list_display = ["__str__", "action", "run_at", "state", "ran_at"]
    list_filter = ["state", "action"]
    date_hierarchy = "run_at"
    raw_id_fields = ["petition", "letter_campaign", "storm", "event"]
    fields = [
        "action",
        "petition",
        "letter_campaign",
        "storm",
        "event",
        "run_at",
        "state",
        "ran_at",
    ]
    readonly_fields = ["state", "ran_at"]
    actions = ["cancel"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != ScheduledAction.State.SCHEDULED:
            return self.fields
        return self.readonly_fields

    @admin.action(description="Cancel (it will not run)")
    def cancel(self, request, queryset):
        done = queryset.filter(state=ScheduledAction.State.SCHEDULED).update(
            state=ScheduledAction.State.CANCELLED
        )
        self.message_user(request, f"{done} cancelled.", messages.SUCCESS)
