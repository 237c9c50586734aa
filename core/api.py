"""Conventions shared by every REST endpoint under /api/v1/: pagination and one error shape.

Every error response has the same body, so a mobile client needs one code path:

    {"status": 400, "code": "invalid", "detail": "Some fields are not valid.",
     "fields": {"email": ["Enter a valid email address."]}}

`fields` is present only for validation errors, with one list of messages per field.
Services raise Django's ValidationError (a dict names fields; a plain message is about the
request as a whole and goes under "non_field_errors"); `exception_handler` is the one place
that turns it into this 400, so no view converts errors one by one, and a ValidationError
that escapes a view can never become a 500.

Requests are throttled by core.throttling.RequestRateThrottle.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, pagination, permissions
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class IsOrganiser(permissions.BasePermission):
    """Organisers only: a signed-in staff account that also holds the view's
    `required_permission` ("app_label.codename"), when it names one. Anyone else gets 403."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        required = getattr(view, "required_permission", None)
        return required is None or user.has_perm(required)


def _flatten(detail):
    """DRF error details (nested lists and dicts) as plain strings, keeping the shape."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def validation_error_as_api(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as DRF's, field by field; messages that name no field
    go under "non_field_errors", as DRF's own do."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in error.message_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": error.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = validation_error_as_api(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {
            "status": response.status_code,
            "code": "invalid",
            "detail": "Some fields are not valid.",
            "fields": _flatten(fields),
        }
    else:
        detail = getattr(exc, "detail", None)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "status": response.status_code,
            "code": codes if isinstance(codes, str) else "error",
            "detail": _flatten(detail) if detail is not None else response.reason_phrase,
        }
    response.data = body
    return response


class XSessionTokenScheme(OpenApiAuthenticationExtension):
    """Documents allauth's X-Session-Token in the OpenAPI schema, for mobile clients."""

    target_class = (
        "allauth.headless.contrib.rest_framework.authentication.XSessionTokenAuthentication"
    )
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}
