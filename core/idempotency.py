"""Safe retries for the API's create requests: the `Idempotency-Key` header.

A phone on a poor connection often cannot tell whether its request arrived. It sends a
key of its own making (a random UUID) with the request and repeats the same request with
the same key until it gets an answer:

- the first request with a key runs as usual, and a successful (2xx) answer is kept for
  IDEMPOTENCY_KEY_HOURS;
- a repeat with the same key, method, path and body gets that same answer again (with the
  header `Idempotent-Replayed: true`) and creates nothing;
- the same key with another request is a 409, and nothing happens;
- a request that failed (4xx or 5xx) keeps nothing, so repeating it runs it again.

Keys are per account for a signed-in caller and shared by all anonymous callers (so they
must be random). Two repeats arriving at once are decided by the unique constraint on
(owner, key): the first inserts the key in the transaction that does the work, and the
second's insert waits for that transaction and then finds the answer it stored.

Usage, on an APIView's method (after authentication, permissions and throttling):

    @extend_schema(...)
    @idempotent
    def post(self, request, slug): ...
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from core.db import insert_unless_exists
from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX = IdempotencyKey._meta.get_field("key").max_length

PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A random key of the client's making (a UUID), at most 255 printable characters. "
        "Repeating the request with the same key and body returns the first answer and "
        "creates nothing; the same key with another body is a 409."
    ),
)


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


def _key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > KEY_MAX or not key.isascii() or not key.isprintable():
        raise exceptions.ValidationError(
            {HEADER: [f"Send 1 to {KEY_MAX} printable ASCII characters, such as a UUID."]}
        )
    return key


def _fingerprint(request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # a form's QueryDict: every value of every field
        data = dict(data.lists())
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, default=str)
    text = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(stored: IdempotencyKey) -> Response:
    return Response(
        stored.response_body,
        status=stored.response_status,
        headers={REPLAYED_HEADER: "true"},
    )


def idempotent(handler):
    """Make an API view's create method safe to repeat with an Idempotency-Key."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = _key(request)
        if key is None:
            return handler(view, request, *args, **kwargs)
        user = request.user if request.user.is_authenticated else None
        owner = f"user:{user.pk}" if user else "anonymous"
        fingerprint = _fingerprint(request)
        fresh_after = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
        with transaction.atomic():
            row = IdempotencyKey(owner=owner, key=key, user=user, fingerprint=fingerprint)
            if not insert_unless_exists(row):
                stored = IdempotencyKey.objects.filter(owner=owner, key=key).first()
                if stored is not None and stored.created_at >= fresh_after:
                    if stored.fingerprint != fingerprint:
                        raise KeyReused()
                    return _replay(stored)
                # Expired (kept past its time) or gone since: the key is free again.
                IdempotencyKey.objects.filter(owner=owner, key=key).delete()
                insert_unless_exists(row)
            response = handler(view, request, *args, **kwargs)
            if status.is_success(response.status_code):
                body = json.loads(json.dumps(response.data, cls=JSONEncoder))
                IdempotencyKey.objects.filter(pk=row.pk).update(
                    response_status=response.status_code, response_body=body
                )
            else:
                IdempotencyKey.objects.filter(pk=row.pk).delete()
        return response

    wrapper.idempotent = True
    return extend_schema(parameters=[PARAMETER])(wrapper)


def idempotency_keys_purge() -> int:
    """Delete the keys kept past IDEMPOTENCY_KEY_HOURS; the number deleted."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
