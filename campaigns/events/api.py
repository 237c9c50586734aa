"""Events over REST: the public list (filters, and near a postcode with the distance), one
event (its address only where the caller may see it), signing up, confirming an email
sign-up by token, cancelling one's own sign-up, one's sign-ups, and check-in for hosts.
Field errors in the project's 400 shape."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.events import selectors, serializers, services
from campaigns.events.models import RSVP
from core.api import CursorPagination, Ordering
from core.idempotency import idempotent
from core.sync import SyncedList
from volunteers.places import PlaceError, place_for_postcode

EMAIL_SIGN_UP_MESSAGE = "Thank you. Check your email and follow the link to confirm your place."


def _visible_ids(request, events) -> set[int]:
    """Of these events, those whose attendees-only address the caller may see (one query)."""
    if not request.user.is_authenticated:
        return set()
    ids = [event.pk for event in events]
    return set(
        RSVP.objects.filter(shift__event_id__in=ids, supporter__user=request.user)
        .exclude(state__in=[RSVP.State.CANCELLED, RSVP.State.AWAITING_CONFIRMATION])
        .values_list("shift__event_id", flat=True)
    )


class EventList(SyncedList, generics.ListAPIView):
    """Approved events with a shift to come, soonest first; with `near` (a postcode), the
    nearest first with `distance_km`, and `within_km` to stop at a distance."""

    sync_resource = "events.event"
    permission_classes = [permissions.AllowAny]
    filter_backends = [DjangoFilterBackend, Ordering]
    ordering_fields = ["next_starts_at", "title", "updated_at"]
    serializer_class = serializers.EventOutput

    @extend_schema(parameters=[serializers.EventFilters])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.public_events()
        filters = serializers.EventFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        near = None
        if data.get("near"):
            try:
                place = place_for_postcode(data["near"])
            except PlaceError as error:
                raise ApiValidationError({"near": [error.message]}) from None
            if place.latitude is None:
                raise ApiValidationError(
                    {"near": ["We don't know where that postcode is on a map."]}
                )
            near = selectors.Near(place.latitude, place.longitude, data.get("within_km"))
        return selectors.public_events(
            kind=data.get("kind", ""),
            starts_from=data.get("from"),
            starts_to=data.get("to"),
            near=near,
            has_places=data.get("has_places", False),
            starts_after=data.get("starts_after"),
            starts_before=data.get("starts_before"),
        ).prefetch_related("shifts")

    def get_serializer(self, *args, **kwargs):
        if args:
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["visible_ids"] = _visible_ids(self.request, args[0])
        return super().get_serializer(*args, **kwargs)


def _event(pk):
    event = selectors.public_events().filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


class EventDetail(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=serializers.EventOutput)
    def get(self, request, pk):
        event = _event(pk)
        context = {"visible_ids": _visible_ids(request, [event])}
        return Response(serializers.EventOutput(event, context=context).data)


class EventSignUp(APIView):
    """Sign up for one of the event's shifts. Signed in: placed now (201; 200 if you had),
    or on its waiting list. Otherwise a name and email: 202 and a link to confirm."""

    permission_classes = [permissions.AllowAny]
    throttle_scope = "rsvps"

    @extend_schema(
        request=serializers.RSVPInput,
        responses={
            201: serializers.RSVPOutput,
            200: serializers.RSVPOutput,
            202: serializers.AcceptedOutput,
        },
        examples=[
            OpenApiExample("Signed in", request_only=True, value={"shift": 88}),
            OpenApiExample(
                "By email",
                request_only=True,
                value={
                    "shift": 88,
                    "name": "Sam Jones",
                    "email": "sam@example.org",
                    "phone": "",
                    "share_contact": False,
                    "source": "app",
                },
            ),
            OpenApiExample(
                "Signed up",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 5120,
                    "event": 41,
                    "shift": 88,
                    "state": "signed_up",
                    "state_label": "Signed up",
                    "code": "K7Q2PM",
                    "created_at": "2026-11-26T10:00:00Z",
                    "offer_expires_at": None,
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, pk):
        event = _event(pk)
        data = serializers.RSVPInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        shift = event.shifts.filter(pk=values["shift"]).first()
        if shift is None:
            raise ApiValidationError({"shift": ["Choose one of this event's shifts."]})
        user = request.user if request.user.is_authenticated else None
        rsvp, created = services.rsvp_create(
            shift=shift,
            name=values.get("name") or (user.name or user.email if user else ""),
            email="" if user else values.get("email", ""),
            phone=values.get("phone", ""),
            share_contact=values["share_contact"],
            user=user,
            source=values.get("source") or "api",
        )
        if user is None:
            return Response({"detail": EMAIL_SIGN_UP_MESSAGE}, status=status.HTTP_202_ACCEPTED)
        return Response(
            serializers.RSVPOutput(rsvp).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RSVPConfirm(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=serializers.TokenInput, responses=serializers.RSVPOutput)
    def post(self, request):
        data = serializers.TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        rsvp = services.rsvp_confirm(token=data.validated_data["token"])
        return Response(serializers.RSVPOutput(rsvp).data)


class MyRSVP(APIView):
    """Your own sign-up: DELETE cancels it (until the cutoff; a place you held is offered
    to the first waiting)."""

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        rsvp = get_object_or_404(
            RSVP.objects.select_related("shift"), pk=pk, supporter__user=request.user
        )
        services.rsvp_cancel(rsvp=rsvp)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyRSVPs(SyncedList, generics.ListAPIView):
    """The signed-in person's sign-ups, newest first. Private."""

    sync_resource = "events.rsvp"
    sync_owned = True
    serializer_class = serializers.RSVPOutput
    pagination_class = CursorPagination
    ordering = ("-created_at", "-id")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RSVP.objects.none()
        return (
            RSVP.objects.filter(supporter__user=self.request.user)
            .select_related("shift")
            .order_by("-created_at", "-pk")
        )


class EventCheckIn(APIView):
    """Check someone in by their code: the event's host or an organiser."""

    @extend_schema(request=serializers.CheckInInput, responses=serializers.CheckInOutput)
    def post(self, request, pk):
        from campaigns.events.models import Event

        event = get_object_or_404(Event.objects.select_related("host"), pk=pk)
        if not services.check_in_allowed(event=event, user=request.user):
            raise PermissionDenied("Only the event's host and organisers check people in.")
        data = serializers.CheckInInput(data=request.data)
        data.is_valid(raise_exception=True)
        rsvp = services.check_in_by_code(event=event, code=data.validated_data["code"])
        return Response(serializers.CheckInOutput(rsvp).data)
