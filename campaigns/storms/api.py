"""Storms over REST: the published storms with their phase and counts (and, signed in,
the supporter's own hand-out), pledging, confirming an email pledge, checking a post
against each network, reporting, the counts alone (small and cacheable), and the
signed-in supporter's pledges. Field errors in the project's 400 shape."""

from django.http import Http404, JsonResponse
from django.utils.http import quote_etag
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.storms import serializers, services
from campaigns.storms.models import Phase, Pledge
from campaigns.storms.selectors import (
    published_storm,
    published_storms,
    storm_counts,
)
from core.api import Ordering
from core.idempotency import idempotent
from core.schema import error_response
from core.sync import SyncedList

EMAIL_PLEDGE_MESSAGE = "Thank you. Check your email and follow the link to confirm your pledge."


def _storm(pk):
    storm = published_storm(pk=pk)
    if storm is None:
        raise Http404
    return storm


def _own_pledge(request, storm) -> Pledge | None:
    if not request.user.is_authenticated:
        return None
    return (
        Pledge.objects.select_related("storm")
        .filter(storm=storm, supporter__user=request.user)
        .first()
    )


class StormList(SyncedList, generics.ListAPIView):
    """Published storms, the latest first."""

    sync_resource = "storms.twitterstorm"
    permission_classes = [permissions.AllowAny]
    filter_backends = [DjangoFilterBackend, Ordering]
    ordering_fields = ["starts_at", "title", "updated_at"]
    serializer_class = serializers.StormOutput
    queryset = published_storms().order_by("-starts_at", "-pk")


class StormDetail(APIView):
    """One storm: its phase, counts and angles; signed in with a pledge, your hand-out."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=serializers.StormDetailOutput)
    def get(self, request, pk):
        storm = _storm(pk)
        pledge = _own_pledge(request, storm)
        context = {
            "counts": storm_counts(storm.pk),
            "assignment": services.pledge_assignment(pledge=pledge) if pledge else None,
        }
        return Response(serializers.StormDetailOutput(storm, context=context).data)


class StormAssignment(APIView):
    """Your hand-out: signed in with a pledge, your own (the same each time); otherwise the
    next in rotation (each request is a new one). Only while the storm is on."""

    permission_classes = [permissions.AllowAny]
    # Not throttled, like the counts: it stores nothing and reads no table (one round trip
    # to the cache), and asking again only moves the rotation on, which stays even; it is
    # the request a storm's first minute is made of.
    throttle_classes = []
    renderer_classes = [JSONRenderer]  # an app's answer: no browsable page to negotiate

    @extend_schema(
        responses={
            200: serializers.AssignmentOutput,
            400: error_response("The storm is not on now."),
        }
    )
    def get(self, request, pk):
        pledge = None
        if request.user.is_authenticated:
            pledge = (
                Pledge.objects.select_related("storm")
                .filter(
                    storm_id=pk,
                    supporter__user=request.user,
                    storm__is_published=True,
                    storm__campaign__is_published=True,
                )
                .first()
            )
        if pledge is not None:
            storm, assignment = pledge.storm, services.pledge_assignment(pledge=pledge)
        else:  # the hot path: one round trip to the cache
            storm, _, assignment = services.hand_out_now(storm_pk=pk)
        if storm is None:
            raise Http404
        if storm.phase() != Phase.DURING:
            raise ApiValidationError({"non_field_errors": ["The storm is not on now."]})
        return Response(assignment_body(assignment), headers={"Cache-Control": "no-store"})


def anonymous_assignment(pk: int) -> JsonResponse | None:
    """The next hand-out for an app with nobody to recognise (no session, no token), as
    StormAssignment answers it, straight from the cache (one round trip); None when the
    storm is not published or not on, for the full answer with its error."""
    storm, _, assignment = services.hand_out_now(storm_pk=pk)
    if storm is None or storm.phase() != Phase.DURING:
        return None
    response = JsonResponse(assignment_body(assignment), headers={"Cache-Control": "no-store"})
    response["Content-Length"] = str(len(response.content))  # as CommonMiddleware would
    return response


def assignment_body(assignment) -> dict:
    """A hand-out as serializers.AssignmentOutput describes it, built directly: this is the
    hottest answer of a storm."""
    return {
        "angle": {"id": assignment.angle_id, "prompt": assignment.prompt}
        if assignment.angle_id is not None
        else None,
        "starter": assignment.starter,
        "target": {"id": assignment.storm_target_id, "name": assignment.target_name}
        if assignment.storm_target_id is not None
        else None,
        "mentions": assignment.mentions,
    }


class StormCounts(APIView):
    """Pledged and posted: small, cacheable for a few seconds, with an ETag."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        responses={
            200: serializers.CountsOutput,
            304: OpenApiResponse(description="Not modified: If-None-Match holds the current ETag."),
        }
    )
    def get(self, request, pk):
        _storm(pk)
        counts = storm_counts(pk)
        etag = quote_etag(f"{pk}-{counts.pledged}-{counts.reported}")
        headers = {"ETag": etag, "Cache-Control": "public, max-age=5"}
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(serializers.CountsOutput(counts).data, headers=headers)


class StormPledge(APIView):
    """Pledge. Signed in, your account pledges at once (201, or 200 if you had). Otherwise
    give an email address: 202 and a link to confirm, the same answer whether or not the
    address had pledged."""

    permission_classes = [permissions.AllowAny]
    throttle_scope = "pledges"

    @extend_schema(
        request=serializers.PledgeInput,
        responses={
            201: serializers.PledgeOutput,
            200: serializers.PledgeOutput,
            202: serializers.EmailPledgeOutput,
        },
        examples=[
            OpenApiExample("Signed in: pledge", request_only=True, value={}),
            OpenApiExample(
                "By email",
                request_only=True,
                value={"email": "sam@example.org", "name": "Sam"},
            ),
            OpenApiExample(
                "Pledged",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 3051,
                    "storm": 12,
                    "via": "account",
                    "state": "confirmed",
                    "created_at": "2026-11-26T18:55:00Z",
                    "confirmed_at": "2026-11-26T18:55:00Z",
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, pk):
        storm = _storm(pk)
        data = serializers.PledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        if request.user.is_authenticated:
            pledge, created = services.pledge_by_account(storm=storm, user=request.user)
            return Response(
                serializers.PledgeOutput(pledge).data,
                status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            )
        services.pledge_by_email(
            storm=storm,
            email=data.validated_data.get("email", ""),
            name=data.validated_data.get("name", ""),
        )
        return Response({"detail": EMAIL_PLEDGE_MESSAGE}, status=status.HTTP_202_ACCEPTED)


class PledgeConfirm(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=serializers.PledgeConfirmInput, responses=serializers.PledgeOutput)
    def post(self, request):
        data = serializers.PledgeConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        pledge = services.pledge_confirm(token=data.validated_data["token"])
        return Response(serializers.PledgeOutput(pledge).data)


class PostCheck(APIView):
    """How your post's whole text (mention, post, hashtag, link) counts on each of the
    storm's networks, and the compose links that open it: 400 naming the network and by
    how much when it does not fit. Nothing is stored or posted."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=serializers.PostCheckInput, responses=serializers.PostCheckOutput)
    def post(self, request, pk):
        storm = _storm(pk)
        data = serializers.PostCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        target_id = data.validated_data.get("target")
        pledge = _own_pledge(request, storm)
        if target_id is None and pledge is not None:
            assignment = services.pledge_assignment(pledge=pledge)
        else:
            assignment = services.assignment_for_target(storm=storm, storm_target_id=target_id)
            if target_id is not None and assignment.storm_target_id is None:
                raise ApiValidationError({"target": "That target is not in this storm."})
        checked = services.post_check(
            storm=storm,
            post=data.validated_data["post"],
            mentions=assignment.mentions,
            starter=assignment.starter,
        )
        body = {
            "texts": checked.texts,
            "fits": [
                {"network": f.network, "length": f.length, "limit": f.limit, "fits": f.fits}
                for f in checked.fits
            ],
            "intents": checked.intents,
            "is_starter": checked.is_starter,
        }
        return Response(serializers.PostCheckOutput(body).data)


class StormReport(APIView):
    """Say you posted (signed in, with a confirmed pledge): 201, or 200 if you had."""

    @extend_schema(
        request=serializers.ReportInput,
        responses={201: serializers.ReportOutput, 200: serializers.ReportOutput},
        examples=[
            OpenApiExample(
                "I posted",
                request_only=True,
                value={"network": "bluesky", "post_url": "https://bsky.app/profile/sam/post/3k"},
            ),
            OpenApiExample(
                "Reported",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 977,
                    "storm": 12,
                    "network": "bluesky",
                    "post_url": "https://bsky.app/profile/sam/post/3k",
                    "created_at": "2026-11-26T19:02:10Z",
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, pk):
        storm = _storm(pk)
        data = serializers.ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        pledge = _own_pledge(request, storm)
        if pledge is None or pledge.state != Pledge.State.CONFIRMED:
            raise ApiValidationError({"non_field_errors": ["Pledge to take part first."]})
        report, created = services.report_post(storm=storm, pledge=pledge, **data.validated_data)
        return Response(
            serializers.ReportOutput(report).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MyPledges(SyncedList, generics.ListAPIView):
    """The signed-in supporter's pledges, newest first. Private."""

    sync_resource = "storms.pledge"
    sync_owned = True
    serializer_class = serializers.MyPledgeOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Pledge.objects.none()
        return (
            Pledge.objects.filter(supporter__user=self.request.user)
            .select_related("storm")
            .order_by("-created_at", "-pk")
        )
