from django.contrib.auth import logout
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CursorPagination, IsOrganiser
from volunteers import activity, selectors, services
from volunteers.models import OrganiserAccess, User, VolunteerProfile
from volunteers.serializers import (
    DirectoryQuery,
    DoneActionOutput,
    EraseInputSerializer,
    MeOutputSerializer,
    MeUpdateSerializer,
    NextActionOutput,
    VolunteerOutput,
)


def _me(user) -> User:
    """The account with its profile, skills and supporter record, for MeOutputSerializer."""
    return (
        User.objects.select_related("volunteer", "supporter")
        .prefetch_related("volunteer__skills__skill")
        .get(pk=user.pk)
    )


class MeView(APIView):
    """The signed-in account. Private: needs a session or an X-Session-Token."""

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        return Response(MeOutputSerializer(_me(request.user)).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeOutputSerializer)
    def patch(self, request):
        """Change the profile, skills, availability or consents: only what is given. An
        account without a profile needs a postcode first. 400 with a field message for
        anything not valid, and nothing changes then."""
        data = MeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.volunteer_profile_update(user=request.user, details=data.details())
        return Response(MeOutputSerializer(_me(request.user)).data)

    @extend_schema(request=EraseInputSerializer, responses={204: None})
    def delete(self, request):
        """Delete me: the account's password again, then every record of the person is
        erased (counts kept) and they are never emailed again. 400 with a field message for
        a wrong password."""
        data = EraseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.account_erase(user=request.user, password=data.validated_data["password"])
        if hasattr(request, "session"):
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyExport(APIView):
    """Download my data: everything held about the signed-in person, from every part of
    the platform, as one JSON document."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        response = Response(services.account_export(user=request.user))
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response


class MyActions(generics.ListAPIView):
    """What the signed-in person has done (signatures, letters, pledges, event sign-ups),
    newest first, in pages."""

    serializer_class = DoneActionOutput
    filter_backends = []  # a list, not a queryset: nothing to filter

    def get_queryset(self):
        return activity.history(services.supporter_link_user(user=self.request.user))


class MyNextActions(APIView):
    """The next useful actions for the signed-in person, best first: a letter to their own
    MP while undecided, storms of the coming week, events near them with places, open
    petitions; never one they have already taken."""

    @extend_schema(responses=NextActionOutput(many=True))
    def get(self, request):
        supporter = services.supporter_link_user(user=request.user)
        found = activity.next_actions(activity.Person.of(supporter))
        return Response(NextActionOutput(found, many=True).data)


@extend_schema(parameters=[DirectoryQuery])
class VolunteerList(generics.ListAPIView):
    """Organisers only: the volunteer directory, filtered (by skill and level, region,
    constituency, availability, last activity, tag, team), newest first, in pages by
    cursor. Every request is written to the organiser access log with its filters and how
    many it showed."""

    pagination_class = CursorPagination
    ordering = ("-created_at", "-id")
    permission_classes = [IsOrganiser]
    required_permission = "volunteers.view_volunteerprofile"
    serializer_class = VolunteerOutput
    queryset = VolunteerProfile.objects.none()  # for the schema; requests use get_queryset
    filter_backends = []  # DirectoryQuery checks the filters

    def get_queryset(self):
        query = DirectoryQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        self.filters = query.directory_filters()
        return selectors.volunteer_directory(**self.filters)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        used = ", ".join(f"{k}={v}" for k, v in self.filters.items() if v not in ("", None, ()))
        services.organiser_access_record(
            organiser=request.user,
            action=OrganiserAccess.Action.LISTED,
            detail=f"{len(response.data['results'])} volunteers shown; filters: {used or 'none'}",
        )
        return response
