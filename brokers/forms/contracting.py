"""Ops' forms for the carrier's contracting records: one at a time, or a file of them."""

import csv
import io
import re
import zipfile

from django import forms
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from brokers.forms.registration import tax_id_normalize
from brokers.models import ContractingRecord
from brokers.services import CONTRACTING_IMPORT_COLUMNS, CONTRACTING_IMPORT_REQUIRED_COLUMNS

IMPORT_MAX_BYTES = 10 * 1024 * 1024


class ContractingRecordAdminForm(forms.ModelForm):
    """The Tax ID typed with or without its dash; on a change, left blank to keep it."""

    tax_id = forms.CharField(
        label="Tax ID / SSN",
        max_length=11,
        required=False,
        help_text="Nine digits; a dash is allowed (12-3456789 or 123-45-6789).",
    )

    class Meta:
        model = ContractingRecord
        fields = list(CONTRACTING_IMPORT_COLUMNS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Never put the stored Tax ID back into the page.
            self.initial["tax_id"] = ""
            self.fields["tax_id"].help_text = (
                f"On file: ending {self.instance.tax_id[-4:]}. Leave blank to keep it, or "
                "enter all nine digits to change it."
            )
        else:
            self.fields["tax_id"].required = True

    def clean_tax_id(self):
        tax_id = tax_id_normalize(self.cleaned_data["tax_id"])
        if not tax_id and self.instance.pk:
            return self.instance.tax_id
        if not re.fullmatch(r"\d{9}", tax_id):
            raise forms.ValidationError("Enter the nine digits of the Tax ID.")
        return tax_id

    def clean_states_appointed(self):
        states = [s.strip().upper() for s in self.cleaned_data["states_appointed"].split(",")]
        states = [s for s in states if s]
        if any(not re.fullmatch(r"[A-Z]{2}", s) for s in states):
            raise forms.ValidationError("Use two-letter state codes separated by commas.")
        return ",".join(states)


class ImportFileError(Exception):
    """A file that can't be read as an import at all (as opposed to one with bad rows)."""


def _header(cells) -> list[str]:
    return [str(cell or "").strip().lower().replace(" ", "_") for cell in cells]


def _check_header(header):
    unknown = [column for column in header if column and column not in CONTRACTING_IMPORT_COLUMNS]
    missing = [c for c in CONTRACTING_IMPORT_REQUIRED_COLUMNS if c not in header]
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


def read_import_file(upload) -> list:
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
            _check_header(header)
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
        _check_header(header)
        return list(_rows(header, lines))
    raise ImportFileError("Upload an Excel workbook (.xlsx) or a CSV file (.csv).")


class ContractingImportForm(forms.Form):
    file = forms.FileField(
        label="File (.xlsx or .csv)", widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"})
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.rows = read_import_file(upload)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        if not self.rows:
            raise forms.ValidationError("The file has no rows below its header.")
        return upload
