"""Actions over REST: a signed-in supporter reports an action they took outside the
platform (a call, a post, a surgery visit), and lists the actions they have taken;
organisers list everyone's. Field errors in the project's 400 shape."""

from datetime import UTC

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from campaigns.pressure import serializers, services
from campaigns.pressure.models import ActionKind, ActionRecord
from campaigns.pressure.selectors import actions_listed
from core.api import CursorPagination, IsOrganiser
from core.idempotency import idempotent
from core.schema import error_response


class Actions(generics.ListAPIView):
    """GET: your actions against targets, newest first (organisers: everyone's, with
    `all=1`), a page at a time by cursor. POST: report an action you took."""

    serializer_class = serializers.ActionOutput
    pagination_class = CursorPagination
    ordering = ("-occurred_at", "-id")  # unique; the index action_time_id
    filter_backends = []  # ActionsQuery checks the filters
    queryset = ActionRecord.objects.none()  # for the schema; requests use get_queryset
    required_permission = "pressure.view_actionrecord"  # for all=1 (IsOrganiser)
    throttle_scope = "actions"  # reporting, on top of the user rate (API_ACTIONS_RATE)

    def get_queryset(self):
        query = serializers.ActionsQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        self.everyone = query.validated_data["all"]
        if self.everyone and not IsOrganiser().has_permission(self.request, self):
            raise PermissionDenied("Only organisers may list everyone's actions.")
        user = None if self.everyone else self.request.user
        return actions_listed(user=user, **query.filters())

    def list(self, request, *args, **kwargs):
        # The page is built directly from its rows (dicts), as serializers.ActionOutput
        # describes them: at 100 rows a page, DRF's field machinery cost several times the
        # query (bench/api_lists.py).
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([action_body(row, self.everyone) for row in page])

    @extend_schema(
        parameters=[serializers.ActionsQuery],
        responses={
            200: serializers.ActionOutput(many=True),
            403: error_response("Only organisers may list everyone's actions."),
        },
        description="Your actions against targets (signatures, letters, storm posts, events "
        "attended, and the calls, posts and surgery visits you reported), newest first, "
        "filtered; organisers pass `all=1` for everyone's, each with a supporter id and "
        "nothing else about who acted. A page at a time: follow `next` (an opaque cursor); "
        "`page_size` up to 200. 400 naming a bad filter; 403 for `all=1` from anyone "
        "but an organiser.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=serializers.ActionReportInput,
        responses={201: serializers.ActionReportOutput, 200: serializers.ActionReportOutput},
        examples=[
            OpenApiExample("I called", request_only=True, value={"target": 301, "kind": "call"}),
            OpenApiExample(
                "I posted at them",
                request_only=True,
                value={
                    "target": 301,
                    "kind": "post",
                    "url": "https://bsky.app/profile/sam/post/3k",
                    "occurred_at": "2026-11-26T08:15:00Z",
                },
            ),
            OpenApiExample(
                "Recorded",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 77,
                    "kind": "call",
                    "kind_label": "Call",
                    "target": 301,
                    "target_name": "Ms Jane Smith MP",
                    "campaign": "nominations",
                    "url": "",
                    "occurred_at": "2026-11-26T09:00:00Z",
                    "created_at": "2026-11-26T09:00:02Z",
                },
            ),
        ],
        description="Report an action you took against a target of a published campaign: "
        "201 with it; 200 with the one you reported earlier if you reported the same kind "
        "against the same target within REPORTED_ACTION_MERGE_HOURS (24) of it, counted "
        "once. 400 naming each bad field (`target` for an unknown target or one of an "
        "unpublished campaign).",
    )
    @idempotent
    def post(self, request):
        data = serializers.ActionReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        reported, created = services.action_report(
            user=request.user,
            target_id=data.validated_data["target"],
            kind=data.validated_data["kind"],
            url=data.validated_data.get("url", ""),
            occurred_at=data.validated_data.get("occurred_at"),
        )
        return Response(
            serializers.ActionReportOutput(reported).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


KIND_LABELS = dict(ActionKind.choices)


def action_body(row: dict, everyone: bool) -> dict:
    """One row of actions_listed as serializers.ActionOutput gives it (times in UTC, "Z")."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
        "occurred_at": row["occurred_at"].astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "target": row["target_id"],
        "target_name": row["target_name"],
        "campaign": row["campaign"],
        "source": row["source"],
        "source_id": row["source_id"],
        "supporter": row["supporter_id"] if everyone else None,
    }
