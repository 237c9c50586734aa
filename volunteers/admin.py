from django.contrib import admin, messages
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.contenttypes.models import ContentType

from volunteers.mail import address_hash
from volunteers.models import EmailSuppression, PostcodeFallback, Supporter, User
from volunteers.privacy import supporter_erase
from volunteers.services import email_unsubscribe, supporter_link_user

ERASURE = (
    "{} is erased, not deleted: their name, email, postcode, phone and everything they "
    "wrote are removed from every record (signatures, letters, pledges, sign-ups, emails), "
    "and every count they added to stays."
)


class EraseInsteadOfDelete:
    """Deleting a person in the admin erases them through the privacy registry (the same
    erasure as their own "delete me"), never a plain cascade that would leave their
    details on their signatures and letters; the log names no one. The admin using it
    says whose record an object is with `person(obj) -> Supporter`."""

    def delete_model(self, request, obj):
        supporter_erase(supporter=self.person(obj))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            supporter_erase(supporter=self.person(obj))

    def get_deleted_objects(self, objs, request):
        erased = [ERASURE.format(f"{self.model._meta.verbose_name} {obj.pk}") for obj in objs]
        return erased, {self.model._meta.verbose_name_plural: len(erased)}, set(), []

    def log_deletions(self, request, queryset):
        content_type = ContentType.objects.get_for_model(self.model)
        LogEntry.objects.bulk_create(
            LogEntry(
                user_id=request.user.pk,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=f"{self.model._meta.verbose_name} {obj.pk} (erased)",
                action_flag=DELETION,
                change_message="Erased: personal data removed everywhere, counts kept.",
            )
            for obj in queryset
        )


def unsubscribe_by_hand(modeladmin, request, supporters) -> None:
    """An organiser unsubscribes people by hand (they asked by phone, or in person), from
    the supporters' list or any other list of people."""
    emails = supporters.filter(erased_at__isnull=True).values_list("email", flat=True)
    done = sum(
        email_unsubscribe(email=email, source=f"admin:{request.user.pk}", by_organiser=True)
        for email in set(emails)
    )
    modeladmin.message_user(
        request, f"{done} unsubscribed (the others were already).", messages.SUCCESS
    )


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(EraseInsteadOfDelete, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal", {"fields": ["name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]

    def person(self, user):
        return Supporter.objects.filter(user=user).first() or supporter_link_user(user=user)


@admin.register(Supporter)
class SupporterAdmin(EraseInsteadOfDelete, admin.ModelAdmin):
    list_display = ["email", "name", "postcode", "constituency_code", "is_volunteer", "created_at"]
    list_filter = [("user", admin.EmptyFieldListFilter)]
    search_fields = ["email", "name", "postcode"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at", "erased_at"]
    actions = ["unsubscribe"]

    def person(self, supporter):
        return supporter

    @admin.action(description="Unsubscribe from all campaign email and reminders")
    def unsubscribe(self, request, queryset):
        unsubscribe_by_hand(self, request, queryset)

    @admin.display(boolean=True, description="volunteer")
    def is_volunteer(self, supporter):
        return supporter.is_volunteer


@admin.register(PostcodeFallback)
class PostcodeFallbackAdmin(admin.ModelAdmin):
    list_display = ["code", "constituency_name", "constituency_code", "region"]
    search_fields = ["code", "constituency_name", "constituency_code"]
    list_filter = ["region"]


@admin.register(EmailSuppression)
class EmailSuppressionAdmin(admin.ModelAdmin):
    """The addresses no email goes to. They are stored only as hashes, so searching takes a
    whole address (hashed the same way); deleting an entry lets mail go to it again."""

    list_display = ["created_at", "reason", "smtp_code", "smtp_reply", "source"]
    list_filter = ["reason", "smtp_code"]
    search_fields = ["address_hash"]
    search_help_text = "A whole email address."
    fields = ["address_hash", "reason", "smtp_code", "smtp_reply", "source", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(address_hash=address_hash(search_term)), False
