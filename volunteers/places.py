"""Where a postcode is: normalisation and look-up (postcodes.io plus a local fallback table).

`place_for_postcode` answers, in this order:

1. a full-postcode row in the local fallback table (PostcodeFallback): a deliberate local
   entry wins and needs no network, which is how the offline demo works;
2. postcodes.io, with the answer cached (found for 30 days, not found for an hour);
3. when postcodes.io is unavailable, the outcode row in the fallback table.

Every failure is a PlaceError whose `message` can be shown to the person who typed the
postcode. Signing, letters and sign-up all come through here. Failures are logged without
the postcode: it is personal data, and the log has no need of it.
"""

import http.client
import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from core.db import select_sql
from volunteers.models import PostcodeFallback

logger = logging.getLogger(__name__)

SOURCE_POSTCODES_IO = "postcodes.io"
SOURCE_FALLBACK = "fallback"

FOUND_CACHE_SECONDS = 30 * 24 * 60 * 60
NOT_FOUND_CACHE_SECONDS = 60 * 60  # a new postcode may appear in the next release
USER_AGENT = "Groundswell/0.1 (campaign platform; postcode look-up)"

# The outward code's shapes (A9, A99, AA9, AA99, A9A, AA9A) with the letters Royal Mail
# uses in each position: no Q, V, X first; no I, J, Z second; the inward code never uses
# C, I, K, M, O or V. "GIR 0AA" (Girobank) is the one historical exception.
OUTCODE_PATTERN = (
    r"[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]"
)
INCODE_PATTERN = r"[0-9][ABD-HJLNP-UW-Z]{2}"
POSTCODE_RE = re.compile(rf"(?:{OUTCODE_PATTERN}) {INCODE_PATTERN}|GIR 0AA")
OUTCODE_RE = re.compile(rf"{OUTCODE_PATTERN}|GIR")
MAX_INPUT_LENGTH = 20  # "sw1a 1aa" with generous spacing; anything longer is not a postcode

# ONS pseudo-codes such as "L99999999" (Channel Islands) and "M99999999" (Isle of Man)
# stand for "no constituency".
PSEUDO_CODE_RE = re.compile(r"[A-Z]99999999")


class PlaceError(Exception):
    """A postcode that cannot be turned into a place; `message` is for the user."""

    message = "We couldn't look up that postcode."

    def __init__(self, message: str | None = None):
        if message:
            self.message = message
        super().__init__(self.message)


class InvalidPostcode(PlaceError):
    message = "That is not a UK postcode. Please check it and try again, e.g. SW1A 1AA."


class PostcodeNotFound(PlaceError):
    message = "We couldn't find that postcode. Please check it and try again."


class NoConstituency(PostcodeNotFound):
    """A real postcode outside every Westminster constituency (Channel Islands, Isle of
    Man): a kind of not-found, with its own explanation."""

    message = "That postcode is not in a UK parliamentary constituency."


class LookupUnavailable(PlaceError):
    message = "Postcode look-up is not available right now; please try again shortly."


@dataclass(frozen=True, kw_only=True)
class Place:
    postcode: str  # canonical: "SW1A 1AA"
    constituency_code: str  # ONS code: "E14001172"
    constituency_name: str
    region: str
    latitude: float | None
    longitude: float | None
    source: str  # SOURCE_POSTCODES_IO or SOURCE_FALLBACK


def _compact(raw: str) -> str:
    """Upper case with every space (and tab, non-breaking space...) removed."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT_LENGTH:
        raise InvalidPostcode()
    compact = "".join(raw.split())
    if not compact.isascii():
        raise InvalidPostcode()
    return compact.upper()


def normalise_postcode(raw: str) -> str:
    """The canonical form of a full UK postcode ("sw1a1aa" -> "SW1A 1AA").

    Accepts any case and spacing; raises InvalidPostcode for anything not shaped like one.
    """
    compact = _compact(raw)
    postcode = f"{compact[:-3]} {compact[-3:]}"
    if not POSTCODE_RE.fullmatch(postcode):
        raise InvalidPostcode()
    return postcode


def normalise_outcode(raw: str) -> str:
    """The canonical form of an outward code alone ("sw1a" -> "SW1A"); raises
    InvalidPostcode for anything else."""
    outcode = _compact(raw)
    if not OUTCODE_RE.fullmatch(outcode):
        raise InvalidPostcode()
    return outcode


def place_for_postcode(raw: str) -> Place:
    """The place (constituency, region, position) of a full UK postcode.

    Raises InvalidPostcode without any look-up when the shape is wrong, PostcodeNotFound
    when postcodes.io does not know it (NoConstituency when it lies outside every
    constituency), and LookupUnavailable only when postcodes.io cannot answer (after one
    retry) and the fallback table has no row for the outcode either.
    """
    postcode = normalise_postcode(raw)
    local = _fallback_place(postcode, code=postcode)
    if local is not None:
        return local

    key = _cache_key(postcode)
    cached = cache.get(key)
    if isinstance(cached, dict):
        return Place(**cached)
    if cached == NoConstituency.__name__:
        raise NoConstituency()
    if cached == PostcodeNotFound.__name__:
        raise PostcodeNotFound()

    try:
        place = _ask_postcodes_io(postcode)
    except NoConstituency:
        cache.set(key, NoConstituency.__name__, NOT_FOUND_CACHE_SECONDS)
        raise
    except PostcodeNotFound:
        cache.set(key, PostcodeNotFound.__name__, NOT_FOUND_CACHE_SECONDS)
        raise
    except LookupUnavailable:
        # Never cached: the next request asks postcodes.io again.
        outcode_place = _fallback_place(postcode, code=postcode.split(" ")[0])
        if outcode_place is None:
            raise
        return outcode_place
    cache.set(key, asdict(place), FOUND_CACHE_SECONDS)
    return place


def _cache_key(postcode: str) -> str:
    return f"places:postcodes.io:v1:{postcode.replace(' ', '')}"


def _fallback_sql() -> str:
    return select_sql(
        PostcodeFallback,
        ("constituency_code", "constituency_name", "region", "latitude", "longitude"),
        "{code} = %s",
    )


def _fallback_place(postcode: str, *, code: str) -> Place | None:
    # Hand-written: every signing asks this first, and the ORM would cost several times as
    # much. Plain text and numbers come back, so no field conversion is needed.
    with connection.cursor() as cursor:
        cursor.execute(_fallback_sql(), [code])
        row = cursor.fetchone()
    if row is None:
        return None
    constituency_code, constituency_name, region, latitude, longitude = row
    return Place(
        postcode=postcode,
        constituency_code=constituency_code,
        constituency_name=constituency_name,
        region=region,
        latitude=latitude,
        longitude=longitude,
        source=SOURCE_FALLBACK,
    )


def _ask_postcodes_io(postcode: str) -> Place:
    """GET /postcodes/<postcode>, trying once more after a timeout, a dropped connection
    or a 5xx; a 404 or an answer we cannot read is not retried."""
    url = f"{settings.POSTCODES_IO_URL.rstrip('/')}/postcodes/{postcode.replace(' ', '')}"
    request = urllib.request.Request(  # noqa: S310 - the URL is our own setting
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    for attempt in (1, 2):
        try:
            with urllib.request.urlopen(  # noqa: S310 - http(s) URL from settings
                request, timeout=settings.OUTSIDE_SERVICE_TIMEOUT
            ) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            with error:
                if error.code == 404:
                    raise _not_found(error) from error
                if error.code >= 500 and attempt == 1:
                    logger.info("postcodes.io answered %s; retrying", error.code)
                    continue
                logger.warning("postcodes.io answered %s", error.code)
                raise LookupUnavailable() from error
        except (OSError, http.client.HTTPException) as error:
            # URLError (refused, DNS), TimeoutError and ConnectionError are all OSErrors.
            if attempt == 1:
                logger.info("postcodes.io failed (%s); retrying", error)
                continue
            logger.warning("postcodes.io failed: %s", error)
            raise LookupUnavailable() from error
        return _place_from_answer(postcode, body)
    raise AssertionError("unreachable")  # pragma: no cover


def _not_found(error: urllib.error.HTTPError) -> PlaceError:
    """postcodes.io's 404 says "Postcode not found" or "Invalid postcode" in a JSON body;
    a 404 without one means the URL is wrong, not the postcode."""
    try:
        answer = json.loads(error.read())
    except (OSError, http.client.HTTPException, ValueError):
        answer = None
    if isinstance(answer, dict) and answer.get("error"):
        return PostcodeNotFound()
    logger.warning("postcodes.io gave a 404 without its error body")
    return LookupUnavailable()


def _place_from_answer(postcode: str, body: bytes) -> Place:
    try:
        result = json.loads(body)["result"]
        codes = result["codes"]
    except (ValueError, KeyError, TypeError):
        result = codes = None
    if not isinstance(result, dict) or not isinstance(codes, dict):
        logger.warning("postcodes.io gave an unreadable answer")
        raise LookupUnavailable()

    # Prefer the 2024 boundaries where the answer still carries both sets.
    if codes.get("parliamentary_constituency_2024"):
        code = codes["parliamentary_constituency_2024"]
        name = result.get("parliamentary_constituency_2024") or ""
    else:
        code = codes.get("parliamentary_constituency") or ""
        name = result.get("parliamentary_constituency") or ""
    if not isinstance(code, str) or not code or PSEUDO_CODE_RE.fullmatch(code):
        raise NoConstituency()
    return Place(
        postcode=postcode,
        constituency_code=code,
        constituency_name=name if isinstance(name, str) else "",
        # postcodes.io's `region` is England's ONS regions; elsewhere the nation stands in.
        region=result.get("region") or result.get("country") or "",
        latitude=_coordinate(result.get("latitude")),
        longitude=_coordinate(result.get("longitude")),
        source=SOURCE_POSTCODES_IO,
    )


def _coordinate(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
