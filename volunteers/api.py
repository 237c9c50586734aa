from django.contrib.auth import logout
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from volunteers import activity, services
from volunteers.models import User
from volunteers.serializers import (
    DoneActionOutput,
    EraseInputSerializer,
    MeOutputSerializer,
    MeUpdateSerializer,
    NextActionOutput,
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
