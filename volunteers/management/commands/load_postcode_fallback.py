"""Load the local postcode fallback table (PostcodeFallback) from a CSV file.

The CSV has a header row with the columns `postcode` (a full postcode or an outcode),
`constituency_code` (ONS code), `constituency_name` and, optionally, `region`,
`latitude` and `longitude`. Every row is checked first; one bad row means nothing is
loaded, and every bad row is reported with its line number. Rows are matched on their
postcode, so loading the same file again changes nothing.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from volunteers.models import PostcodeFallback
from volunteers.places import InvalidPostcode, normalise_outcode, normalise_postcode

REQUIRED_COLUMNS = ("postcode", "constituency_code", "constituency_name")
OPTIONAL_COLUMNS = ("region", "latitude", "longitude")
FIELDS = ("constituency_code", "constituency_name", "region", "latitude", "longitude")
ONS_CODE_RE = re.compile(r"[A-Z][0-9]{8}")
NAME_MAX = PostcodeFallback._meta.get_field("constituency_name").max_length
REGION_MAX = PostcodeFallback._meta.get_field("region").max_length


@dataclass
class Row:
    line: int
    code: str
    values: dict


class Command(BaseCommand):
    help = "Load postcodes and outcodes with their constituencies into the fallback table."

    def add_arguments(self, parser):
        parser.add_argument(
            "csv_path", metavar="CSV", help="CSV file: postcode, constituency_code, ..."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Empty the table first, so it holds exactly the rows of this file.",
        )

    def handle(self, *args, csv_path: str, replace: bool = False, **options):
        rows, errors = self._read(Path(csv_path))
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{len(errors)} bad row(s) in {csv_path}; nothing was loaded.")
        created, updated, unchanged, removed = self._load(rows, replace=replace)
        summary = f"Postcode fallback: {created} created, {updated} updated, {unchanged} unchanged"
        if replace:
            summary += f", {removed} removed first (--replace)"
        self.stdout.write(self.style.SUCCESS(summary + "."))

    def _read(self, path: Path) -> tuple[list[Row], list[str]]:
        try:
            file = path.open(newline="", encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot open {path}: {error.strerror or error}") from error
        rows, errors, first_line = [], [], {}
        with file:
            reader = csv.DictReader(file)
            try:
                header = [(name or "").strip().lower() for name in reader.fieldnames or []]
            except (UnicodeDecodeError, csv.Error) as error:
                raise CommandError(f"Cannot read {path}: {error}") from error
            self._check_header(path, header)
            reader.fieldnames = header
            try:
                for record in reader:
                    line = reader.line_num
                    row, problems = self._parse(line, record)
                    if row is not None and row.code in first_line:
                        problems.append(f"{row.code} repeats line {first_line[row.code]}")
                    if problems:
                        errors.append(f"line {line}: " + "; ".join(problems))
                    else:
                        first_line[row.code] = line
                        rows.append(row)
            except (UnicodeDecodeError, csv.Error) as error:
                raise CommandError(
                    f"Cannot read {path} after line {reader.line_num}: {error}"
                ) from error
        return rows, errors

    def _check_header(self, path: Path, header: list[str]) -> None:
        if not header:
            raise CommandError(f"{path} is empty: expected a header row.")
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if missing or unknown or len(set(header)) != len(header):
            problems = []
            if missing:
                problems.append("missing " + ", ".join(missing))
            if unknown:
                problems.append("unknown " + ", ".join(repr(name) for name in unknown))
            if len(set(header)) != len(header):
                problems.append("a column repeats")
            raise CommandError(
                f"Bad header in {path} ({'; '.join(problems)}): expected "
                f"{', '.join(REQUIRED_COLUMNS)} and optionally {', '.join(OPTIONAL_COLUMNS)}."
            )

    def _parse(self, line: int, record: dict) -> tuple[Row | None, list[str]]:
        if None in record:
            return None, ["more values than columns"]
        value = {name: (record.get(name) or "").strip() for name in record}
        problems = []
        code = None
        try:
            code = normalise_postcode(value["postcode"])
        except InvalidPostcode:
            try:
                code = normalise_outcode(value["postcode"])
            except InvalidPostcode:
                problems.append(f"{value['postcode']!r} is not a postcode or outcode")
        ons_code = value["constituency_code"].upper()
        if not ons_code:
            problems.append("constituency_code is missing")
        elif not ONS_CODE_RE.fullmatch(ons_code):
            problems.append(f"constituency_code {ons_code!r} is not an ONS code like E14001172")
        name = value["constituency_name"]
        if not name:
            problems.append("constituency_name is missing")
        elif len(name) > NAME_MAX:
            problems.append(f"constituency_name is longer than {NAME_MAX} characters")
        region = value.get("region", "")
        if len(region) > REGION_MAX:
            problems.append(f"region is longer than {REGION_MAX} characters")
        latitude = _number(value.get("latitude", ""), "latitude", 90, problems)
        longitude = _number(value.get("longitude", ""), "longitude", 180, problems)
        if problems:
            return (Row(line, code, {}) if code else None), problems
        return Row(
            line,
            code,
            {
                "constituency_code": ons_code,
                "constituency_name": name,
                "region": region,
                "latitude": latitude,
                "longitude": longitude,
            },
        ), []

    @transaction.atomic
    def _load(self, rows: list[Row], *, replace: bool) -> tuple[int, int, int, int]:
        removed = PostcodeFallback.objects.all().delete()[0] if replace else 0
        existing = PostcodeFallback.objects.in_bulk([row.code for row in rows], field_name="code")
        new, changed, unchanged = [], [], 0
        for row in rows:
            current = existing.get(row.code)
            if current is None:
                new.append(PostcodeFallback(code=row.code, **row.values))
            elif any(getattr(current, name) != row.values[name] for name in FIELDS):
                for name in FIELDS:
                    setattr(current, name, row.values[name])
                changed.append(current)
            else:
                unchanged += 1
        PostcodeFallback.objects.bulk_create(new, batch_size=1000)
        PostcodeFallback.objects.bulk_update(changed, FIELDS, batch_size=500)
        return len(new), len(changed), unchanged, removed


def _number(text: str, name: str, limit: float, problems: list[str]) -> float | None:
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        problems.append(f"{name} {text!r} is not a number")
        return None
    if not -limit <= number <= limit:  # also rejects nan
        problems.append(f"{name} {text!r} is out of range")
        return None
    return number
