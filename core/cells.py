"""Cells of CSV and spreadsheet exports: text a spreadsheet program shows, never runs."""

# A cell starting with one of these is a formula to a spreadsheet program: a name such as
# "=HYPERLINK(...)" typed into the site must arrive as text, not run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """The cell as text a spreadsheet program will show, never run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
