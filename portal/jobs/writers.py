"""XLSX for reports, streamed row by row (openpyxl's write-only mode).

Cells hold data that came from users (names, addresses), so they never become formulas.
PDFs are in portal/jobs/pdf.py, apart, so that only the processes that render them load
WeasyPrint.
"""

import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

# Spreadsheet programs treat a cell starting with one of these as a formula (OWASP "CSV
# injection"); tab and carriage return can hide one after leading whitespace.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_cell(worksheet, value):
    """A value that is safe to append to a write-only worksheet.

    openpyxl turns any string starting with "=" into a formula. A risky string becomes an
    explicit text cell with Excel's own "quote prefix" flag (what typing a leading apostrophe
    does), so it shows exactly as stored and stays text even if someone edits the cell.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(FORMULA_TRIGGERS):
        return value
    cell = WriteOnlyCell(worksheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def write_xlsx(out, *, sheet_title, headers, rows, widths=(), total=None, progress=None):
    """Stream `rows` (an iterable of tuples) into an XLSX workbook written to the file `out`.

    openpyxl's write-only mode keeps memory flat however many rows there are; feed it from
    `.values_list(...).iterator(chunk_size=2000)`. `progress(done, total)` is called per row.
    """
    workbook = Workbook(write_only=True)
    # Excel refuses these characters in sheet names, and names longer than 31.
    sheet = workbook.create_sheet(title=re.sub(r"[\\/*?:\[\]]", " ", sheet_title)[:31])
    for letter, width in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", widths, strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for done, row in enumerate(rows, start=1):
        sheet.append([xlsx_cell(sheet, value) for value in row])
        if progress is not None:
            progress(done, total)
    workbook.save(out)
