import datetime
import io
import logging
import socket
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from portal.jobs.pdf import (
    PDF_BASE_URL,
    RefusedURL,
    StaticOnlyURLFetcher,
    pdf_document,
    pdf_from_html,
)
from portal.jobs.writers import write_xlsx

RISKY = [
    "=1+1",
    '=HYPERLINK("http://evil.example","click")',
    "+1-2",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]
LOGO = PDF_BASE_URL + "static/img/carrier-logo.svg"
# A 1x1 GIF.
DATA_IMAGE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def xlsx(rows, **kwargs):
    out = io.BytesIO()
    write_xlsx(out, sheet_title="Test", headers=["A", "B"], rows=rows, **kwargs)
    out.seek(0)
    return out


def test_formula_like_strings_are_stored_as_text():
    out = xlsx([(value, "plain") for value in RISKY])

    sheet = load_workbook(out).active
    cells = [sheet.cell(row=row, column=1) for row in range(2, len(RISKY) + 2)]
    assert [cell.value for cell in cells] == RISKY
    assert {cell.data_type for cell in cells} == {"s"}
    # Excel's "quote prefix": the cell stays text even if someone edits it.
    assert all(cell.quotePrefix for cell in cells)
    assert sheet["B2"].value == "plain"
    with zipfile.ZipFile(out) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_other_values_keep_their_types():
    out = xlsx([(5, datetime.date(1980, 5, 17)), (None, "a\x00b")])

    sheet = load_workbook(out).active
    assert sheet["A2"].value == 5
    assert sheet["B2"].value.date() == datetime.date(1980, 5, 17)
    assert sheet["B2"].is_date
    assert sheet["A3"].value is None
    # Control characters that would make an invalid file are dropped.
    assert sheet["B3"].value == "ab"


def test_progress_is_reported_per_row():
    calls = []

    xlsx([("a", "b")] * 3, total=3, progress=lambda done, total: calls.append((done, total)))

    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_sheet_title_is_made_acceptable_to_excel():
    out = io.BytesIO()
    write_xlsx(out, sheet_title="Subscribers 12/34 [x]: a very long name", headers=[], rows=[])
    out.seek(0)
    assert load_workbook(out).sheetnames == ["Subscribers 12 34  x   a very l"]


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/static/img/carrier-logo.svg",
        "file:///etc/passwd",
        "ftp://example.com/x",
        PDF_BASE_URL + "etc/passwd",
        PDF_BASE_URL + "static/../../../etc/passwd",
        PDF_BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        PDF_BASE_URL + "static//etc/passwd",
        PDF_BASE_URL + "static/img/no-such-file.png",
        LOGO + "?x=1",
    ],
)
def test_pdf_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(RefusedURL):
        StaticOnlyURLFetcher()(url)


def test_pdf_fetcher_serves_static_files_and_data_uris():
    logo = StaticOnlyURLFetcher()(LOGO)
    assert logo.read() == (Path(settings.BASE_DIR) / "static/img/carrier-logo.svg").read_bytes()
    assert logo.content_type == "image/svg+xml"

    assert StaticOnlyURLFetcher()(DATA_IMAGE).read().startswith(b"GIF89a")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("PDF rendering tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_pdf_embeds_static_css_and_images_and_nothing_else(no_network, caplog):
    html = f"""
        <link rel="stylesheet" href="/static/jobs/pdf.css">
        <h1>Statement</h1>
        <img src="/static/img/carrier-logo.svg" alt="">
        <img src="{DATA_IMAGE}" alt="">
        <img src="http://example.com/track.png" alt="">
        <img src="file:///etc/passwd" alt="">
    """
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        document = pdf_document(html)

    # pdf.css sets US Letter: 8.5in x 11in at 96 CSS px per inch (the default would be A4).
    assert (document.pages[0].width, document.pages[0].height) == (816, 1056)
    failed = [
        record.getMessage() for record in caplog.records if "Failed to load" in record.getMessage()
    ]
    assert len(failed) == 2
    assert "http://example.com/track.png" in failed[0]
    assert "file:///etc/passwd" in failed[1]
    assert pdf_from_html(html).startswith(b"%PDF-")
