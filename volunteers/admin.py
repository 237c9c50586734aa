from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from volunteers.mail import address_hash
from volunteers.models import EmailSuppression, PostcodeFallback, Supporter, User
from volunteers.services import email_unsubscribe


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "postcode", "constituency_code", "is_volunteer", "created_at"]
    list_filter = [("user", admin.EmptyFieldListFilter)]
    search_fields = ["email", "name", "postcode"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at", "erased_at"]
    actions = ["unsubscribe"]

    @admin.action(description="Unsubscribe from all campaign email and reminders")
    def unsubscribe(self, request, queryset):
        """An organiser unsubscribes someone by hand (they asked by phone, or in person)."""
        done = sum(
            email_unsubscribe(email=email, source=f"admin:{request.user.pk}", by_organiser=True)
            for email in queryset.filter(erased_at__isnull=True).values_list("email", flat=True)
        )
        self.message_user(
            request, f"{done} unsubscribed (the others were already).", messages.SUCCESS
        )

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
