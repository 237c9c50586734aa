from django.contrib import admin

from campaigns.petitions.models import Petition, Signature


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "state", "goal", "opens_at", "closes_at"]
    list_filter = ["state", "campaign"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["targets"]


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "petition", "constituency_code", "state", "created_at"]
    list_filter = [
        "petition",
        "counted",
        "is_suspect",
        ("invalidated_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "email", "postcode", "ip_hash", "canonical_email"]
    list_select_related = ["petition"]
    readonly_fields = [f.name for f in Signature._meta.fields]

    def has_add_permission(self, request):
        return False
