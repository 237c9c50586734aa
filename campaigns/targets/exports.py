"""The target spreadsheet organisers pass around, as CSV or XLSX.

Its columns are defined here once: the export writes them and the import
(importers/spreadsheet.py) reads them, and both see a target through target_cells, so a
sheet exported, edited and imported again changes exactly the cells that were edited.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from core.cells import FORMULA_STARTS, spreadsheet_safe

# The first seven are the sheet's original columns, in their original places.
COLUMNS = [
    "name",
    "constituency",
    "party",
    "status",  # the label ("Nominated someone else"); the import also takes the value
    "email",
    "twitter",  # the bare handle: a leading @ would read as a formula
    "phone",
    "type",  # mp, or the organisation's kind
    "region",  # the constituency's
    "source",  # the link reporting the current status
    "id",  # the target's: a row with an id is that target as exported
]
MP = "mp"


def target_type(target) -> str:
    """What the `type` column says of a target: mp, or its organisation's kind."""
    return MP if target.representative_id else target.organisation.kind


def target_cells(target) -> dict[str, str]:
    """What the sheet says of a target, by column. `target` should come from
    selectors.spreadsheet_targets, which gives it `status_source`."""
    constituency = target.constituency
    return {
        "name": target.name,
        "constituency": constituency.name if constituency else "",
        "party": target.party.name if target.party else "",
        "status": target.get_status_display(),
        "email": target.email,
        "twitter": target.x_handle,
        "phone": target.phone,
        "type": target_type(target),
        "region": constituency.region if constituency else "",
        "source": target.status_source,
        "id": str(target.pk),
    }


def target_rows(targets) -> list[list[str]]:
    """One row per target, in COLUMNS order; `targets` should come from
    selectors.spreadsheet_targets."""
    return [[cells[column] for column in COLUMNS] for cells in map(target_cells, targets)]


def cell_text(value) -> str:
    """A cell read back from a sheet as text: without the quote spreadsheet_safe put before
    a formula character, without surrounding spaces; a number a spreadsheet program made of
    a cell as its digits ("" for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text.strip()


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")  # with a BOM, so Excel reads UTF-8


def as_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Targets")
    sheet.append(COLUMNS)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # always text, never a formula
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
