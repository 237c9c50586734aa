"""Reading the UK Parliament Members API: every current MP, checked, before anything is
written (campaigns.targets.importers.parliament does the writing).

`current_members_read` makes every request (to the live API, or to a directory of saved
responses) and checks the shape of every answer, so a network failure, an HTTP error or a
malformed answer is found before the database is touched.

The requests, and the file each response is kept in inside a saved-responses directory
(what `LiveSource(save_to=DIR)` writes and `DirectorySource(directory=DIR)` reads back):

    GET /Members/Search?House=1&IsCurrentMember=true&skip=<N>&take=20
        members-search-skip-<N>.json        for N = 0, 20, 40, ... while N < totalResults
    GET /Members/<member id>/Contact
        member-<member id>-contact.json
    GET /Location/Constituency/<constituency id>/ElectionResult/Latest
        constituency-<constituency id>-election-result-latest.json

Each file holds a response body exactly as the API sent it. The formats are in
docs/formats.md; fields this importer does not use are ignored, optional ones may be
missing or null.
"""

import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from campaigns.targets.models import Representative

PAGE_SIZE = 20  # the most the Members API gives per page
USER_AGENT = "Groundswell/0.1 (import_representatives; people-powered campaigns)"
X_CONTACT_TYPES = {"x (formerly twitter)", "twitter", "x"}
WEBSITE_CONTACT_TYPE = "website"
PARLIAMENTARY_OFFICE = "parliamentary office"


class ParliamentImportError(Exception):
    """The Members API, or a saved copy of it, could not be read or said something this
    importer cannot use. The message names the URL or file and the problem, on one line."""


# Reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """One request to the Members API and the file its response is saved as."""

    path: str
    filename: str
    query: tuple[tuple[str, str], ...] = ()


def members_search_page(*, skip: int) -> Resource:
    return Resource(
        path="/Members/Search",
        filename=f"members-search-skip-{skip}.json",
        query=(
            ("House", "1"),
            ("IsCurrentMember", "true"),
            ("skip", str(skip)),
            ("take", str(PAGE_SIZE)),
        ),
    )


def member_contact(*, member_id: int) -> Resource:
    return Resource(
        path=f"/Members/{member_id}/Contact", filename=f"member-{member_id}-contact.json"
    )


def constituency_election_result(*, constituency_id: int) -> Resource:
    return Resource(
        path=f"/Location/Constituency/{constituency_id}/ElectionResult/Latest",
        filename=f"constituency-{constituency_id}-election-result-latest.json",
    )


@dataclass(frozen=True)
class Answer:
    origin: str  # the URL or file it came from, for error messages
    data: Any


class Source(Protocol):
    def read(self, resource: Resource) -> Answer: ...


def _json_decode(body: bytes, *, origin: str) -> Any:
    try:
        return json.loads(body)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise ParliamentImportError(f"{origin}: the response is not valid JSON ({error})") from None


class LiveSource:
    """Reads the Members API over HTTP (PARLIAMENT_API_URL, OUTSIDE_SERVICE_TIMEOUT by
    default). With save_to, every response body it receives is also written into that
    directory under the name DirectorySource looks for, so a run can be replayed offline."""

    def __init__(self, *, base_url: str | None = None, timeout: float | None = None, save_to=None):
        self.base_url = (base_url or settings.PARLIAMENT_API_URL).rstrip("/")
        self.timeout = settings.OUTSIDE_SERVICE_TIMEOUT if timeout is None else timeout
        self.save_to = Path(save_to) if save_to else None
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ParliamentImportError(f"{self.base_url}: the API address must be http(s)")

    def read(self, resource: Resource) -> Answer:
        url = self.base_url + resource.path
        if resource.query:
            url += "?" + urlencode(resource.query)
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as error:
            error.close()
            raise ParliamentImportError(f"{url}: HTTP {error.code} {error.reason}") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise ParliamentImportError(self._timed_out(url)) from None
            raise ParliamentImportError(f"{url}: could not connect ({error.reason})") from None
        except TimeoutError:
            raise ParliamentImportError(self._timed_out(url)) from None
        except (OSError, http.client.HTTPException) as error:
            raise ParliamentImportError(
                f"{url}: the connection failed ({type(error).__name__}: {error})"
            ) from None
        if self.save_to:
            self._save(resource, body)
        return Answer(origin=url, data=_json_decode(body, origin=url))

    def _timed_out(self, url: str) -> str:
        return f"{url}: no answer within {self.timeout:g} s (OUTSIDE_SERVICE_TIMEOUT)"

    def _save(self, resource: Resource, body: bytes) -> None:
        path = self.save_to / resource.filename
        try:
            self.save_to.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
        except OSError as error:
            raise ParliamentImportError(f"{path}: could not save ({error.strerror})") from None


class DirectorySource:
    """Reads responses saved in a directory (the layout in this module's docstring)."""

    def __init__(self, *, directory):
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise ParliamentImportError(f"{self.directory}: no such directory")

    def read(self, resource: Resource) -> Answer:
        path = self.directory / resource.filename
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            raise ParliamentImportError(
                f"{path}: no such file (the saved response to GET {resource.path})"
            ) from None
        except OSError as error:
            raise ParliamentImportError(f"{path}: could not read ({error.strerror})") from None
        return Answer(origin=str(path), data=_json_decode(body, origin=str(path)))


# Checking the shape of answers ---------------------------------------------------------

_KIND_NAMES = {dict: "an object", list: "a list", str: "a string", int: "a whole number"}


def _field(obj: dict, key: str, kind: type, *, origin: str, where: str, required: bool = True):
    """obj[key], checked to be of `kind`; None if it is optional and missing or null."""
    value = obj.get(key)
    name = f"{where}.{key}" if where else key
    if value is None:
        if required:
            raise ParliamentImportError(f"{origin}: {name} is missing")
        return None
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ParliamentImportError(
            f"{origin}: {name} should be {_KIND_NAMES.get(kind, kind.__name__)}, not {value!r}"
        )
    return value


def _object(value: Any, *, origin: str, where: str) -> dict:
    if not isinstance(value, dict):
        raise ParliamentImportError(f"{origin}: {where or 'the response'} should be an object")
    return value


def _count(obj: dict, key: str, *, origin: str, where: str) -> int | None:
    value = _field(obj, key, int, origin=origin, where=where, required=False)
    if value is not None and value < 0:
        raise ParliamentImportError(f"{origin}: {where}.{key} is negative ({value})")
    return value


# What was read -------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyRecord:
    parliament_id: int
    name: str
    abbreviation: str
    colour: str  # "#rrggbb" or ""


@dataclass(frozen=True)
class ConstituencyRecord:
    parliament_id: int
    name: str
    electorate: int | None = None
    turnout: int | None = None
    majority: int | None = None


@dataclass(frozen=True)
class ContactDetails:
    email: str = ""
    phone: str = ""
    x_handle: str = ""
    social_links: dict[str, str] = field(default_factory=dict)
    website: str = ""
    postal_address: str = ""  # lines and postcode, one per line, for letters posted to the MP


@dataclass(frozen=True)
class MemberRecord:
    """A current MP as the Members API describes them, with contact details and seat."""

    parliament_id: int
    name: str
    address_as: str
    photo_url: str
    party: PartyRecord | None
    constituency: ConstituencyRecord
    contact: ContactDetails = field(default_factory=ContactDetails)


def current_members_read(*, source: Source) -> list[MemberRecord]:
    """Every current MP, with contact details and their seat's latest election result.

    Makes all its requests before it returns and writes nothing. Raises
    ParliamentImportError, naming the URL or file, at the first answer that fails, is not
    JSON, or lacks a required field; also when the listing is empty, names one seat twice,
    or changed while it was being paged through (so it is never mistaken for a complete one).
    """
    members = [
        replace(member, contact=_contact_read(source, member_id=member.parliament_id))
        for member in _members_search_read(source)
    ]
    return [
        replace(member, constituency=_election_result_read(source, seat=member.constituency))
        for member in members
    ]


def _members_search_read(source: Source) -> list[MemberRecord]:
    members: dict[int, MemberRecord] = {}
    skip, totals = 0, []
    while True:
        answer = source.read(members_search_page(skip=skip))
        origin = answer.origin
        page = _object(answer.data, origin=origin, where="")
        items = _field(page, "items", list, origin=origin, where="")
        total = _field(page, "totalResults", int, origin=origin, where="")
        totals.append(total)
        for index, item in enumerate(items):
            where = f"items[{index}]"
            item = _object(item, origin=origin, where=where)
            value = _field(item, "value", dict, origin=origin, where=where)
            member = _listed_member(value, origin=origin, where=f"{where}.value")
            members.setdefault(member.parliament_id, member)
        skip += PAGE_SIZE
        if skip >= total:
            break
        if not items:
            raise ParliamentImportError(
                f"{origin}: no members on this page although totalResults is {total}"
            )
    if not members:
        raise ParliamentImportError(
            f"{origin}: the listing has no current members; nothing to import"
        )
    # Pages shift when an MP joins or leaves mid-read, so one could be skipped unseen.
    if len(set(totals)) > 1 or len(members) != total:
        raise ParliamentImportError(
            f"{origin}: the listing changed while it was read ({len(members)} members on "
            f"{len(totals)} pages giving totalResults {'/'.join(map(str, totals))}); "
            "run the import again"
        )
    seats: dict[int, MemberRecord] = {}
    for member in members.values():
        other = seats.setdefault(member.constituency.parliament_id, member)
        if other is not member:
            raise ParliamentImportError(
                f"{origin}: members {other.parliament_id} and {member.parliament_id} both hold "
                f"constituency {member.constituency.parliament_id} ({member.constituency.name})"
            )
    return list(members.values())


def _listed_member(value: dict, *, origin: str, where: str) -> MemberRecord:
    def text(obj, key, *, at=where, required=False):
        return (_field(obj, key, str, origin=origin, where=at, required=required) or "").strip()

    parliament_id = _field(value, "id", int, origin=origin, where=where)
    name = text(value, "nameDisplayAs", required=True)
    if not name:
        raise ParliamentImportError(f"{origin}: {where}.nameDisplayAs is empty")
    party = None
    latest_party = _field(value, "latestParty", dict, origin=origin, where=where, required=False)
    if latest_party is not None:
        at = f"{where}.latestParty"
        party = PartyRecord(
            parliament_id=_field(latest_party, "id", int, origin=origin, where=at),
            name=text(latest_party, "name", at=at, required=True),
            abbreviation=text(latest_party, "abbreviation", at=at),
            colour=_colour(text(latest_party, "backgroundColour", at=at)),
        )
    at = f"{where}.latestHouseMembership"
    membership = _field(value, "latestHouseMembership", dict, origin=origin, where=where)
    constituency = ConstituencyRecord(
        parliament_id=_field(membership, "membershipFromId", int, origin=origin, where=at),
        name=text(membership, "membershipFrom", at=at, required=True),
    )
    return MemberRecord(
        parliament_id=parliament_id,
        name=name,
        address_as=text(value, "nameAddressAs"),
        photo_url=_web_address(text(value, "thumbnailUrl")),
        party=party,
        constituency=constituency,
    )


def _contact_read(source: Source, *, member_id: int) -> ContactDetails:
    answer = source.read(member_contact(member_id=member_id))
    origin = answer.origin
    data = _object(answer.data, origin=origin, where="")
    entries = _field(data, "value", list, origin=origin, where="")
    contacts = []
    for index, entry in enumerate(entries):
        where = f"value[{index}]"
        entry = _object(entry, origin=origin, where=where)
        values = {
            key: (_field(entry, key, str, origin=origin, where=where, required=False) or "").strip()
            for key in (
                "type",
                "line1",
                "line2",
                "line3",
                "line4",
                "line5",
                "postcode",
                "email",
                "phone",
                "website",
            )
        }
        for key in ("isPreferred", "isWebAddress"):
            values[key] = bool(_field(entry, key, bool, origin=origin, where=where, required=False))
        contacts.append(values)
    return _contact_details(contacts)


def _contact_details(contacts: list[dict]) -> ContactDetails:
    """Pick an MP's email, phone, X handle, website and other social links from their
    Contact entries: the preferred entry first, then the Parliamentary office, then the rest
    in the API's order. Values that are not a valid address of their kind are skipped."""
    ranked = sorted(
        contacts,
        key=lambda c: (not c["isPreferred"], c["type"].casefold() != PARLIAMENTARY_OFFICE),
    )
    email = next((c["email"] for c in ranked if _is_email(c["email"])), "")
    phone = next((c["phone"] for c in ranked if c["phone"]), "")
    postal = next((_postal_address(c) for c in ranked if _postal_address(c)), "")
    x_handle, website, social_links = "", "", {}
    for contact in contacts:
        kind = contact["type"].casefold()
        address = contact["line1"] or contact["website"]
        if kind in X_CONTACT_TYPES:
            x_handle = x_handle or _x_handle(address)
        elif kind == WEBSITE_CONTACT_TYPE:
            website = website or _web_address(address)
        elif contact["type"] and contact["isWebAddress"] and _web_address(address):
            social_links.setdefault(contact["type"], _web_address(address))
    return ContactDetails(
        email=email,
        phone=fit_to_field(Representative, "phone", " ".join(phone.split())),
        x_handle=x_handle,
        social_links=social_links,
        website=website,
        postal_address=fit_to_field(Representative, "postal_address", postal),
    )


def _postal_address(contact: dict) -> str:
    """A contact's postal address, one line each (lines and postcode), or "" for a web
    address or an entry without one."""
    if contact["isWebAddress"]:
        return ""
    lines = [contact.get(f"line{n}", "") for n in range(1, 6)] + [contact.get("postcode", "")]
    lines = [" ".join(line.split()) for line in lines if line and line.strip()]
    return "\n".join(lines) if contact.get("line1") and len(lines) > 1 else ""


def _election_result_read(source: Source, *, seat: ConstituencyRecord) -> ConstituencyRecord:
    answer = source.read(constituency_election_result(constituency_id=seat.parliament_id))
    origin = answer.origin
    data = _object(answer.data, origin=origin, where="")
    if "value" not in data:
        raise ParliamentImportError(f"{origin}: value is missing")
    if data["value"] is None:  # no result on record: keep the seat, without numbers
        return seat
    result = _object(data["value"], origin=origin, where="value")
    return replace(
        seat,
        electorate=_count(result, "electorate", origin=origin, where="value"),
        turnout=_count(result, "turnout", origin=origin, where="value"),
        majority=_count(result, "majority", origin=origin, where="value"),
    )


def _colour(value: str) -> str:
    """The API's backgroundColour ("d50000") as "#d50000"; "" if it is not a colour."""
    value = value.removeprefix("#").lower()
    return f"#{value}" if re.fullmatch(r"[0-9a-f]{6}", value) else ""


def _x_handle(address: str) -> str:
    """ "https://x.com/Name", "twitter.com/Name?lang=en", "@Name" or "Name" -> "Name"."""
    if "/" in address:
        parts = urlsplit(address if "://" in address else f"https://{address}")
        address = parts.path.strip("/").split("/")[0]
    handle = address.removeprefix("@")
    return handle if re.fullmatch(r"\w{1,50}", handle, flags=re.ASCII) else ""


def _web_address(value: str) -> str:
    """An http(s) URL that fits a URLField, adding https:// to "www.example.org"; else ""."""
    if value and "://" not in value and "." in value:
        value = f"https://{value}"
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return ""
    return fit_to_field(Representative, "website", value)


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return bool(fit_to_field(Representative, "email", value))


def fit_to_field(model, field_name: str, value: str) -> str:
    """The value, or "" if it is longer than the field can hold."""
    return value if len(value) <= model._meta.get_field(field_name).max_length else ""
