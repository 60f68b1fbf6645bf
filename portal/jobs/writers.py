"""XLSX for reports, streamed row by row (XlsxWriter's constant_memory mode).

XlsxWriter rather than openpyxl's write-only mode: on the same 100k rows it writes in about
half the time (DESIGN.md, "Performance notes"), which is what keeps a parent group's export
within 1.5x of a bare write (bench/exports.py), and its memory stays flat: each row is flushed
to a temporary file as soon as the next one starts.

Cells hold data that came from users (names, addresses), so they never become formulas or links.
PDFs are in portal/jobs/pdf.py, apart, so that only the processes that render them load
WeasyPrint.
"""

import re

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from xlsxwriter.worksheet import Worksheet

# Spreadsheet programs treat a cell starting with one of these as a formula (OWASP "CSV
# injection"); tab and carriage return can hide one after leading whitespace.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # XlsxWriter's write() would otherwise turn "=..." into a formula and "http://..." into a
    # link; every string is written as text.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "mm/dd/yyyy",
    "remove_timezone": True,
}


class _Worksheet(Worksheet):
    """XlsxWriter's worksheet, writing a carriage return as the XML character reference.

    XlsxWriter writes it as Excel's own "_x000D_" escape, which Excel decodes but other readers
    (openpyxl, pandas) show literally; "&#13;" reads back as the same character everywhere.
    The other control characters never get here (see _clean).
    """

    @staticmethod
    def _escape_control_characters(data):
        escape = Worksheet._escape_control_characters
        if not isinstance(data, str) or "\r" not in data:
            return escape(data)
        return "\r".join(escape(part) for part in data.split("\r"))

    def _escape_data(self, data):
        data = super()._escape_data(data)
        return data.replace("\r", "&#13;") if isinstance(data, str) and "\r" in data else data


def _clean(value):
    """A string without the control characters that make an invalid file.

    isprintable() is a C-speed test that is true for nearly every cell; only the rare string
    that fails it pays for the regular expression.
    """
    return value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value)


# Money cells: numbers a spreadsheet can add up, shown in dollars and cents.
MONEY_FORMAT = '"$"#,##0.00'


def write_user_text(sheet, row, column, value, quoted_format):
    """Write text that came from users into a cell, never read as a formula: text starting
    with a formula trigger gets `quoted_format` (a format with quote_prefix)."""
    if not value:
        return
    value = _clean(value)
    if value.startswith(FORMULA_TRIGGERS):
        sheet.write_string(row, column, value, quoted_format)
    else:
        sheet.write_string(row, column, value)


def write_xlsx(out, *, sheet_title, headers, rows, widths=(), total=None, progress=None):
    """Stream `rows` (an iterable of tuples) into an XLSX workbook written to the file `out`.

    Memory stays flat however many rows there are; feed it from
    `.values_list(...).iterator(chunk_size=2000)`. `progress(done, total)` is called per row.

    A string that a spreadsheet would read as a formula is written as text with Excel's own
    "quote prefix" flag (what typing a leading apostrophe does), so it shows exactly as stored
    and stays text even if someone edits the cell.
    """
    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    # Excel refuses these characters in sheet names, and names longer than 31.
    sheet = workbook.add_worksheet(
        re.sub(r"[\\/*?:\[\]]", " ", sheet_title)[:31], worksheet_class=_Worksheet
    )
    quoted = workbook.add_format({"quote_prefix": True})
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    bold = workbook.add_format({"bold": True})
    for column, header in enumerate(headers):
        sheet.write_string(0, column, _clean(header), bold)
    write, write_string = sheet.write, sheet.write_string
    for done, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                value = _clean(value)
                if value.startswith(FORMULA_TRIGGERS):
                    write_string(done, column, value, quoted)
                else:
                    write_string(done, column, value)
            else:
                write(done, column, value)
        if progress is not None:
            progress(done, total)
    workbook.close()
