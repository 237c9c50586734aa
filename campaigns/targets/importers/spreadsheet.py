"""Import a campaign's targets from the spreadsheet campaigns pass around.

Columns (header row, any order and case): name, constituency, party, email, twitter,
phone, status, type. `type` is mp (the default), constituency-party, union, council or
organisation; `status` is a tally status by value or label (undecided when empty). An MP
row names a constituency we hold (by name or ONS code) and becomes that seat's current MP,
created if we have none. Every row is checked before anything is written: with any bad row
nothing is imported, unless skip_invalid is set, when the good rows are.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from campaigns.targets.models import (
    Campaign,
    Constituency,
    Organisation,
    Party,
    Representative,
    Target,
    TargetStatus,
)
from campaigns.targets.services import target_status_set

COLUMNS = ("name", "constituency", "party", "email", "twitter", "phone", "status", "type")
MP = "mp"
TYPES = {
    "mp": MP,
    "member of parliament": MP,
    "constituency-party": Organisation.Kind.CONSTITUENCY_PARTY,
    "constituency party": Organisation.Kind.CONSTITUENCY_PARTY,
    "clp": Organisation.Kind.CONSTITUENCY_PARTY,
    "union": Organisation.Kind.UNION,
    "trade union": Organisation.Kind.UNION,
    "council": Organisation.Kind.COUNCIL,
    "organisation": Organisation.Kind.OTHER,
    "organization": Organisation.Kind.OTHER,
    "other": Organisation.Kind.OTHER,
}
STATUSES = {s.value: s.value for s in TargetStatus} | {
    s.label.lower(): s.value for s in TargetStatus
}
HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
HANDLE_URL = re.compile(r"^(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/([^/?#]+)/?$")
PHONE = re.compile(r"^\+?[0-9 ()\-]{6,25}$")
MAX_ROWS = 10_000


class SpreadsheetError(Exception):
    """The file cannot be read as a target spreadsheet at all (not a bad row)."""


@dataclass(frozen=True)
class TargetRow:
    line: int
    name: str
    kind: str
    constituency: Constituency | None
    party: str
    email: str
    x_handle: str
    phone: str
    status: str


@dataclass
class SpreadsheetImport:
    created: int = 0
    status_changed: int = 0
    unchanged: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self):
        return (
            f"{self.created} targets created, {self.status_changed} statuses changed, "
            f"{self.unchanged} unchanged, {len(self.invalid)} invalid rows skipped"
        )


def read_rows(text: str, constituencies: dict[str, Constituency]):
    """Parse and check every row: (valid TargetRows, [(line, reason)] for the bad ones)."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise SpreadsheetError("the file is empty")
    header = [(name or "").strip().lower() for name in reader.fieldnames]
    if "name" not in header:
        raise SpreadsheetError(
            f"the header row has no 'name' column (expected columns: {', '.join(COLUMNS)})"
        )
    reader.fieldnames = header
    rows, invalid, seen = [], [], {}
    for record in reader:
        line = reader.line_num
        if len(rows) + len(invalid) >= MAX_ROWS:
            raise SpreadsheetError(f"more than {MAX_ROWS} rows; split the file")
        values = {key: (record.get(key) or "").strip() for key in COLUMNS}
        if not any(values.values()):
            continue  # a blank line
        try:
            row = _check(line, values, constituencies)
        except ValidationError as error:
            invalid.append((line, "; ".join(error.messages)))
            continue
        key = (row.kind, row.constituency.pk if row.kind == MP else row.name.lower())
        if key in seen:
            invalid.append((line, f"the same target as line {seen[key]}"))
            continue
        seen[key] = line
        rows.append(row)
    return rows, invalid


def _check(line, values, constituencies) -> TargetRow:
    problems = []
    name = values["name"]
    if not name:
        problems.append("name is empty")
    elif len(name) > 150:
        problems.append("name is longer than 150 characters")
    kind = TYPES.get(values["type"].lower() or MP)
    if kind is None:
        problems.append(f"type {values['type']!r} is not one of mp, {', '.join(TYPES)}")
    status = STATUSES.get(values["status"].lower() or TargetStatus.UNDECIDED)
    if status is None:
        problems.append(
            f"status {values['status']!r} is not one of {', '.join(TargetStatus.values)}"
        )
    constituency = None
    if values["constituency"]:
        constituency = constituencies.get(values["constituency"].lower())
        if constituency is None:
            problems.append(f"constituency {values['constituency']!r} is not one we hold")
    elif kind == MP:
        problems.append("an MP needs a constituency")
    email = values["email"].lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"email {values['email']!r} is not a valid address")
    handle = values["twitter"]
    if handle:
        match = HANDLE_URL.match(handle)
        handle = match.group(1) if match else handle.removeprefix("@")
        if not HANDLE.match(handle):
            problems.append(f"twitter {values['twitter']!r} is not an X/Twitter handle")
    phone = values["phone"]
    if phone and not PHONE.match(phone):
        problems.append(f"phone {phone!r} is not a phone number")
    if len(values["party"]) > 100:
        problems.append("party is longer than 100 characters")
    if problems:
        raise ValidationError(problems)
    return TargetRow(line, name, kind, constituency, values["party"], email, handle, phone, status)


def targets_import(
    *, campaign: Campaign, text: str, source: str, skip_invalid: bool = False
) -> SpreadsheetImport:
    """Create or update a campaign's targets from spreadsheet text.

    All or nothing: raises ValidationError listing every bad row (as "line N: reason") and
    writes nothing, unless skip_invalid, when the good rows are imported and the bad ones
    returned in `invalid`. Status changes are written through target_status_set, so each
    leaves one history row citing the file and line. Running it again changes nothing.
    """
    constituencies = {}
    for constituency in Constituency.objects.all():
        constituencies[constituency.name.lower()] = constituency
        if constituency.ons_code:
            constituencies[constituency.ons_code.lower()] = constituency
    rows, invalid = read_rows(text, constituencies)
    if invalid and not skip_invalid:
        raise ValidationError([f"line {line}: {reason}" for line, reason in invalid])
    result = SpreadsheetImport(invalid=invalid)
    with transaction.atomic():
        for row in rows:
            target, created = _target_for(campaign, row)
            result.created += created
            change = target_status_set(
                target=target, status=row.status, note=f"Imported from {source}, line {row.line}"
            )
            if change is not None and not created:
                result.status_changed += 1
            elif change is None and not created:
                result.unchanged += 1
    return result


def _target_for(campaign: Campaign, row: TargetRow) -> tuple[Target, bool]:
    details = {"email": row.email, "phone": row.phone, "x_handle": row.x_handle}
    if row.kind == MP:
        party = None
        if row.party:
            party = Party.objects.filter(name__iexact=row.party).first()
            party = party or Party.objects.create(name=row.party)
        person = Representative.objects.filter(
            constituency=row.constituency, is_current=True
        ).first()
        if person is None:
            person = Representative.objects.create(
                name=row.name, constituency=row.constituency, party=party, **details
            )
        else:
            _fill_blanks(person, party=party, **details)
        return Target.objects.get_or_create(campaign=campaign, representative=person)
    organisation = Organisation.objects.filter(name__iexact=row.name, kind=row.kind).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            name=row.name, kind=row.kind, constituency=row.constituency, **details
        )
    else:
        _fill_blanks(organisation, constituency=row.constituency, **details)
    return Target.objects.get_or_create(campaign=campaign, organisation=organisation)


def _fill_blanks(instance, **values) -> None:
    """Add what the spreadsheet knows that we don't; never overwrite imported details."""
    changed = [k for k, v in values.items() if v and not getattr(instance, k)]
    for key in changed:
        setattr(instance, key, values[key])
    if changed:
        instance.save(update_fields=changed)
