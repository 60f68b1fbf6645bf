"""Ops' and employers' file imports: reading an uploaded .xlsx or .csv table, and its cells, all
or nothing.

An import reads every row first and saves nothing if any row has a problem; the problems are
listed back as (row number, column, message) for the page's error report. The apps' services
check and save the rows; this module only turns a file into rows and cells into values.

Uploads come from outside, so a file is checked before any parser sees it (see `read_table`):
its size, its real type by content (not by its name), and for a workbook the zip directory
(zip bombs), the XML (entity bombs), macros and formulas. Each refusal is an ImportFileError
whose message the uploader reads.
"""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree
from xml.parsers import expat

from django import forms
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_ROWS = 200_000
EXCEL_MAX_ROWS = 1_048_576
# A workbook's parts, unpacked, may hold at most this much XML in all. A real sheet compresses
# 5-30 times; a zip bomb expands thousands of times from a few kilobytes.
XLSX_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
XLSX_MAX_COMPRESSION_RATIO = 200
XLSX_MAX_PARTS = 1000
# Content types and part names that mean the workbook carries a VBA project (macros).
MACRO_MARKERS = (b"macroEnabled", b"vbaProject")
# A DTD is how an XML bomb (billion laughs) or an external entity gets in; no part of a real
# workbook has one. Searched for in each of the encodings an XML parser would accept.
DTD_MARKERS = tuple(
    token.encode(encoding)
    for token in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
SCAN_CHUNK_BYTES = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and Office files protected by a password
# A text cell starting with one of these is read as a formula by a spreadsheet that opens the
# data later (formula injection), unless it is a plain number or phone number ("-12.50",
# "+1 916 555 0100"): digits and punctuation alone can call no function.
FORMULA_STARTS = ("=", "+", "-", "@")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9 ().,+-]*[0-9][0-9 ().,+-]*")
FORMULA_TAGS = {
    f"{{{namespace}}}f"
    for namespace in (
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "Strict Open XML"
    )
}
CELL_TAGS = {tag[:-1] + "c" for tag in FORMULA_TAGS}

NOT_XLSX_MESSAGE = "The file is not a readable Excel (.xlsx) workbook."
MACRO_MESSAGE = (
    "The workbook contains macros, which are not accepted. Save it as an Excel Workbook (.xlsx) "
    "without macros and upload it again."
)
BOMB_MESSAGE = (
    "The workbook unpacks to far more data than a table of this size holds, so it was refused. "
    "Save it again from your spreadsheet, or as CSV UTF-8, and upload that."
)
DTD_MESSAGE = (
    "The workbook contains XML declarations (a DTD) that spreadsheets never write, so it was "
    "refused. Save it again from your spreadsheet and upload that."
)
# What a file that is something else altogether starts with, and what to call it.
OTHER_FORMATS = (
    (b"%PDF", "a PDF document"),
    (OLE_MAGIC, "an older Excel (.xls) workbook or a password-protected file"),
    (ZIP_MAGIC, "an Excel workbook or another zip archive"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
)


class ImportFileError(Exception):
    """A file that can't be read as an import at all (as opposed to one with bad rows)."""


class ImportRowsError(Exception):
    """Rows with problems: `errors` lists (row number, column, message); nothing was saved."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


class _FormulaFound(Exception):
    def __init__(self, cell):
        super().__init__(cell)
        self.cell = cell


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


def _rows(header, lines, max_rows):
    """(row number, {column: value}) for each row with anything in it; row 1 is the header.

    Empty rows are skipped and not counted (spreadsheets keep formatted empty rows), but no
    sheet goes past Excel's last row: a file that claims to is refused rather than walked.
    """
    count = 0
    for number, cells in enumerate(lines, start=2):
        if number > EXCEL_MAX_ROWS:
            raise ImportFileError(f"The file has more than {EXCEL_MAX_ROWS:,} rows.")
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        count += 1
        if count > max_rows:
            raise ImportFileError(
                f"The file has more than {max_rows:,} rows; split it into smaller files."
            )
        yield (
            number,
            {column: value for column, value in zip(header, cells, strict=False) if column},
        )


def _megabytes(size):
    return f"{size / (1024 * 1024):g} MB"


def read_table(
    upload, *, columns, required, max_bytes=IMPORT_MAX_BYTES, max_rows=IMPORT_MAX_ROWS
) -> list:
    """The rows of an uploaded .xlsx or .csv file, or ImportFileError saying why not.

    Nothing of the file is parsed before its size and its real type are checked; a workbook's
    zip directory and XML are checked before openpyxl opens it.
    """
    name = upload.name.lower()
    if upload.size > max_bytes:
        raise ImportFileError(
            f"The file is larger than {_megabytes(max_bytes)}; split it into smaller files."
        )
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise ImportFileError(MACRO_MESSAGE)
    if name.endswith(".xlsx"):
        rows = _read_xlsx(upload, columns, required, max_rows)
    elif name.endswith(".csv"):
        rows = _read_csv(upload, columns, required, max_rows)
    else:
        raise ImportFileError("Upload an Excel workbook (.xlsx) or a CSV file (.csv).")
    _refuse_formula_text(rows)
    return rows


def _read_xlsx(upload, columns, required, max_rows):
    upload.seek(0)
    _check_workbook_archive(upload)
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        ElementTree.ParseError,
        KeyError,
        ValueError,
        TypeError,
        OSError,
    ) as error:
        raise ImportFileError(NOT_XLSX_MESSAGE) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError(NOT_XLSX_MESSAGE)
        sheet = workbook.worksheets[0]
        # The sheet's own <dimension> is not trusted: openpyxl pads every row to it, so a
        # declared A1:XFD1048576 would make millions of empty cells out of a tiny file.
        sheet.reset_dimensions()
        header = _header(next(sheet.iter_rows(max_row=1, values_only=True), ()))
        _check_header(header, columns, required)
        lines = sheet.iter_rows(min_row=2, max_col=max(len(header), 1), values_only=True)
        return list(_rows(header, lines, max_rows))
    except (ElementTree.ParseError, KeyError, ValueError, TypeError) as error:
        raise ImportFileError(NOT_XLSX_MESSAGE) from error
    finally:
        workbook.close()


def _check_workbook_archive(upload):
    """Refuse a workbook that is not what an .xlsx is, or that would harm the reader: checked
    from the zip directory and the raw parts, before any XML parser or openpyxl sees them."""
    _refuse_other_format(upload.read(8), expected=ZIP_MAGIC, wanted="an Excel (.xlsx) workbook")
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(NOT_XLSX_MESSAGE) from error
    with archive:
        parts = archive.infolist()
        names = {part.filename for part in parts}
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise ImportFileError(NOT_XLSX_MESSAGE)
        # Python's zipfile stops at a part's declared size (and then fails its CRC check), so
        # the sizes in the directory bound what reading the parts can unpack.
        if len(parts) > XLSX_MAX_PARTS:
            raise ImportFileError(BOMB_MESSAGE)
        if sum(part.file_size for part in parts) > XLSX_MAX_UNCOMPRESSED_BYTES:
            raise ImportFileError(BOMB_MESSAGE)
        for part in parts:
            # Small parts may compress well past the ratio without harm (a few KB of styles).
            floor = max(part.compress_size, 1024)
            if part.file_size > XLSX_MAX_COMPRESSION_RATIO * floor:
                raise ImportFileError(BOMB_MESSAGE)
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise ImportFileError(MACRO_MESSAGE)
        if any(marker in archive.read("[Content_Types].xml") for marker in MACRO_MARKERS):
            raise ImportFileError(MACRO_MESSAGE)
        for part in parts:
            _scan_part(archive, part)


def _scan_part(archive, part):
    """Read one part in chunks: refuse a DTD anywhere, and a formula (<f>) in any cell.

    The formula search runs expat directly, with no tree kept, on bytes that have already
    been searched for a DTD, so no entity is ever declared, let alone expanded.
    """
    parser = None
    if part.filename.lower().endswith(".xml"):
        parser = _formula_finder()
    overlap = max(len(marker) for marker in DTD_MARKERS) - 1
    tail = b""
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(SCAN_CHUNK_BYTES):
                window = tail + chunk
                if any(marker in window for marker in DTD_MARKERS):
                    raise ImportFileError(DTD_MESSAGE)
                tail = window[-overlap:]
                if parser is not None:
                    parser.Parse(chunk, False)
            if parser is not None:
                parser.Parse(b"", True)
    except _FormulaFound as found:
        where = f"Cell {found.cell}" if found.cell else "A cell"
        raise ImportFileError(
            f"{where} holds a formula; formulas are not accepted. Paste the cells back as plain "
            "values (Paste Special › Values) and upload the file again."
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ImportFileError(NOT_XLSX_MESSAGE) from error
    except expat.ExpatError as error:
        raise ImportFileError(NOT_XLSX_MESSAGE) from error


def _formula_finder():
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    cell = {"ref": ""}

    def start(tag, attributes):
        # Namespaced tags arrive as "uri}local"; the sheet's own cells are in FORMULA_TAGS' ns.
        tag = "{" + tag
        if tag in CELL_TAGS:
            cell["ref"] = attributes.get("r", "")
        elif tag in FORMULA_TAGS:
            raise _FormulaFound(cell["ref"])

    parser.StartElementHandler = start
    return parser


def _refuse_other_format(head, *, expected, wanted):
    """ImportFileError naming what the file really is, when its first bytes say it is not
    `wanted` (a renamed PDF, say). `expected` is the signature `wanted` starts with, if any."""
    if expected and head.startswith(expected):
        return
    for signature, what in OTHER_FORMATS:
        if head.startswith(signature):
            raise ImportFileError(
                f"The file is {what}, not {wanted}, whatever its name says. Upload the table "
                "as an Excel workbook (.xlsx) or a CSV file (.csv)."
            )
    if expected:
        raise ImportFileError(NOT_XLSX_MESSAGE)


def _read_csv(upload, columns, required, max_rows):
    upload.seek(0)
    data = upload.read()
    _refuse_other_format(data[:8], expected=None, wanted="CSV text")
    if b"\x00" in data:
        raise ImportFileError(
            "The file is not CSV text (it holds NUL bytes). Save it from your spreadsheet as "
            "CSV UTF-8 and upload it again."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError("The CSV file must be saved as UTF-8 text.") from error
    try:
        lines = csv.reader(io.StringIO(text))
        header = _header(next(lines, []))
        _check_header(header, columns, required)
        return list(_rows(header, lines, max_rows))
    except csv.Error as error:
        raise ImportFileError(
            f"The CSV file could not be read ({error}). Save it from your spreadsheet as CSV "
            "UTF-8 and upload it again."
        ) from error


def _refuse_formula_text(rows):
    """A text cell that a spreadsheet would run as a formula is refused in either format:
    these rows may be exported again and opened in a spreadsheet by someone else."""
    for number, values in rows:
        for column, value in values.items():
            if (
                isinstance(value, str)
                and value.startswith(FORMULA_STARTS)
                and not PLAIN_NUMBER.fullmatch(value)
            ):
                raise ImportFileError(
                    f"Row {number}, column {column} starts with “{value[0]}”, which a "
                    "spreadsheet would run as a formula; formulas are not accepted. Enter the "
                    "value itself and upload the file again."
                )


class ImportFileForm(forms.Form):
    """The upload form of an import; subclasses name the `columns` and `required` ones."""

    columns: tuple = ()
    required: tuple = ()
    max_bytes = IMPORT_MAX_BYTES
    max_rows = IMPORT_MAX_ROWS

    file = forms.FileField(
        label="File (.xlsx or .csv)", widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"})
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.rows = read_table(
                upload,
                columns=self.columns,
                required=self.required,
                max_bytes=self.max_bytes,
                max_rows=self.max_rows,
            )
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
