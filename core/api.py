"""Conventions shared by every REST endpoint under /api/v1/: pagination (by page number, or
by cursor for long lists) and one error shape.

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

import json
from datetime import UTC, datetime

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, filters, pagination, permissions
from rest_framework.views import exception_handler as drf_exception_handler

# Every time the API gives or takes is an instant in UTC, written with "Z"
# (2026-11-26T18:00:00Z): a DateTimeField(**UTC_TIME). A time sent without an offset is
# taken as UTC.
UTC_TIME = {"default_timezone": UTC}


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(pagination.CursorPagination):
    """Pages of a long list read from a position, never counted or skipped to: `next` and
    `previous` are links carrying an opaque `cursor`, and every page costs the same
    queries wherever it is (no COUNT, no OFFSET), so it suits tables of millions of rows.
    `page_size` as in Pagination (50 by default, at most 200).

    The order is the view's `ordering` (or this class's), a tuple of non-null fields that
    ends with a unique one ("-occurred_at", "-id"), with an index in that order. Unlike
    DRF's own cursor, which keeps the first field's value and counts past ties with an
    offset (capped at 1,000), the cursor holds the whole position, so many rows with one
    time page correctly: the next page is the rows after (occurred_at, id) in that order,
    read from the index by its first column.
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-pk",)

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def _get_position_from_instance(self, instance, ordering):
        values = []
        for field in ordering:
            name = field.lstrip("-")
            # A page of model instances, or of dicts (a values() queryset).
            value = instance[name] if isinstance(instance, dict) else getattr(instance, name)
            values.append(value.isoformat() if isinstance(value, datetime) else str(value))
        return json.dumps(values)

    def _position_values(self, queryset, position: str) -> list:
        """The cursor's position as the ordering fields' values; NotFound if it is not."""
        try:
            raw = json.loads(position)
            if not isinstance(raw, list) or len(raw) != len(self.ordering):
                raise ValueError(position)
            meta = queryset.model._meta
            fields = [
                meta.pk if name == "pk" else meta.get_field(name)
                for name in (field.lstrip("-") for field in self.ordering)
            ]
            return [field.to_python(value) for field, value in zip(fields, raw, strict=True)]
        except (ValueError, TypeError, DjangoValidationError) as error:
            raise exceptions.NotFound(self.invalid_cursor_message) from error

    def _after(self, queryset, position: str, reverse: bool):
        """The rows after `position` in the order (before it, for a reverse cursor): on
        the first field a range (which its index reads), then the order's tie-breaks."""
        values = self._position_values(queryset, position)
        names = [field.lstrip("-") for field in self.ordering]
        ops = ["lt" if reverse != field.startswith("-") else "gt" for field in self.ordering]
        after = Q()
        for i, (name, op) in enumerate(zip(names, ops, strict=True)):
            earlier_equal = {names[j]: values[j] for j in range(i)}
            after |= Q(**earlier_equal, **{f"{name}__{op}": values[i]})
        return queryset.filter(Q(**{f"{names[0]}__{ops[0]}e": values[0]}) & after)

    def paginate_queryset(self, queryset, request, view=None):
        # DRF's, but for the position: the whole of it, compared field by field.
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        if self.cursor is None:
            offset, reverse, current_position = 0, False, None
        else:
            offset, reverse, current_position = self.cursor
        if reverse:
            queryset = queryset.order_by(*pagination._reverse_ordering(self.ordering))
        else:
            queryset = queryset.order_by(*self.ordering)
        if current_position is not None:
            queryset = self._after(queryset, current_position, reverse)
        results = list(queryset[offset : offset + self.page_size + 1])
        self.page = list(results[: self.page_size])
        if len(results) > len(self.page):
            has_following_position = True
            following_position = self._get_position_from_instance(results[-1], self.ordering)
        else:
            has_following_position = False
            following_position = None
        if reverse:
            self.page = list(reversed(self.page))
            self.has_next = (current_position is not None) or (offset > 0)
            self.has_previous = has_following_position
            if self.has_next:
                self.next_position = current_position
            if self.has_previous:
                self.previous_position = following_position
        else:
            self.has_next = has_following_position
            self.has_previous = (current_position is not None) or (offset > 0)
            if self.has_next:
                self.next_position = following_position
            if self.has_previous:
                self.previous_position = current_position
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page


class Ordering(filters.OrderingFilter):
    """`?ordering=title` (`-title` descending; several, comma-separated) among the view's
    `ordering_fields`, the primary key breaking ties so pages never overlap. Anything else
    is a 400 naming the choices (DRF's own filter ignores it). Without it, the list's own
    order. Not for cursor lists, whose order is their cursor's."""

    def get_ordering(self, request, queryset, view):
        asked = request.query_params.get(self.ordering_param)
        if not asked:
            return self.get_default_ordering(view)
        terms = [term.strip() for term in asked.split(",") if term.strip()]
        allowed = list(view.ordering_fields)
        if not terms or any(term.removeprefix("-") not in allowed for term in terms):
            choices = ", ".join(allowed)
            raise exceptions.ValidationError(
                {self.ordering_param: [f"Order by {choices} (with - before it for descending)."]}
            )
        return [*terms, "pk"]


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
    elif isinstance(exc, Http404):
        # get_object_or_404 and `raise Http404`: the same answer as every other 404, not
        # DRF's "error" code (Http404 has none) or Django's message naming the model.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
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

    target_class = "core.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}
