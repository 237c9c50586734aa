"""REST endpoints for campaigns, their targets and tallies, representatives and
constituencies. Anyone may read; only organisers may change a target's status."""

from django.db.models import Count, Max
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.targets import serializers
from campaigns.targets.figures import target_figures
from campaigns.targets.filters import TargetFilter
from campaigns.targets.models import Campaign, Constituency, Representative, Target
from campaigns.targets.selectors import (
    campaign_tallies,
    campaign_targets,
    nearest_marginals,
    point_for_postcode,
    representative_for_postcode,
)
from campaigns.targets.services import target_status_set
from core.api import IsOrganiser, Ordering
from core.conditional import Version, conditional
from core.schema import error_response
from core.sync import SyncedList
from volunteers.places import LookupUnavailable, PlaceError


class PostcodeLookupUnavailable(APIException):
    status_code = 503
    default_code = "lookup_unavailable"


class IsOrganiserOrReadOnly(permissions.BasePermission):
    """Reading is public; writing is for organisers: core.api.IsOrganiser, a staff account
    holding the view's `required_permission`."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return IsOrganiser().has_permission(request, view)


def _campaigns_version(view, request, **kwargs) -> Version:
    """The published campaigns' last change (a target's status touches its campaign, so
    this covers the tallies) and how many there are (one leaving changes it too)."""
    seen = Campaign.objects.filter(is_published=True).aggregate(
        last=Max("updated_at"), count=Count("pk")
    )
    return Version(seen["last"], str(seen["count"]))


def _campaign_version(view, request, slug) -> Version:
    last = (
        Campaign.objects.filter(is_published=True, slug=slug)
        .values_list("updated_at", flat=True)
        .first()
    )
    return Version(last, "found" if last else "missing")


class CampaignList(SyncedList, generics.ListAPIView):
    """Published campaigns with their tallies. Conditional: ETag and Last-Modified, and
    304 Not Modified to If-None-Match or If-Modified-Since while nothing changed."""

    sync_resource = "targets.campaign"
    permission_classes = [permissions.AllowAny]
    filter_backends = [DjangoFilterBackend, Ordering]
    ordering_fields = ["title", "starts_on", "created_at", "updated_at"]
    serializer_class = serializers.CampaignOutput
    queryset = Campaign.objects.filter(is_published=True)

    @conditional(_campaigns_version)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["tallies"] = getattr(self, "_tallies", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._tallies = campaign_tallies(page if page is not None else list(queryset))
        return page


class CampaignDetail(generics.RetrieveAPIView):
    """One campaign and its tally; conditional like the list."""

    permission_classes = [permissions.AllowAny]
    serializer_class = serializers.CampaignOutput
    queryset = Campaign.objects.filter(is_published=True)
    lookup_field = "slug"

    @conditional(_campaign_version)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "slug" in self.kwargs:
            context["tallies"] = campaign_tallies([self.get_object()])
        return context


class CampaignTargetList(SyncedList, generics.ListAPIView):
    sync_resource = "targets.target"
    permission_classes = [permissions.AllowAny]
    serializer_class = serializers.TargetOutput
    filterset_class = TargetFilter
    queryset = Target.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        self.campaign = get_object_or_404(Campaign, slug=self.kwargs["slug"], is_published=True)
        return campaign_targets(self.campaign)

    def sync_scope(self):
        return Target.objects.filter(campaign=self.campaign)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["figures"] = getattr(self, "_figures", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        targets = page if page is not None else list(queryset)
        self._figures = target_figures(self.campaign, [target.pk for target in targets])
        return page


class CampaignTargetDetail(generics.RetrieveAPIView):
    """A target; organisers PATCH its status, which is recorded in its history."""

    permission_classes = [IsOrganiserOrReadOnly]
    required_permission = "targets.change_target"  # to PATCH the status
    serializer_class = serializers.TargetOutput
    queryset = Target.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return campaign_targets(
            get_object_or_404(Campaign, slug=self.kwargs["slug"], is_published=True)
        )

    def output(self, target) -> dict:
        figures = target_figures(target.campaign, [target.pk])
        return serializers.TargetOutput(target, context={"figures": figures}).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self.output(self.get_object()))

    @extend_schema(request=serializers.TargetStatusInput, responses=serializers.TargetOutput)
    def patch(self, request, *args, **kwargs):
        target = self.get_object()
        data = serializers.TargetStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        target_status_set(target=target, changed_by=request.user, **data.validated_data)
        return Response(self.output(target))


class RepresentativeList(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = serializers.RepresentativeOutput

    def get_queryset(self):
        queryset = Representative.objects.select_related("party", "constituency").order_by(
            "name", "pk"
        )
        params = self.request.query_params
        if params.get("postcode"):
            try:
                representative = representative_for_postcode(params["postcode"])
            except LookupUnavailable as error:
                raise PostcodeLookupUnavailable(error.message) from error
            except PlaceError as error:
                raise ValidationError({"postcode": [error.message]}) from error
            return queryset.filter(pk=representative.pk if representative else None)
        if params.get("current", "true").lower() != "all":
            queryset = queryset.filter(is_current=True)
        if params.get("search"):
            if "\x00" in params["search"]:  # PostgreSQL would refuse the query: a 500
                raise ValidationError({"search": ["Null characters are not allowed."]})
            queryset = queryset.filter(name__icontains=params["search"].strip())
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("search", OpenApiTypes.STR, description="Part of a name."),
            OpenApiParameter("postcode", OpenApiTypes.STR, description="That postcode's MP."),
            OpenApiParameter("current", OpenApiTypes.STR, description="'all' to include past."),
        ],
        responses={
            200: serializers.RepresentativeOutput(many=True),
            503: error_response(LookupUnavailable.message),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ConstituencyList(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = serializers.ConstituencyOutput
    queryset = Constituency.objects.order_by("name")
    filterset_fields = ["nation", "region", "ons_code"]


class MarginalList(APIView):
    """The nearest marginal seats to a postcode: seats whose latest majority is under
    `max_share` of the vote, nearest first (great-circle distance between the postcode
    and each seat's centre), with their MP and the campaign's events there. A postcode
    that is not one, or not known, is a 400 naming `postcode`, with the same messages as
    everywhere else."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[serializers.MarginalsQuery],
        responses={
            200: serializers.MarginalSeatOutput(many=True),
            503: error_response(LookupUnavailable.message),
        },
    )
    def get(self, request):
        query = serializers.MarginalsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            latitude, longitude = point_for_postcode(query.validated_data["postcode"])
        except LookupUnavailable as error:
            raise PostcodeLookupUnavailable(error.message) from error
        except PlaceError as error:
            raise ValidationError({"postcode": [error.message]}) from error
        seats = nearest_marginals(
            latitude=latitude,
            longitude=longitude,
            max_share=float(query.validated_data["max_share"]),
        )
        return Response(serializers.MarginalSeatOutput(seats, many=True).data)
