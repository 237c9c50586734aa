"""What every endpoint under /api/v1/ shares: private by default, one error shape,
pagination, and a schema with docs served from this site."""

import re

import pytest
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from tests.factories import SupporterFactory
from volunteers.models import Supporter

pytestmark = pytest.mark.django_db


class NameInput(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    email = serializers.EmailField()


class EchoView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        NameInput(data=request.data).is_valid(raise_exception=True)
        return None


class SupporterEmails(ListAPIView):
    permission_classes = [AllowAny]
    queryset = Supporter.objects.order_by("pk")

    class serializer_class(serializers.Serializer):
        email = serializers.EmailField()


def test_private_by_default_with_the_error_shape(client):
    response = client.get("/api/v1/me/")

    assert response.status_code in (401, 403)
    assert response.json() == {
        "status": response.status_code,
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }


def test_validation_errors_name_each_field():
    request = APIRequestFactory().post("/", {"name": "x" * 11, "email": "nope"}, format="json")

    response = EchoView.as_view()(request)

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert set(response.data["fields"]) == {"name", "email"}
    assert response.data["fields"]["email"] == ["Enter a valid email address."]


def test_lists_are_paginated():
    SupporterFactory.create_batch(3)
    request = APIRequestFactory().get("/", {"page_size": 2})

    response = SupporterEmails.as_view()(request)

    assert response.data["count"] == 3
    assert len(response.data["results"]) == 2
    assert response.data["next"]


def test_schema_and_docs_are_public_and_need_no_cdn(client):
    schema = client.get("/api/v1/schema/")
    docs = client.get("/api/v1/docs/")

    assert schema.status_code == docs.status_code == 200
    assert b"/api/v1/me/" in schema.content
    assert b"X-Session-Token" in schema.content
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.content.decode())
    assert sources
    assert all(s.startswith("/") for s in sources), sources


def test_pages_carry_a_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "script-src" not in policy or "unsafe-inline" not in policy
