"""Petitions over REST: read, sign, count, confirm. All public; bad input gets a 400 with
a message per field, in the error shape of core/api.py."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import http_date, quote_etag
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.petitions import serializers, services
from campaigns.petitions.models import Petition
from campaigns.petitions.selectors import (
    constituency_counts,
    petition_for_signing,
    petition_total,
    public_petitions,
)
from core.api import Ordering
from core.http import client_ip
from core.idempotency import idempotent
from core.sync import SyncedList

CONFIRM_MESSAGE = "Thank you. Check your email and follow the link to confirm your signature."
COUNTED_MESSAGE = "Thank you for signing."


class PetitionList(SyncedList, generics.ListAPIView):
    sync_resource = "petitions.petition"
    permission_classes = [permissions.AllowAny]
    filter_backends = [DjangoFilterBackend, Ordering]
    ordering_fields = ["title", "opens_at", "closes_at", "created_at", "updated_at"]
    serializer_class = serializers.PetitionOutput
    queryset = public_petitions()


class PetitionDetail(generics.RetrieveAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = serializers.PetitionDetailOutput
    queryset = public_petitions()
    lookup_field = "slug"

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "slug" in self.kwargs:
            context["constituencies"] = constituency_counts(self.get_object())
        return context


class PetitionSign(APIView):
    """Sign. The answer is the same whether or not this address had signed before."""

    permission_classes = [permissions.AllowAny]
    throttle_scope = "signing"

    @extend_schema(
        request=serializers.SignInput,
        responses={202: serializers.SignOutput},
        examples=[
            OpenApiExample(
                "Sign",
                request_only=True,
                value={
                    "name": "Sam Jones",
                    "email": "sam@example.org",
                    "postcode": "SW1A 1AA",
                    "campaign_email_opt_in": True,
                    "source": "app",
                    "ref": "",
                },
            ),
            OpenApiExample(
                "Signed: confirm by email",
                response_only=True,
                status_codes=["202"],
                value={
                    "detail": CONFIRM_MESSAGE,
                    "confirmation_required": True,
                    "constituency_code": "E14001172",
                    "share_url": "https://groundswell.example.org/petitions/let-members-choose/"
                    "?ref=k3J9x2",
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, slug):
        petition = petition_for_signing(slug)
        if petition is None:
            raise Http404
        data = serializers.SignInput(data=request.data)
        data.is_valid(raise_exception=True)
        signed = self.sign(petition, data.validated_data, client_ip(request))
        share_url = settings.SITE_URL.rstrip("/") + reverse("petitions:detail", args=[slug])
        body = {
            "detail": CONFIRM_MESSAGE if signed.confirmation_required else COUNTED_MESSAGE,
            "confirmation_required": signed.confirmation_required,
            "constituency_code": signed.constituency_code,
            "share_url": f"{share_url}?ref={signed.share_code}",
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)

    def sign(self, petition, values, ip) -> services.Signing:
        return services.petition_sign(
            petition=petition,
            name=values["name"],
            email=values["email"],
            postcode=values["postcode"],
            campaign_email_opt_in=values["campaign_email_opt_in"],
            source=values["source"],
            referred_by=values["ref"],
            ip=ip,
        )


class PetitionCountView(APIView):
    """The confirmed total: one small row, cacheable for a few seconds, with an ETag so a
    page polling it mostly gets 304 Not Modified."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        responses={
            200: serializers.CountOutput,
            304: OpenApiResponse(description="Not modified: If-None-Match holds the current ETag."),
        }
    )
    def get(self, request, slug):
        petition = get_object_or_404(
            Petition.objects.exclude(state=Petition.State.DRAFT).only("pk", "goal", "created_at"),
            slug=slug,
        )
        total, updated_at = petition_total(petition)
        etag = quote_etag(f"{petition.pk}-{total}-{updated_at.timestamp():.3f}")
        headers = {
            "ETag": etag,
            "Last-Modified": http_date(updated_at.timestamp()),
            "Cache-Control": "public, max-age=5",
        }
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        body = {"total": total, "goal": petition.goal, "updated_at": updated_at}
        return Response(serializers.CountOutput(body).data, headers=headers)


class SignatureConfirm(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=serializers.ConfirmInput, responses=serializers.ConfirmOutput)
    def post(self, request):
        data = serializers.ConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        signature = services.signature_confirm(token=data.validated_data["token"])
        return Response({"petition": signature.petition.slug, "confirmed": True})
