"""Conditional GETs for read-mostly API endpoints (campaigns and their tallies): ETag and
Last-Modified from one cheap query, and 304 Not Modified without building the answer.

    @conditional(lambda view, request, **kwargs: Campaign.objects.aggregate(...))
    def get(self, request, ...): ...

The function returns a `Version`: when the rows behind the answer last changed, and a
token that changes whenever the answer would (counts of rows, ids...). Only for answers
that are the same for every caller and that change only with their rows' `updated_at`
(core/sync.py keeps that true whatever writes them); never for figures that move without
touching a row (a target's action counts) or with the clock (a storm's phase).
"""

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.utils.http import http_date, parse_http_date_safe, quote_etag
from rest_framework import status
from rest_framework.response import Response


@dataclass(frozen=True)
class Version:
    last_modified: datetime | None
    token: str = ""


def _etag(request, version: Version) -> str:
    stamp = version.last_modified.isoformat() if version.last_modified else "-"
    # The path and query string are part of it: another page or filter is another answer.
    text = f"{request.get_full_path()}\n{stamp}\n{version.token}"
    return quote_etag(hashlib.sha256(text.encode()).hexdigest()[:32])


def _not_modified(request, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110: If-None-Match decides when it is sent ("*" matching whatever exists);
    otherwise If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        sent = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return etag in sent or ("*" in sent and last_modified is not None)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return (
        since is not None and last_modified is not None and last_modified.timestamp() < (since + 1)
    )


def conditional(version_of):
    """Answer GET with ETag and Last-Modified, and 304 when the client's copy is current."""

    def decorate(handler):
        @functools.wraps(handler)
        def wrapper(view, request, *args, **kwargs):
            version = version_of(view, request, **kwargs)
            etag = _etag(request, version)
            headers = {"ETag": etag, "Cache-Control": "no-cache"}
            if version.last_modified is not None:
                headers["Last-Modified"] = http_date(version.last_modified.timestamp())
            if _not_modified(request, etag, version.last_modified):
                return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
            response = handler(view, request, *args, **kwargs)
            if response.status_code == status.HTTP_200_OK:
                for name, value in headers.items():
                    response[name] = value
            return response

        wrapper.conditional = True  # core/schema.py documents the 304 and the headers
        return wrapper

    return decorate
