import csv
import io
import json
from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html_join

from volunteers.mail import address_hash
from volunteers.models import (
    EmailSuppression,
    OrganiserAccess,
    PostcodeFallback,
    Skill,
    Supporter,
    Tag,
    Team,
    User,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteers.privacy import supporter_erase, supporter_export
from volunteers.selectors import consent_history, volunteer_rows
from volunteers.services import email_unsubscribe, organiser_access_record, supporter_link_user

ERASURE = (
    "{} is erased, not deleted: their name, email, postcode, phone and everything they "
    "wrote are removed from every record (signatures, letters, pledges, sign-ups, emails), "
    "and every count they added to stays."
)


EXPORT_MAX = 20  # people in one data download


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


def consent_history_html(supporter):
    """What the person agreed to, per purpose: each giving with its time and where, and
    when it was withdrawn (the words are on the record and in their export). Read only:
    the record is evidence."""
    history = consent_history(supporter)
    if not history:
        return "None given."
    return format_html_join(
        "",
        "<p><strong>{}</strong>: {}</p>",
        (
            (
                purpose,
                "; ".join(
                    f"given {record.given_at:%d %b %Y %H:%M} ({record.source})"
                    + (
                        f", withdrawn {record.withdrawn_at:%d %b %Y %H:%M}"
                        if record.withdrawn_at
                        else ""
                    )
                    for record in records
                ),
            )
            for purpose, records in history
        ),
    )


@admin.register(Supporter)
class SupporterAdmin(EraseInsteadOfDelete, admin.ModelAdmin):
    list_display = ["email", "name", "postcode", "constituency_code", "is_volunteer", "created_at"]
    list_filter = [("user", admin.EmptyFieldListFilter)]
    search_fields = ["email", "name", "postcode"]
    raw_id_fields = ["user"]
    readonly_fields = ["consent_history", "created_at", "updated_at", "last_active_at", "erased_at"]
    actions = ["unsubscribe", "export_data"]

    @admin.display(description="consent history")
    def consent_history(self, supporter):
        return consent_history_html(supporter)

    def person(self, supporter):
        return supporter

    @admin.action(description="Unsubscribe from all campaign email and reminders")
    def unsubscribe(self, request, queryset):
        unsubscribe_by_hand(self, request, queryset)

    @admin.action(
        description="Download everything held about them (for a request by email)",
        permissions=["view"],
    )
    def export_data(self, request, queryset):
        """A subject access request from someone without an account (they wrote in):
        everything held about each selected person, one JSON file. Logged."""
        people = list(queryset[:EXPORT_MAX])
        data = {str(person.pk): supporter_export(supporter=person) for person in people}
        organiser_access_record(
            organiser=request.user,
            action=OrganiserAccess.Action.EXPORTED,
            detail="data of supporters " + ", ".join(str(person.pk) for person in people),
        )
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="supporter-data.json"'
        return response

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


# The volunteer directory


class SkillFilter(admin.SimpleListFilter):
    title = "skill"
    parameter_name = "skill"

    def lookups(self, request, model_admin):
        return list(Skill.objects.values_list("slug", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        level = request.GET.get(LevelFilter.parameter_name)
        having = VolunteerSkill.objects.filter(volunteer=OuterRef("pk"), skill__slug=self.value())
        if level in {"1", "2", "3"}:
            having = having.filter(level__gte=int(level))
        return queryset.filter(Exists(having))


class LevelFilter(admin.SimpleListFilter):
    """At least this level in the skill chosen (applied by SkillFilter)."""

    title = "skill level (with a skill chosen)"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("2", "Confident or expert"), ("3", "Expert")]

    def queryset(self, request, queryset):
        return queryset


class LastActiveFilter(admin.SimpleListFilter):
    title = "last activity"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [
            ("7", "In the last 7 days"),
            ("30", "In the last 30 days"),
            ("90", "In the last 90 days"),
            ("not-90", "Not in the last 90 days"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        days = int(value.removeprefix("not-"))
        since = timezone.now() - timedelta(days=days)
        recent = Q(user__supporter__last_active_at__gte=since)
        return queryset.exclude(recent) if value.startswith("not-") else queryset.filter(recent)


class VolunteerSkillInline(admin.TabularInline):
    model = VolunteerSkill
    extra = 0
    autocomplete_fields = ["skill"]


@admin.register(VolunteerProfile)
class VolunteerAdmin(EraseInsteadOfDelete, admin.ModelAdmin):
    """The directory: organisers find volunteers by skill and level, place, availability
    and last activity, tag them and put them in teams, and export a filtered list as CSV.
    Every view of a volunteer's record and every export is written to the organiser
    access log."""

    list_display = [
        "name",
        "email",
        "constituency_name",
        "region",
        "skill_list",
        "availability",
        "last_active",
        "team_list",
    ]
    list_filter = [
        SkillFilter,
        LevelFilter,
        "region",
        "constituency_name",
        "weekday_daytime",
        "weekday_evenings",
        "weekends",
        LastActiveFilter,
        "tags",
        "teams",
    ]
    search_fields = ["user__name", "user__email", "postcode", "constituency_name"]
    search_help_text = "A name, email address, postcode or constituency."
    list_select_related = ["user", "user__supporter"]
    list_per_page = 100
    show_full_result_count = False
    raw_id_fields = ["user"]
    filter_horizontal = ["tags", "teams"]
    inlines = [VolunteerSkillInline]
    readonly_fields = ["consent_history", "last_active", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["user", "phone", "postcode", "constituency_code", "constituency_name"]}),
        ("Place", {"fields": ["region", "latitude", "longitude"], "classes": ["collapse"]}),
        (
            "Availability",
            {"fields": ["weekday_daytime", "weekday_evenings", "weekends", "hours_per_week"]},
        ),
        ("Organising", {"fields": ["tags", "teams", "heard_from"]}),
        ("Consent and activity", {"fields": ["consent_history", "last_active"]}),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["export_csv"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("skills", queryset=VolunteerSkill.objects.select_related("skill")), "teams"
            )
        )

    def person(self, profile):
        return supporter_link_user(user=profile.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200 and object_id.isdigit():
            organiser_access_record(
                organiser=request.user,
                action=OrganiserAccess.Action.VIEWED,
                volunteer_id=int(object_id),
            )
        return response

    @admin.action(description="Export the selected volunteers as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        filters = ", ".join(
            f"{key}={value}"
            for key, value in sorted(request.GET.items())
            if key not in {"q", "o", "p"}  # a search term may be a person's name or email
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        count = -1  # the header
        for row in volunteer_rows(queryset.prefetch_related("tags")):
            writer.writerow(row)
            count += 1
        organiser_access_record(
            organiser=request.user,
            action=OrganiserAccess.Action.EXPORTED,
            detail=f"{count} volunteers; filters: {filters or 'none'}"
            + ("; with a search" if request.GET.get("q") else ""),
        )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="volunteers.csv"'
        return response

    @admin.display(description="name", ordering="user__name")
    def name(self, profile):
        return profile.user.name

    @admin.display(description="email", ordering="user__email")
    def email(self, profile):
        return profile.user.email

    @admin.display(description="skills")
    def skill_list(self, profile):
        return ", ".join(str(entry) for entry in profile.skills.all())

    @admin.display(description="free")
    def availability(self, profile):
        free = [
            label
            for field, label in (
                ("weekday_daytime", "weekdays"),
                ("weekday_evenings", "evenings"),
                ("weekends", "weekends"),
            )
            if getattr(profile, field)
        ]
        return ", ".join(free)

    @admin.display(description="last active", ordering="user__supporter__last_active_at")
    def last_active(self, profile):
        supporter = getattr(profile.user, "supporter", None)
        return supporter.last_active_at if supporter is not None else None

    @admin.display(description="teams")
    def team_list(self, profile):
        return ", ".join(team.name for team in profile.teams.all())

    @admin.display(description="consent history")
    def consent_history(self, profile):
        supporter = getattr(profile.user, "supporter", None)
        if supporter is None:
            return "Not verified yet: nothing recorded."
        return consent_history_html(supporter)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead_names", "size"]
    search_fields = ["name"]
    autocomplete_fields = ["leads"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(size=Count("members", distinct=True))
            .prefetch_related("leads__user")
        )

    @admin.display(description="leads")
    def lead_names(self, team):
        return ", ".join(lead.user.name or f"volunteer {lead.pk}" for lead in team.leads.all())

    @admin.display(description="members", ordering="size")
    def size(self, team):
        return team.size


@admin.register(OrganiserAccess)
class OrganiserAccessAdmin(admin.ModelAdmin):
    """Who looked at or exported volunteers' data, and when: read only."""

    list_display = ["at", "organiser", "action", "volunteer_id", "detail"]
    list_filter = ["action"]
    list_select_related = ["organiser"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
