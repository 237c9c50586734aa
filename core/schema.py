"""The OpenAPI schema documents the errors each operation answers, not only its success.

Every error has core/api.py's shape (the `Error` component). Which statuses an operation
can answer follows from how DRF and the exception handler work, so AutoSchema adds them
from the view and the operation instead of each view listing them by hand:

- 400 (invalid input): a write (POST, PUT, PATCH, DELETE: a body that does not parse or
  validate, or a service refusing it), or a read with query parameters other than the
  page (filters are validated);
- 401: a view whose authentication refuses credentials it does not know (a session
  token that signs nobody in), or that is not open to someone signed out when the
  first authentication scheme can be named in WWW-Authenticate;
- 403: a view not open to someone signed out when no scheme can be named, or not to
  every signed-in account (organisers only), and writes to any view that accepts the
  session cookie (a missing CSRF token);
- 404: a path with parameters (nothing there), or a page or cursor that does not exist;
- 409: an operation taking an Idempotency-Key (core/idempotency.py), given one already
  used with another request;
- 415: a body in a media type the view does not read;
- 429: any throttled view (with Retry-After).

Anything else a view answers it says itself, with `error_response()` in its
extend_schema responses (a storm that is not on, a postcode look-up that is down); what
is said there is kept. Statuses no request can cause are never added: a 200-only read
of an open view with no parameters documents only its 200.
"""

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework.authentication import SessionAuthentication

ERROR_COMPONENT = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer of the API (core/api.py).",
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status, again."},
        "code": {
            "type": "string",
            "description": 'What went wrong, for programs: "invalid", "not_found", '
            '"not_authenticated", "permission_denied", "throttled", ...',
        },
        "detail": {"type": "string", "description": "What went wrong, for people."},
        "fields": {
            "type": "object",
            "description": 'Only for 400 (code "invalid"): the messages for each input '
            "by its name (a list of messages; nested inputs nest), and those about the "
            'request as a whole under "non_field_errors".',
            "additionalProperties": {},
        },
    },
    "required": ["status", "code", "detail"],
    "example": {
        "status": 400,
        "code": "invalid",
        "detail": "Some fields are not valid.",
        "fields": {"email": ["Enter a valid email address."]},
    },
}

DESCRIPTIONS = {
    400: "Not valid: `fields` names each input that is not, with messages.",
    401: "Not signed in, or the session token signs nobody in: sign in again.",
    403: "Not allowed, or (signed in by the session cookie) no CSRF token.",
    404: "Nothing there, or no such page of the list.",
    409: "This Idempotency-Key was already used with a different request.",
    415: "A body in a media type this operation does not read.",
    429: "Too many requests: try again after Retry-After seconds.",
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds until the caller may try again.",
    }
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
NOT_MODIFIED = (
    "Not modified: the ETag sent in If-None-Match (or the date in If-Modified-Since) is "
    "still current. No body."
)
CONDITIONAL_HEADERS = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "This answer's version: send it back in If-None-Match.",
    },
    "Last-Modified": {
        "schema": {"type": "string"},
        "description": "When what is behind this answer last changed (an HTTP date).",
    },
}
IDEMPOTENCY_KEY = "Idempotency-Key"  # core.idempotency.HEADER (which needs the models)
# Someone signed in who holds no permission: what a volunteer's account is to a view.
SIGNED_IN = SimpleNamespace(
    is_authenticated=True, is_staff=False, is_superuser=False, has_perm=lambda perm, obj=None: False
)


def error_response(description: str) -> OpenApiResponse:
    """An error answer in the API's shape, for a view's extend_schema(responses=...)."""
    return OpenApiResponse(response=ERROR_REF, description=description)


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        registry.register_on_missing(
            ResolvedComponent(
                name=ERROR_COMPONENT,
                type=ResolvedComponent.SCHEMA,
                object=ERROR_COMPONENT,
                schema=ERROR_SCHEMA,
            )
        )
        responses = operation["responses"]
        media_types = self.map_renderers("media_type")
        for status in sorted(self.error_statuses(operation)):
            if str(status) in responses:
                continue
            responses[str(status)] = {
                **({"headers": RETRY_AFTER} if status == 429 else {}),
                "content": {media_type: {"schema": ERROR_REF} for media_type in media_types},
                "description": DESCRIPTIONS[status],
            }
        handler = getattr(self.view, self.method.lower(), None)
        if getattr(handler, "conditional", False):  # core/conditional.py
            for name, header in CONDITIONAL_HEADERS.items():
                responses.get("200", {}).setdefault("headers", {})[name] = header
            responses.setdefault("304", {"description": NOT_MODIFIED})
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_statuses(self, operation: dict) -> set[int]:
        view = self.view
        parameters = operation.get("parameters", [])
        query = {p["name"] for p in parameters if p["in"] == "query"}
        paging = set()
        paginator = self._get_paginator()
        if paginator is not None:
            paging = {p["name"] for p in paginator.get_schema_operation_parameters(view)}
        paging &= query
        write = self.method in WRITES
        authenticators = view.get_authenticators()
        # DRF answers 401 when the first authenticator names a scheme to challenge with
        # (WWW-Authenticate), else 403; one that names a scheme refuses bad credentials.
        challenges = [a.authenticate_header(None) for a in authenticators]
        by_cookie = any(isinstance(a, SessionAuthentication) for a in authenticators)
        strangers_refused = not self.allows(AnonymousUser())
        statuses = set()
        if write or query - paging:
            statuses.add(400)
        if any(challenges) or (strangers_refused and challenges and challenges[0]):
            statuses.add(401)
        if (
            (strangers_refused and not (challenges and challenges[0]))
            or not self.allows(SIGNED_IN)
            or (write and by_cookie)
        ):
            statuses.add(403)
        if any(p["in"] == "path" for p in parameters) or paging:
            statuses.add(404)
        if any(p["in"] == "header" and p["name"] == IDEMPOTENCY_KEY for p in parameters):
            statuses.add(409)
        if "requestBody" in operation:
            statuses.add(415)
        if view.get_throttles():
            statuses.add(429)
        return statuses

    def allows(self, user) -> bool:
        """Whether the view's permissions let this user make this request."""
        request = SimpleNamespace(method=self.method, user=user)
        try:
            return all(p.has_permission(request, self.view) for p in self.view.get_permissions())
        except AttributeError:  # a permission that looks further into the request
            return False
