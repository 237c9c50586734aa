"""core/api.py: a service's ValidationError becomes the API's 400 in one place."""

import pytest
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from rest_framework import permissions
from rest_framework.views import APIView

from volunteers.models import Supporter


class RaisesLikeAService(APIView):
    """An endpoint that lets a service's error escape, as every API view now does."""

    permission_classes = [permissions.AllowAny]

    def post(self, request):
        if request.data.get("kind") == "field":
            raise ValidationError({"postcode": "We couldn't find that postcode."})
        raise ValidationError("This petition has closed; signatures are no longer accepted.")


class LooksUpASupporter(APIView):
    """An endpoint that finds its object with get_object_or_404, as many do."""

    permission_classes = [permissions.AllowAny]

    def get(self, request, pk):
        get_object_or_404(Supporter, pk=pk)


urlpatterns = [
    path("escape/", RaisesLikeAService.as_view()),
    path("supporters/<int:pk>/", LooksUpASupporter.as_view()),
]


@pytest.mark.urls(__name__)
def test_a_field_error_from_a_service_is_a_400_naming_the_field(client):
    response = client.post("/escape/", {"kind": "field"}, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "invalid",
        "detail": "Some fields are not valid.",
        "fields": {"postcode": ["We couldn't find that postcode."]},
    }


@pytest.mark.urls(__name__)
def test_an_error_naming_no_field_is_a_400_under_non_field_errors(client):
    response = client.post("/escape/", {}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "non_field_errors": ["This petition has closed; signatures are no longer accepted."]
    }


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_get_object_or_404_is_the_apis_own_404(client):
    response = client.get("/supporters/1/")

    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Not found."}
