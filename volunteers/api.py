from django.contrib.auth import logout
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from volunteers import services
from volunteers.serializers import EraseInputSerializer, MeOutputSerializer


class MeView(APIView):
    """The signed-in account. Private: needs a session or an X-Session-Token."""

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)

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
