"""The target spreadsheet organisers pass around, as CSV or XLSX."""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

COLUMNS = ["name", "constituency", "party", "status", "email", "handle", "phone"]
# A cell starting with one of these is a formula to a spreadsheet program: a name such as
# "=HYPERLINK(...)" typed into the site must arrive as text, not run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def target_rows(targets) -> list[list[str]]:
    """One row per target, in COLUMNS order; `targets` should come from campaign_targets."""
    return [
        [
            target.name,
            target.constituency.name if target.constituency else "",
            target.party.name if target.party else "",
            target.get_status_display(),
            target.email,
            target.x_handle,  # bare: a leading @ would read as a formula
            target.phone,
        ]
        for target in targets
    ]


def spreadsheet_safe(value: str) -> str:
    """The cell as text a spreadsheet program will show, never run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


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
