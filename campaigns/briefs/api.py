from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.briefs import selectors, services
from campaigns.briefs.models import Brief, Submission
from campaigns.briefs.serializers import BriefOutput, SubmissionOutput, SubmitInput
from core.api import Ordering
from core.idempotency import idempotent
from core.sync import SyncedList
from volunteers.models import Skill, VolunteerSkill


class BriefList(SyncedList, generics.ListAPIView):
    """Open briefs asking for a skill the signed-in volunteer has, due soonest first."""

    sync_resource = "briefs.brief"
    serializer_class = BriefOutput
    queryset = Brief.objects.none()  # for the schema; requests use get_queryset
    filter_backends = [Ordering]
    ordering_fields = ["due_at", "title", "updated_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        skills = VolunteerSkill.objects.filter(volunteer__user=self.request.user).values("skill_id")
        return selectors.open_briefs(skill_ids=skills).prefetch_related(
            Prefetch("skills", queryset=Skill.objects.only("pk", "slug"))
        )


class BriefClaim(APIView):
    """Take one of the brief's places (201), or get the claim you have (200). 400 with a
    message when it is closed, full, or wants a skill your profile lacks."""

    @extend_schema(
        request=None,
        responses={200: SubmissionOutput, 201: SubmissionOutput},
        examples=[
            OpenApiExample(
                "Claimed",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 640,
                    "brief": 31,
                    "brief_title": "A poster for the rally",
                    "state": "claimed",
                    "has_image": False,
                    "image_alt": "",
                    "video_url": "",
                    "text": "",
                    "note": "",
                    "claimed_at": "2026-11-26T11:20:00Z",
                    "submitted_at": None,
                },
            )
        ],
    )
    @idempotent
    def post(self, request, pk):
        brief = Brief.objects.filter(pk=pk, campaign__is_published=True).first()
        if brief is None:
            raise NotFound()
        had = (
            brief.submissions.filter(supporter__user=request.user)
            .exclude(state=Submission.State.WITHDRAWN)
            .exists()
        )
        submission = services.brief_claim(brief=brief, user=request.user)
        return Response(
            SubmissionOutput(submission).data,
            status=status.HTTP_200_OK if had else status.HTTP_201_CREATED,
        )


class SubmissionSubmit(APIView):
    """Submit your work for a brief you claimed: multipart with `image` and `image_alt`,
    or `video_url`, or `text`, as the brief asks. 400 naming the field otherwise (an
    image that is not one, too big, or the wrong size is refused and nothing stored)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=SubmitInput, responses=SubmissionOutput)
    def post(self, request, pk):
        submission = (
            Submission.objects.filter(pk=pk, supporter__user=request.user)
            .select_related("brief", "supporter")
            .first()
        )
        if submission is None:
            raise NotFound()
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        submission = services.submission_submit(
            submission=submission, user=request.user, **data.validated_data
        )
        return Response(SubmissionOutput(submission).data)


class MyBriefs(SyncedList, generics.ListAPIView):
    """The signed-in person's claims and submissions, newest first."""

    sync_resource = "briefs.submission"
    sync_owned = True
    serializer_class = SubmissionOutput
    queryset = Submission.objects.none()
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Submission.objects.filter(supporter__user=self.request.user).select_related("brief")
