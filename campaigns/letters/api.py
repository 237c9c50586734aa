"""Letters over REST: letter campaigns (public), writing a letter and confirming it by its
emailed token (public, throttled like every endpoint), and the signed-in writer's own
letters. Bad input is a 400 naming each field, in the error shape of core/api.py: the
service's ValidationError goes there as it is."""

from django.db.models import Count, Max
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.letters import serializers, services
from campaigns.letters.models import Letter, LetterCampaign
from campaigns.letters.selectors import letter_brief, public_letter_campaigns, writer_letters
from core.api import CursorPagination, Ordering
from core.conditional import Version, conditional
from core.http import client_ip
from core.idempotency import idempotent
from core.sync import SyncedList

CONFIRM_MESSAGE = "Thank you. Check your email and follow the link to confirm your letter."
SENT_MYSELF_MESSAGE = (
    "Thank you. Check your email and follow the link to confirm it was you: then your "
    "letter counts on the campaign."
)
HELD_MESSAGE = (
    "Your letter is very like another letter, so it waits for an organiser to read it. "
    "MPs answer letters in their constituents' own words: we've emailed you a link to make "
    "it yours."
)


def _letter_campaigns_version(view, request, slug=None) -> Version:
    rows = (
        LetterCampaign.objects.all() if slug is None else LetterCampaign.objects.filter(slug=slug)
    )
    seen = rows.aggregate(last=Max("updated_at"), count=Count("pk"))
    return Version(seen["last"], str(seen["count"]))


class LetterCampaignList(SyncedList, generics.ListAPIView):
    """Every letter campaign, open and closed. Conditional: ETag and Last-Modified, and
    304 Not Modified while nothing changed."""

    sync_resource = "letters.lettercampaign"
    permission_classes = [permissions.AllowAny]
    filter_backends = [DjangoFilterBackend, Ordering]
    ordering_fields = ["title", "created_at", "updated_at"]
    serializer_class = serializers.LetterCampaignOutput
    queryset = public_letter_campaigns()

    @conditional(_letter_campaigns_version)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LetterCampaignDetail(generics.RetrieveAPIView):
    """One letter campaign; conditional like the list."""

    permission_classes = [permissions.AllowAny]
    serializer_class = serializers.LetterCampaignOutput
    queryset = public_letter_campaigns()
    lookup_field = "slug"

    @conditional(_letter_campaigns_version)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LetterWrite(APIView):
    """Write a letter to your own MP (by your postcode). It waits for confirmation by the
    emailed link, or, if it is too like another letter, for an organiser. With
    sent_from_own_email, it records a letter the writer sent from their own email, counted
    once they confirm it by the emailed link."""

    permission_classes = [permissions.AllowAny]
    throttle_scope = "letters"

    @extend_schema(
        request=serializers.LetterInput,
        responses={202: serializers.LetterWritten},
        examples=[
            OpenApiExample(
                "Write to your MP",
                request_only=True,
                value={
                    "name": "Sam Jones",
                    "email": "sam@example.org",
                    "postcode": "SW1A 1AA",
                    "address": "1 High Street\nLondon",
                    "subject": "Please nominate the candidate",
                    "body": "I live in your constituency and I ask you to put the candidate "
                    "on the ballot, so that members can choose. Please tell me what you "
                    "decide.",
                    "sent_from_own_email": False,
                },
            ),
            OpenApiExample(
                "Written: confirm by email",
                response_only=True,
                status_codes=["202"],
                value={
                    "detail": CONFIRM_MESSAGE,
                    "letter": {
                        "id": 812,
                        "letter_campaign": "nominate-now",
                        "representative": {
                            "id": 4212,
                            "name": "Ms Jane Smith MP",
                            "constituency": "Cities of London and Westminster",
                        },
                        "kind": "pressure",
                        "subject": "Please nominate the candidate",
                        "state": "awaiting_confirmation",
                        "state_label": "Awaiting confirmation",
                        "sent_from_own_email": False,
                        "created_at": "2026-11-26T09:30:00Z",
                        "confirmed_at": None,
                        "sent_at": None,
                    },
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, slug):
        letter_campaign = get_object_or_404(public_letter_campaigns(), slug=slug)
        data = serializers.LetterInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        sent_myself = fields.pop("sent_from_own_email")
        service = services.letter_sent_by_writer if sent_myself else services.letter_write
        letter = service(letter_campaign=letter_campaign, ip=client_ip(request), **fields)
        if sent_myself:
            detail = SENT_MYSELF_MESSAGE
        elif letter.state == Letter.State.HELD_FOR_REVIEW:
            detail = HELD_MESSAGE
        else:
            detail = CONFIRM_MESSAGE
        body = {"detail": detail, "letter": letter}
        return Response(serializers.LetterWritten(body).data, status=status.HTTP_202_ACCEPTED)


class LetterConfirm(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=serializers.LetterConfirmInput, responses=serializers.LetterOutput)
    def post(self, request):
        data = serializers.LetterConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        letter = services.letter_confirm(token=data.validated_data["token"])
        letter = letter_brief(letter.pk)
        return Response(serializers.LetterOutput(letter).data)


class MyLetters(SyncedList, generics.ListAPIView):
    """The signed-in account's letters, newest first. Private."""

    sync_resource = "letters.letter"
    sync_owned = True
    serializer_class = serializers.LetterOutput
    pagination_class = CursorPagination
    ordering = ("-created_at", "-id")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Letter.objects.none()
        return writer_letters(self.request.user)
