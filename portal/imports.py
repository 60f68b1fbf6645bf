"""Ops' file imports: reading an uploaded .xlsx or .csv table, and its cells, all or nothing.

An import reads every row first and saves nothing if any row has a problem; the problems are
listed back as (row number, column, message) for the admin page's error report. The apps'
services check and save the rows; this module only turns a file into rows and cells into
values.
"""

import csv
import datetime
import io
import zipfile
from decimal import Decimal, InvalidOperation

from django import forms
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

IMPORT_MAX_BYTES = 10 * 1024 * 1024


class ImportFileError(Exception):
    """A file that can't be read as an import at all (as opposed to one with bad rows)."""


class ImportRowsError(Exception):
    """Rows with problems: `errors` lists (row number, column, message); nothing was saved."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


def _header(cells) -> list[str]:
    return [str(cell or "").strip().lower().replace(" ", "_") for cell in cells]


def _check_header(header, columns, required):
    unknown = [column for column in header if column and column not in columns]
    missing = [column for column in required if column not in header]
    duplicated = sorted({c for c in header if c and header.count(c) > 1})
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    if duplicated:
        problems.append(f"column(s) named twice: {', '.join(duplicated)}")
    if problems:
        raise ImportFileError("The first row must name the columns; " + "; ".join(problems) + ".")


def _rows(header, lines):
    """(row number, {column: value}) for each row with anything in it; row 1 is the header."""
    for number, cells in enumerate(lines, start=2):
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        yield (
            number,
            {column: value for column, value in zip(header, cells, strict=False) if column},
        )


def read_table(upload, *, columns, required) -> list:
    """The rows of an uploaded .xlsx or .csv file, or ImportFileError saying why not."""
    name = upload.name.lower()
    if upload.size > IMPORT_MAX_BYTES:
        raise ImportFileError("The file is larger than 10 MB; split it into smaller files.")
    if name.endswith(".xlsx"):
        try:
            workbook = load_workbook(upload, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
            raise ImportFileError("The file is not a readable Excel (.xlsx) workbook.") from error
        try:
            lines = workbook.worksheets[0].iter_rows(values_only=True)
            header = _header(next(lines, ()))
            _check_header(header, columns, required)
            return list(_rows(header, lines))
        finally:
            workbook.close()
    if name.endswith(".csv"):
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError("The CSV file must be saved as UTF-8 text.") from error
        lines = csv.reader(io.StringIO(text))
        header = _header(next(lines, []))
        _check_header(header, columns, required)
        return list(_rows(header, lines))
    raise ImportFileError("Upload an Excel workbook (.xlsx) or a CSV file (.csv).")


class ImportFileForm(forms.Form):
    """The upload form of an import; subclasses name the `columns` and `required` ones."""

    columns: tuple = ()
    required: tuple = ()

    file = forms.FileField(
        label="File (.xlsx or .csv)", widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"})
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.rows = read_table(upload, columns=self.columns, required=self.required)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        if not self.rows:
            raise forms.ValidationError("The file has no rows below its header.")
        return upload


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's number cell: 1234567.0
    return str(value).strip()


def cell_date(value) -> datetime.date:
    """A date cell, or text as YYYY-MM-DD or MM/DD/YYYY; ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise ValueError(text)


def cell_decimal(value, places="0.01") -> Decimal:
    """A number cell or text like "1,234.50" or "$12.00" (a float cell is read through its
    shortest repr, so 0.1 stays 0.1); ValueError otherwise."""
    text = repr(value) if isinstance(value, float) else cell_text(value)
    text = text.replace(",", "").replace("$", "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number.quantize(Decimal(places))
