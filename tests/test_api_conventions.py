"""What every endpoint under /api/v1/ shares: private by default, one error shape,
pagination, and a schema with docs served from this site."""

import io
import re

import pytest
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from campaigns.petitions.models import Signature
from campaigns.petitions.serializers import SignInput
from tests.factories import CampaignFactory, PetitionFactory, SupporterFactory
from volunteers.models import Supporter
from volunteers.places import MAX_INPUT_LENGTH

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

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'X-Session-Token realm="api"'
    assert response.json() == {
        "status": 401,
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


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/nope", "/api/v1/petitions/x/nope/"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_paths_are_a_404_in_the_error_shape(client, path, method):
    response = getattr(client, method)(path, HTTP_ACCEPT="text/html,*/*;q=0.8")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Not found."}


def test_the_catch_all_stays_out_of_the_schema(client):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert paths
    assert all(p.startswith("/api/v1/") for p in paths), sorted(paths)


def test_allauth_headless_spec_page_is_served_from_this_site(client):
    page = client.get("/_allauth/openapi.html")

    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert "<style" not in html and not re.search(r"<script(?![^>]*\ssrc=)", html)
    [script] = [s.replace("&amp;", "&") for s in sources if "?script" in s]
    init = client.get(script)
    assert init.status_code == 200
    spec_url = re.search(r'url: "([^"]+)"', init.content.decode()).group(1)
    assert spec_url == "/_allauth/openapi.json"
    spec = client.get(spec_url)
    assert spec.status_code == 200
    assert spec.json()["info"]["title"].startswith("django-allauth")
    assert "/_allauth/{client}/v1/auth/session" in spec.json()["paths"]


# The server's limit for each input: its column's, except the postcode, read as typed (any
# case and spacing) and stored in its canonical 8 characters.
SIGN_LIMITS = {
    "name": Signature._meta.get_field("name").max_length,
    "email": Signature._meta.get_field("email").max_length,
    "postcode": MAX_INPUT_LENGTH,
    "source": Signature._meta.get_field("source").max_length,
    "ref": Signature._meta.get_field("referred_by").max_length,
}


@pytest.mark.parametrize(("field", "limit"), SIGN_LIMITS.items())
def test_a_sign_value_longer_than_its_limit_is_a_400_naming_the_field(client, field, limit):
    petition = PetitionFactory()
    body = {"name": "Jo Bloggs", "email": "jo@example.org", "postcode": "ZA1 1AA"}

    response = client.post(
        f"/api/v1/petitions/{petition.slug}/signatures/",
        {**body, field: "x" * (limit + 1)},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        field: [f"Ensure this field has no more than {limit} characters."]
    }
    assert not Signature.objects.exists()


def test_the_sign_serializer_takes_its_limits_from_the_columns():
    fields = SignInput().fields

    assert {name: fields[name].max_length for name in SIGN_LIMITS} == SIGN_LIMITS


def test_the_schema_builds_without_warnings():
    """drf-spectacular warns where it has to guess an endpoint's shape (a view whose
    queryset is not a model's, an untyped method field): the schema clients generate code
    from would be wrong there."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO())


def test_the_served_schema_is_valid_openapi(client):
    """openapi-spec-validator, a second opinion on the schema as clients fetch it: code
    generators and schemathesis (tests/api/test_schemathesis.py) trust it."""
    from openapi_spec_validator import validate

    response = client.get("/api/v1/schema/?format=json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = response.json()
    assert schema["paths"] and schema["components"]["schemas"]
    validate(schema)  # raises OpenAPIValidationError naming what is wrong


def _inlined(node, components):
    """A schema with every $ref replaced by what it points at (ours are not recursive)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inlined(components[node["$ref"].rsplit("/", 1)[1]], components)
        return {key: _inlined(value, components) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(value, components) for value in node]
    return node


def _examples(schema):
    """(where, example value, the schema it is an example of) for every example given."""
    components = schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            bodies = [("request", operation.get("requestBody", {}))] + [
                (f"response {code}", response) for code, response in operation["responses"].items()
            ]
            for where, body in bodies:
                for media in body.get("content", {}).values():
                    for name, example in media.get("examples", {}).items():
                        yield (
                            f"{method.upper()} {path} {where} {name}",
                            example["value"],
                            _inlined(media["schema"], components),
                        )
    error = schema["components"]["schemas"]["Error"]
    yield "Error", error["example"], error


def test_every_example_in_the_schema_is_valid_by_its_own_schema(client, db):
    from openapi_schema_validator import OAS30Validator
    from openapi_schema_validator import validate as validate_example

    schema = client.get("/api/v1/schema/?format=json").json()
    examples = list(_examples(schema))

    for where, value, described in examples:
        try:
            validate_example(value, described, cls=OAS30Validator)
        except Exception as error:
            pytest.fail(f"{where}: {error}")
    assert len(examples) >= 15  # the examples are found


def test_every_create_has_an_example_request_and_answer(client, db):
    schema = client.get("/api/v1/schema/?format=json").json()
    keyed = [
        (path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method == "post"
        and any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    ]

    def has_examples(body):
        return any(media.get("examples") for media in body.get("content", {}).values())

    missing = [
        path
        for path, operation in keyed
        if ("requestBody" in operation and not has_examples(operation["requestBody"]))
        or not any(
            has_examples(response)
            for code, response in operation["responses"].items()
            if code.startswith("2")
        )
    ]
    assert len(keyed) >= 7
    assert missing == []


def test_every_time_the_api_gives_or_takes_is_utc():
    """Each DateTimeField of every serializer in the apps writes (and reads) an instant in
    UTC with "Z", whatever the site's own time zone (core.api.UTC_TIME)."""
    import importlib
    import inspect
    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    local = []
    checked = 0
    for path in sorted(root.glob("*/serializers.py")) + sorted(root.glob("*/*/serializers.py")):
        module = importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, serializers.Serializer) or cls.__module__ != module.__name__:
                continue
            for name, field in cls._declared_fields.items():
                if isinstance(field, serializers.DateTimeField):
                    checked += 1
                    summer = datetime(2026, 7, 1, 18, 0, tzinfo=ZoneInfo("Europe/London"))
                    if field.to_representation(summer) != "2026-07-01T17:00:00Z":
                        local.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert checked > 20 and local == []


@pytest.mark.parametrize(
    "path, make",
    [
        ("/api/v1/petitions/", lambda title: PetitionFactory(title=title)),
        ("/api/v1/campaigns/", lambda title: CampaignFactory(title=title)),
    ],
)
def test_lists_order_by_a_named_field_and_refuse_others(client, path, make):
    for title in ("Banana", "Apple", "Cherry"):
        make(title)

    up = client.get(path, {"ordering": "title"}).json()["results"]
    down = client.get(path, {"ordering": "-title"}).json()["results"]
    refused = client.get(path, {"ordering": "email"})

    assert [row["title"] for row in up] == ["Apple", "Banana", "Cherry"]
    assert [row["title"] for row in down] == ["Cherry", "Banana", "Apple"]
    assert refused.status_code == 400
    [message] = refused.json()["fields"]["ordering"]
    assert message.startswith("Order by title")
