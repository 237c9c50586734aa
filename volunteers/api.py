from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from volunteers.serializers import MeOutputSerializer


class MeView(APIView):
    """The signed-in account. Private: needs a session or an X-Session-Token."""

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)
