"""core/api.py: a service's ValidationError becomes the API's 400 in one place."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import path
from rest_framework import permissions
from rest_framework.views import APIView


class RaisesLikeAService(APIView):
    """An endpoint that lets a service's error escape, as every API view now does."""

    permission_classes = [permissions.AllowAny]

    def post(self, request):
        if request.data.get("kind") == "field":
            raise ValidationError({"postcode": "We couldn't find that postcode."})
        raise ValidationError("This petition has closed; signatures are no longer accepted.")


urlpatterns = [path("escape/", RaisesLikeAService.as_view())]


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
