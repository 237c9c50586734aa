"""Organisers schedule storms here: the storm (times in UK time), its targets with weights
(the campaign's own targets only) and its angles, each starter checked as the compose
button would send it (mention, starter, hashtag, link) against every network's limit,
with the counts shown. During a storm its room shows reports per minute, posts per target
and pledged against reported; pledges and reports export as CSV (who pledged is left out:
taking part is political opinion); afterwards a summary to share."""

import csv

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from campaigns.storms import fits, selectors
from campaigns.storms.models import URL_MAX, Angle, Pledge, Report, StormTarget, Twitterstorm
from core.cells import spreadsheet_safe


def _longest_mentions(storm: Twitterstorm) -> dict[str, str]:
    """Each network's longest mention among the storm's saved targets: a starter that fits
    with it fits with any of them."""
    longest: dict[str, str] = {}
    if storm.pk is None:
        return longest
    targets = StormTarget.objects.filter(storm=storm).select_related(
        "target__representative", "target__organisation"
    )
    for storm_target in targets:
        for network, mention in selectors.handles(storm_target.target).items():
            if len(mention) > len(longest.get(network, "")):
                longest[network] = mention
    return longest


def starter_fits(storm: Twitterstorm, starter: str) -> list[fits.Fit]:
    """The starter as a compose button sends it, counted on each of the storm's networks."""
    mentions = _longest_mentions(storm)
    return [
        fits.fit(
            fits.compose_text(
                post=starter,
                hashtag=storm.hashtag,
                mention=mentions.get(network, ""),
                link=storm.link,
            ),
            network,
        )
        for network in storm.networks or []
    ]


class AngleFormSet(forms.BaseInlineFormSet):
    """Each starter must fit every network the storm runs on, as it will be sent."""

    def clean(self):
        super().clean()
        storm = self.instance
        if not storm.hashtag or not isinstance(storm.networks, list):
            return  # the storm's own fields are wrong: their errors say so
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            for name in ("starter", "second_starter"):
                text = form.cleaned_data.get(name) or ""
                if not text.strip():
                    continue
                too_long = [f.message() for f in starter_fits(storm, text) if not f.fits]
                if too_long:
                    form.add_error(name, ValidationError(too_long))


class AngleInline(admin.StackedInline):
    model = Angle
    formset = AngleFormSet
    extra = 1
    fields = ["prompt", "starter", "second_starter", "counted"]
    readonly_fields = ["counted"]

    @admin.display(description="As sent")
    def counted(self, angle):
        if angle.pk is None:
            return "Counted when saved."
        return "; ".join(
            f.message() for starter in angle.starters for f in starter_fits(angle.storm, starter)
        )


class StormTargetInline(admin.TabularInline):
    model = StormTarget
    extra = 3
    fields = ["target", "weight"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target":
            from campaigns.targets.models import Target

            storm_id = request.resolver_match.kwargs.get("object_id")
            campaign_id = (
                Twitterstorm.objects.filter(pk=storm_id)
                .values_list("campaign_id", flat=True)
                .first()
                if storm_id
                else None
            )
            targets = Target.objects.select_related("representative", "organisation")
            kwargs["queryset"] = targets.filter(campaign_id=campaign_id) if campaign_id else targets
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StormForm(forms.ModelForm):
    networks = forms.MultipleChoiceField(
        choices=list(fits.NETWORKS.items()), widget=forms.CheckboxSelectMultiple
    )
    link = forms.URLField(
        required=False,
        max_length=URL_MAX,
        assume_scheme="https",
        help_text="A link every post carries (optional).",
    )

    class Meta:
        model = Twitterstorm
        fields = [
            "campaign",
            "title",
            "slug",
            "hashtag",
            "starts_at",
            "ends_at",
            "briefing",
            "networks",
            "link",
            "goal_statuses",
            "is_published",
        ]

    def clean(self):
        cleaned = super().clean()
        campaign = cleaned.get("campaign")
        moved = self.instance.pk and campaign and campaign.pk != self.instance.campaign_id
        if moved and self.instance.storm_targets.exists():
            self.add_error("campaign", "Remove its targets before moving it to another campaign.")
        return cleaned


@admin.register(Twitterstorm)
class TwitterstormAdmin(admin.ModelAdmin):
    form = StormForm
    list_display = ["title", "hashtag", "campaign", "starts_at", "ends_at", "is_published", "room"]
    list_filter = ["is_published", "campaign"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "slug", "hashtag"]
    inlines = [StormTargetInline, AngleInline]

    @admin.display(description="Room")
    def room(self, storm):
        return format_html(
            '<a href="{}">Room</a> · <a href="{}">Summary</a>',
            reverse("admin:storms_twitterstorm_room", args=[storm.pk]),
            reverse("admin:storms_twitterstorm_summary", args=[storm.pk]),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/room/", view(self.room_view), name="storms_twitterstorm_room"),
            path("<int:pk>/export.csv", view(self.export_csv), name="storms_twitterstorm_export"),
            path("<int:pk>/summary/", view(self.summary_view), name="storms_twitterstorm_summary"),
            *super().get_urls(),
        ]

    def _storm(self, request, pk) -> Twitterstorm:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Twitterstorm.objects.select_related("campaign"), pk=pk)

    def room_view(self, request, pk):
        """The storm as it happens: reports per minute, posts per target, pledged against
        reported. A fixed number of queries; the page refreshes itself every 30 s."""
        storm = self._storm(request, pk)
        return TemplateResponse(
            request,
            "admin/storms/twitterstorm/room.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Storm room: {storm.title}",
                "storm": storm,
                "counts": selectors.storm_counts(storm.pk),
                "per_minute": selectors.reports_per_minute(storm),
                "per_target": selectors.posts_per_target(storm),
                "phase": storm.phase(),
            },
        )

    def summary_view(self, request, pk):
        storm = self._storm(request, pk)
        return TemplateResponse(
            request,
            "admin/storms/twitterstorm/summary.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Summary: {storm.title}",
                "storm": storm,
                "summary": selectors.storm_summary(storm),
            },
        )

    def export_csv(self, request, pk):
        """Pledges and reports, a row each: when, how, which target; never who."""
        storm = self._storm(request, pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="storm-{storm.slug}.csv"'
        writer = csv.writer(response)
        writer.writerow(["kind", "id", "at", "state", "via", "network", "target", "post_url"])
        names = {
            st.pk: st.target.name
            for st in StormTarget.objects.filter(storm=storm).select_related(
                "target__representative", "target__organisation"
            )
        }
        pledges = Pledge.objects.filter(storm=storm).order_by("pk")
        for pledge in pledges.values("pk", "created_at", "state", "via", "storm_target_id"):
            writer.writerow(
                [
                    "pledge",
                    pledge["pk"],
                    pledge["created_at"].isoformat(),
                    pledge["state"],
                    pledge["via"],
                    "",
                    spreadsheet_safe(names.get(pledge["storm_target_id"], "")),
                    "",
                ]
            )
        reports = Report.objects.filter(storm=storm).order_by("pk")
        for report in reports.values("pk", "created_at", "network", "storm_target_id", "post_url"):
            writer.writerow(
                [
                    "report",
                    report["pk"],
                    report["created_at"].isoformat(),
                    "",
                    "",
                    report["network"],
                    spreadsheet_safe(names.get(report["storm_target_id"], "")),
                    spreadsheet_safe(report["post_url"]),
                ]
            )
        return response
