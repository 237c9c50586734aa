"""Import a campaign's targets from the spreadsheet campaigns pass around, as CSV or XLSX.

The columns are the export's (campaigns.targets.exports.COLUMNS), with a header row, in any
order and case; only `name` is needed. `type` is mp (the default), constituency-party,
union, council or organisation; `status` is a tally status by value or label (undecided
when empty); `source` is the link where the status was reported; `region` is the
constituency's; `id` is the target's, as exported.

A row with an id is that target as the export wrote it, and the sheet is the record: a
cell that differs from what the export would write is an edit and is saved, an unedited
row writes nothing, and a column the sheet lacks is left alone. A target's type, and an
MP's seat, cannot be edited (they are which target it is), nor can a constituency's
region (a blank one is filled), nor a source without a status change (the history is not
rewritten): such an edit is a bad row, never silently dropped.

A row without an id is news from elsewhere. An MP row names a constituency we hold (by
name or ONS code) and is that seat's current MP, created if we have none; any other row is
the organisation of that type and name, created if we have none. It adds details we lack
and never overwrites ones we hold.

Either way a status that changes (or a new target's status other than undecided) needs a
`source` link, other than the one for the status it replaces, and is written through
target_status_set, leaving one history row citing the link, the file and the line.

Every row is checked before anything is written: with any bad row nothing is imported,
unless skip_invalid is set, when the good rows are. A target the sheet leaves out is not
removed.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from openpyxl import load_workbook

from campaigns.targets.exports import COLUMNS, MP, cell_text, target_cells, target_type
from campaigns.targets.models import (
    Campaign,
    Constituency,
    Organisation,
    Party,
    Representative,
    Target,
    TargetStatus,
    TargetStatusChange,
)
from campaigns.targets.selectors import spreadsheet_targets
from campaigns.targets.services import target_status_set

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
DEFAULT_STATUS = Target._meta.get_field("status").default
HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
HANDLE_URL = re.compile(r"^(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/([^/?#]+)/?$")
PHONE = re.compile(r"^\+?[0-9 ()\-]{6,25}$")
MAX_ROWS = 10_000
XLSX_START = b"PK\x03\x04"  # an XLSX file is a zip archive


class SpreadsheetError(Exception):
    """The file cannot be read as a target spreadsheet at all (not a bad row)."""


@dataclass(frozen=True)
class TargetRow:
    """A checked row: what it says, the target it is (None: a new one) and what to write."""

    line: int
    name: str
    kind: str
    constituency: Constituency | None
    status: str
    source: str
    target: Target | None
    contact: Representative | Organisation | None  # None: created with the target
    details: dict = field(default_factory=dict)  # field -> value to save on the contact
    region: str = ""  # to fill the constituency's blank region with

    @property
    def key(self) -> tuple:
        """Which target the row is, to find two rows about one."""
        if self.target is not None:
            return ("target", self.target.pk)
        if self.kind == MP:
            return (MP, self.constituency.pk)
        return (self.kind, self.name.lower())

    @property
    def status_changes(self) -> bool:
        return self.status != (self.target.status if self.target else DEFAULT_STATUS)


@dataclass
class SpreadsheetImport:
    created: int = 0
    status_changed: int = 0
    unchanged: int = 0
    updated: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self):
        return (
            f"{self.created} targets created, {self.status_changed} statuses changed, "
            f"{self.unchanged} unchanged, {self.updated} with details updated, "
            f"{len(self.invalid)} invalid rows skipped"
        )


class Held:
    """What we hold that rows are checked against, read once before any row."""

    def __init__(self, campaign: Campaign):
        self.constituencies: dict[str, Constituency] = {}
        for constituency in Constituency.objects.all():
            self.constituencies[constituency.name.lower()] = constituency
            if constituency.ons_code:
                self.constituencies[constituency.ons_code.lower()] = constituency
        self.targets = {t.pk: t for t in spreadsheet_targets(campaign.targets.all())}
        self.by_contact = {
            (target.representative_id, target.organisation_id): target
            for target in self.targets.values()
        }
        self.mps = {
            person.constituency_id: person
            for person in Representative.objects.filter(
                is_current=True, constituency__isnull=False
            ).select_related("party")
        }
        self.organisations: dict[tuple[str, str], Organisation] = {}
        for organisation in Organisation.objects.order_by("-name", "-pk"):  # first one wins
            self.organisations[(organisation.kind, organisation.name.lower())] = organisation


def sheet_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line, cells as text) of each row of a CSV (UTF-8) or XLSX file, the header first."""
    if data.startswith(XLSX_START):
        yield from _xlsx_records(data)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpreadsheetError("not UTF-8 text; save the sheet as CSV UTF-8 or XLSX") from error
    reader = csv.reader(io.StringIO(text))
    try:
        for cells in reader:
            yield reader.line_num, [cell_text(cell) for cell in cells]
    except csv.Error as error:
        raise SpreadsheetError(f"line {reader.line_num}: {error}") from error


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows. openpyxl reads the file as the rows are asked for, and a
    broken file can fail in many ways, at any row: each is "not a readable XLSX file"."""
    line = 0
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for line, values in enumerate(workbook.active.iter_rows(values_only=True), 1):
                yield line, [cell_text(value) for value in values]
        finally:
            workbook.close()
    except Exception as error:  # whatever a broken file raises
        where = f" (at row {line + 1})" if line else ""
        raise SpreadsheetError(f"not a readable XLSX file{where}") from error


def read_rows(data: bytes, held: Held):
    """Parse and check every row: (valid TargetRows, [(line, reason)] for the bad ones)."""
    records = sheet_records(data)
    try:
        _, header = next(records)
    except StopIteration:
        raise SpreadsheetError("the file is empty") from None
    header = [name.lower() for name in header]
    if "name" not in header:
        raise SpreadsheetError(
            f"the header row has no 'name' column (expected columns: {', '.join(COLUMNS)})"
        )
    where = {}
    for index, name in enumerate(header):
        if name in COLUMNS:
            where.setdefault(name, index)
    rows, invalid, seen, regions = [], [], {}, {}
    for line, cells in records:
        if not any(cells):
            continue  # a blank line
        if len(rows) + len(invalid) >= MAX_ROWS:
            raise SpreadsheetError(f"more than {MAX_ROWS} rows; split the file")
        values = {
            column: cells[where[column]] if where[column] < len(cells) else "" for column in where
        }
        try:
            row = _check(line, values, held)
        except ValidationError as error:
            invalid.append((line, "; ".join(error.messages)))
            continue
        if row.key in seen:
            invalid.append((line, f"the same target as line {seen[row.key]}"))
            continue
        if row.region:
            other_line, other = regions.get(row.constituency.pk, (line, row.region))
            if other.lower() != row.region.lower():
                invalid.append((line, f"region {row.region!r} differs from line {other_line}'s"))
                continue
            regions[row.constituency.pk] = (other_line, other)
        seen[row.key] = line
        rows.append(row)
    return rows, invalid


def _too_long(column: str, value: str, model, field_name: str) -> str | None:
    limit = model._meta.get_field(field_name).max_length
    if len(value) > limit:
        return f"{column} is longer than {limit} characters"
    return None


def _check(line: int, values: dict[str, str], held: Held) -> TargetRow:
    """Check one row against what we hold: the TargetRow, or ValidationError listing its
    problems. In a row with an id, a cell as the export wrote it is taken as it is."""
    problems = []
    target = None
    if values.get("id"):
        target = held.targets.get(int(values["id"])) if values["id"].isdigit() else None
        if target is None:
            problems.append(
                f"id {values['id']!r} is not a target of this campaign "
                "(empty the id to add the row as a new target)"
            )
            raise ValidationError(problems)
    exported = target_cells(target) if target else {}
    values = {column: values.get(column, exported.get(column, "")) for column in COLUMNS}

    def edited(column: str) -> bool:
        return not exported or values[column] != exported[column].strip()

    kind = target_type(target) if target else None
    if edited("type"):
        kind = TYPES.get(values["type"].lower() or MP)
        if kind is None:
            problems.append(f"type {values['type']!r} is not one of {', '.join(TYPES)}")
        elif target and kind != target_type(target):
            problems.append(
                f"type {values['type']!r}: a target's type cannot change "
                "(empty the id to add the row as a new target)"
            )
    contact_model = Representative if kind == MP else Organisation
    name = values["name"]
    if edited("name"):
        if not name:
            problems.append("name is empty")
        else:
            problems.append(_too_long("name", name, contact_model, "name"))
    status = target.status if target else None
    if edited("status"):
        status = STATUSES.get(values["status"].lower() or DEFAULT_STATUS)
        if status is None:
            problems.append(
                f"status {values['status']!r} is not one of {', '.join(TargetStatus.values)}"
            )
    constituency = target.constituency if target else None
    if edited("constituency"):
        constituency = None
        if values["constituency"]:
            constituency = held.constituencies.get(values["constituency"].lower())
            if constituency is None:
                problems.append(f"constituency {values['constituency']!r} is not one we hold")
        elif kind == MP:
            problems.append("an MP needs a constituency")
        if target and kind == MP and constituency and constituency != target.constituency:
            problems.append(
                f"constituency {values['constituency']!r} is not this MP's seat "
                f"({target.constituency}); an MP's seat cannot change "
                "(empty the id to add the row as a new target)"
            )
    email = values["email"].lower()
    if edited("email") and email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"email {values['email']!r} is not a valid address")
        else:
            problems.append(_too_long("email", email, contact_model, "email"))
    handle = values["twitter"]
    if edited("twitter") and handle:
        match = HANDLE_URL.match(handle)
        handle = match.group(1) if match else handle.removeprefix("@")
        if not HANDLE.match(handle):
            problems.append(f"twitter {values['twitter']!r} is not an X/Twitter handle")
    phone = values["phone"]
    if edited("phone") and phone:
        if not PHONE.match(phone):
            problems.append(f"phone {phone!r} is not a phone number")
        else:
            problems.append(_too_long("phone", phone, contact_model, "phone"))
    party = values["party"]
    if edited("party"):
        problems.append(_too_long("party", party, Party, "name"))
        if target and kind != MP and party:
            problems.append("party: an organisation has no party")
    region = values["region"]
    if edited("region"):
        problems.append(_too_long("region", region, Constituency, "region"))
    source = values["source"]
    if edited("source") and source:
        too_long = _too_long("source", source, TargetStatusChange, "source_url")
        try:
            TargetStatusChange._meta.get_field("source_url").run_validators(source)
        except ValidationError:
            problems.append(too_long or f"source {source!r} is not a link")
    problems = [problem for problem in problems if problem]
    if problems:
        raise ValidationError(problems)

    # What the row would write; for a row with an id, only its edited cells count.
    cells = {
        "name": ("name", name),
        "email": ("email", email),
        "twitter": ("x_handle", handle),
        "phone": ("phone", phone),
        "party": ("party", party if kind == MP else None),
        "constituency": ("constituency", constituency if kind != MP else None),
    }
    contact = target.contact if target else _contact_for(kind, name, constituency, held)
    if target is None and contact is not None:
        target = held.by_contact.get((contact.pk, None) if kind == MP else (None, contact.pk))
    if exported:  # the sheet is the record: an edited cell is saved
        details = _differences(
            contact, **{key: value for column, (key, value) in cells.items() if edited(column)}
        )
    elif contact is not None:  # news from elsewhere: only what we lack
        details = _blanks(contact, **dict(cells.values()))
    else:  # a new contact, created with what the row says
        del cells["name"], cells["constituency"]
        details = {key: value for key, value in cells.values() if value}
    row = TargetRow(
        line=line,
        name=name,
        kind=kind,
        constituency=constituency,
        status=status,
        source=source,
        target=target,
        contact=contact,
        details=details,
        region=_region_fill(region, constituency, by_id=bool(exported), problems=problems)
        if edited("region")
        else "",
    )
    if row.status_changes:
        _check_source(row, problems)
    elif exported and edited("source"):
        problems.append(
            "source changed but status did not: a source is recorded with a status change"
        )
    if problems:
        raise ValidationError(problems)
    return row


def _contact_for(kind, name, constituency, held: Held):
    if kind == MP:
        return held.mps.get(constituency.pk)
    return held.organisations.get((kind, name.lower()))


def _differences(contact, **values) -> dict:
    """The values (None: not a field of this kind of contact) that differ from the
    contact's."""
    changed = {}
    for key, value in values.items():
        if value is None:
            continue
        if key == "party":
            current = contact.party.name if contact.party else ""
            if value.lower() != current.lower():
                changed[key] = value
        elif key == "email":
            if value != contact.email.lower():
                changed[key] = value
        elif value != getattr(contact, key):
            changed[key] = value
    return changed


def _blanks(contact, **values) -> dict:
    """The values that fill details the contact lacks."""
    return {
        key: value
        for key, value in values.items()
        if value and not getattr(contact, key + ("_id" if key in ("party", "constituency") else ""))
    }


def _region_fill(region, constituency, *, by_id: bool, problems: list) -> str:
    """The region to fill the constituency's blank one with. In a row with an id, an edit
    of a region we hold, or of a region without a constituency, is a problem; in a row
    without, it is ignored (we never overwrite with news from elsewhere)."""
    if not region:
        return ""
    if constituency is None:
        if by_id:
            problems.append("region: a target without a constituency has no region")
        return ""
    if not constituency.region:
        return region
    if by_id and region.lower() != constituency.region.lower():
        problems.append(
            f"region {region!r} is not {constituency}'s ({constituency.region}); a "
            "constituency's region is changed on the constituency, not here"
        )
    return ""


def _check_source(row: TargetRow, problems: list) -> None:
    label = TargetStatus(row.status).label
    if not row.source:
        problems.append(f"status {label!r} needs a source: the link where it was reported")
    elif row.target and row.source == row.target.status_source:
        problems.append(
            f"source is the link for the status {row.target.get_status_display()!r}; "
            f"give the one that reports {label!r}"
        )


def targets_import(
    *, campaign: Campaign, data: bytes, source: str, skip_invalid: bool = False
) -> SpreadsheetImport:
    """Create or update a campaign's targets from a spreadsheet file's bytes (CSV or XLSX).

    All or nothing: raises ValidationError listing every bad row (as "line N: reason") and
    writes nothing, unless skip_invalid, when the good rows are imported and the bad ones
    returned in `invalid`. Status changes are written through target_status_set, so each
    leaves one history row citing the row's source link, the file and line. A row that
    changes nothing writes nothing, so running it again changes nothing.
    """
    rows, invalid = read_rows(data, Held(campaign))
    if invalid and not skip_invalid:
        raise ValidationError([f"line {line}: {reason}" for line, reason in invalid])
    result = SpreadsheetImport(invalid=invalid)
    with transaction.atomic():
        for row in rows:
            created = row.target is None
            target = _target_write(campaign, row)
            if row.region:
                Constituency.objects.filter(pk=row.constituency.pk, region="").update(
                    region=row.region
                )
            if row.status_changes:
                target_status_set(
                    target=target,
                    status=row.status,
                    source_url=row.source,
                    note=f"Imported from {source}, line {row.line}",
                )
            if created:
                result.created += 1
                continue
            result.status_changed += row.status_changes
            result.updated += bool(row.details or row.region)
            result.unchanged += not (row.status_changes or row.details or row.region)
    return result


def _target_write(campaign: Campaign, row: TargetRow) -> Target:
    """The row's target, created if new, with the row's details saved on its contact."""
    details = dict(row.details)
    if "party" in details:
        details["party"] = _party(details["party"])
    contact = row.contact
    if contact is None and row.kind == MP:
        contact = Representative.objects.create(
            name=row.name, constituency=row.constituency, **details
        )
    elif contact is None:
        contact = Organisation.objects.create(
            name=row.name, kind=row.kind, constituency=row.constituency, **details
        )
    elif details:
        for key, value in details.items():
            setattr(contact, key, value)
        contact.save(update_fields=list(details))
    if row.target is not None:
        return row.target
    if row.kind == MP:
        return Target.objects.create(campaign=campaign, representative=contact)
    return Target.objects.create(campaign=campaign, organisation=contact)


def _party(name: str) -> Party | None:
    if not name:
        return None
    return Party.objects.filter(name__iexact=name).first() or Party.objects.create(name=name)
