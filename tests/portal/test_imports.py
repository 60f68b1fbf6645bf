"""The shared table reader refuses hostile files before any parser sees them, each with a
message the uploader can act on, and reads good .xlsx and .csv files as before.

Every hostile file is built here, small, by the test that uses it."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from portal.imports import ImportFileError, read_table

COLUMNS = ("npn", "name", "amount")
REQUIRED = ("npn", "name")


def xlsx_bytes(rows, *, header=COLUMNS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_parts(data, replace=None, add=None):
    """The zip `data` with some parts' content replaced and others added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def read(data, name="table.xlsx", **limits):
    return read_table(SimpleUploadedFile(name, data), columns=COLUMNS, required=REQUIRED, **limits)


def refused(data, name="table.xlsx", **limits):
    with pytest.raises(ImportFileError) as raised:
        read(data, name, **limits)
    return str(raised.value)


# Good files


def test_an_xlsx_file_is_read_as_before():
    rows = read(xlsx_bytes([["123", "Ada", -12.5], [None, None, None], ["456", "Grace", None]]))

    assert rows == [
        (2, {"npn": "123", "name": "Ada", "amount": -12.5}),
        (4, {"npn": "456", "name": "Grace", "amount": None}),
    ]


def test_a_csv_file_is_read_as_before():
    data = "\ufeffnpn,name,amount\n123,Ada,-12.50\n,,\n456,Grace,+1 916 555 0100\n".encode()

    assert read(data, "table.csv") == [
        (2, {"npn": "123", "name": "Ada", "amount": "-12.50"}),
        (4, {"npn": "456", "name": "Grace", "amount": "+1 916 555 0100"}),
    ]


# Size


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    big = b"npn,name\n" + b"1," + b"x" * (51 * 1024 * 1024)

    assert "larger than 10 MB" in refused(big, "table.csv")
    assert "larger than 50 MB" in refused(big, "table.csv", max_bytes=50 * 1024 * 1024)


def test_too_many_rows_are_refused():
    data = "npn,name\n" + "1,Ada\n" * 11

    assert "more than 10 rows" in refused(data.encode(), "table.csv", max_rows=10)


def test_a_sheet_that_claims_every_cell_is_read_without_padding_them():
    # A dimension claiming the whole sheet (A1:XFD1048576) and one cell in row 1,000,000:
    # openpyxl would pad every row to 16,384 columns, and append the rows the dimension
    # claims, unless told not to trust it.
    data = xlsx_bytes([["1", "Ada"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace('<dimension ref="A1:C2"/>', '<dimension ref="A1:XFD1048576"/>')
    sheet = sheet.replace(
        "</sheetData>",
        '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>2</t></is></c>'
        '<c r="XFD1000000" t="inlineStr"><is><t>far</t></is></c></row></sheetData>',
    )

    rows = read(with_parts(data, {"xl/worksheets/sheet1.xml": sheet}))

    assert rows == [
        (2, {"npn": "1", "name": "Ada", "amount": None}),
        (1000000, {"npn": "2", "name": None, "amount": None}),
    ]


def test_empty_rows_are_not_counted_against_the_limit():
    data = "npn,name\n" + "1,Ada\n" * 10 + ",\n" * 100

    assert len(read(data.encode(), "table.csv", max_rows=10)) == 10


# Wrong type behind a right extension


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "table.xlsx", "is a PDF document, not an Excel"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "table.csv", "is a PDF document, not CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "table.xlsx", "older Excel (.xls)"),
        (b"not a zip at all", "table.xlsx", "not a readable Excel (.xlsx) workbook"),
        (xlsx_bytes([["1", "Ada"]]), "table.csv", "an Excel workbook or another zip archive"),
        (b"npn,name\n1,A\x00da\n", "table.csv", "holds NUL bytes"),
        ("npn,name\n1,Zoë\n".encode("latin-1"), "table.csv", "must be saved as UTF-8"),
        (b"npn,name\n1,Ada\n", "table.pdf", "Upload an Excel workbook (.xlsx) or a CSV"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(data, name, message):
    assert message in refused(data, name)


def test_a_zip_without_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")

    assert "not a readable Excel (.xlsx) workbook" in refused(out.getvalue())


# Zip bomb


def test_a_zip_bomb_is_refused_from_its_directory():
    # 64 MB of zeros deflate to about 64 KB: a thousand to one. The zip directory says so,
    # and the file is refused before any part is unpacked.
    bomb = with_parts(xlsx_bytes([["1", "Ada"]]), add={"xl/media/padding.bin": bytes(64 << 20)})

    assert len(bomb) < 200_000
    assert "unpacks to far more data" in refused(bomb)


def test_a_workbook_whose_parts_unpack_past_the_total_limit_is_refused(monkeypatch):
    monkeypatch.setattr("portal.imports.XLSX_MAX_UNCOMPRESSED_BYTES", 10_000)

    assert "unpacks to far more data" in refused(xlsx_bytes([["1", "x" * 20_000]]))


# XML bomb


def test_a_billion_laughs_workbook_is_refused():
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
        + "".join(
            f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
            for n in range(1, 10)
        )
        + "]>\n"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    data = with_parts(xlsx_bytes([["1", "Ada"]]), add={"xl/sharedStrings.xml": laughs})

    assert "XML declarations (a DTD)" in refused(data)


def test_an_external_entity_in_utf16_is_refused():
    xxe = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    ).encode("utf-16-le")
    data = with_parts(xlsx_bytes([["1", "Ada"]]), add={"docProps/custom.xml": xxe})

    assert "XML declarations (a DTD)" in refused(data)


# Macros


def test_a_macro_enabled_workbook_is_refused_by_name():
    assert "contains macros" in refused(xlsx_bytes([["1", "Ada"]]), "table.xlsm")


def test_a_macro_enabled_workbook_renamed_xlsx_is_refused_by_content():
    data = xlsx_bytes([["1", "Ada"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )

    assert "contains macros" in refused(with_parts(data, {"[Content_Types].xml": types}))
    assert "contains macros" in refused(with_parts(data, add={"xl/vbaProject.bin": b"\xd0\xcf"}))


# Formulas


def test_a_formula_cell_in_a_workbook_is_refused_with_its_cell():
    message = refused(xlsx_bytes([["1", "Ada", "=1+1"]]))

    assert "Cell C2 holds a formula" in message


def test_a_text_cell_that_looks_like_a_formula_in_a_workbook_is_refused():
    data = xlsx_bytes([["1", "Ada"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    # A string cell (not a formula) whose text would be one when exported again as CSV.
    sheet = sheet.replace(
        "</row></sheetData>",
        '<c r="C2" t="inlineStr"><is><t>=HYPERLINK("http://x.example")</t></is></c>'
        "</row></sheetData>",
    )

    message = refused(with_parts(data, {"xl/worksheets/sheet1.xml": sheet}))

    assert "Row 2, column amount starts with “=”" in message


@pytest.mark.parametrize(
    "cell",
    ["=cmd|' /C calc'!A0", "+SUM(A1:A2)", "-2+3*cmd|' /C calc'!A0", "@SUM(A1)", "=1"],
)
def test_a_formula_in_a_csv_cell_is_refused(cell):
    data = f'npn,name\n1,"{cell.replace(chr(34), chr(34) * 2)}"\n'.encode()

    message = refused(data, "table.csv")

    assert f"Row 2, column name starts with “{cell[0]}”" in message
    assert "formulas are not accepted" in message


def test_a_malformed_csv_is_refused_with_a_message():
    data = b'npn,name\n1,"' + b"x" * 200_000 + b'"\n'

    assert "The CSV file could not be read" in refused(data, "table.csv")
