"""Output formats for reports: XLSX streamed row by row, and PDF rendered from a template.

Both handle data that came from users (names, addresses), so both are written defensively:
spreadsheet cells never become formulas, and PDF rendering fetches nothing but our own static
files.
"""

import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

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


# Pages link our static files as "/static/...": relative to this base they get an absolute URL
# that no network can answer (.invalid is reserved), which the fetcher maps to files on disk.
PDF_BASE_URL = "https://portal.invalid/"


class RefusedURL(ValueError):
    pass


class StaticOnlyURLFetcher(URLFetcher):
    """Lets WeasyPrint read our own static files and data: URIs, and nothing else.

    A rendered page could otherwise make the worker fetch any URL or read any local file
    (file:///etc/passwd) that ended up in the HTML. Refusals are logged by WeasyPrint as
    warnings and the resource is left out.
    """

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        self._request = None  # set by urllib-style open(); only data: URIs go through urllib
        path = static_path_for(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def static_path_for(url):
    """The file on disk behind one of our static URLs; RefusedURL for anything else."""
    static_prefix = PDF_BASE_URL.rstrip("/") + settings.STATIC_URL
    parts = urlsplit(url)
    if not url.startswith(static_prefix) or parts.query or parts.fragment:
        raise RefusedURL(f"PDF rendering may only use the portal's static files, not {url}")
    name = unquote(parts.path.removeprefix(settings.STATIC_URL))
    if not name or "\\" in name or Path(name).is_absolute() or ".." in Path(name).parts:
        raise RefusedURL(f"Not a static file name: {url}")
    # Collected (possibly hashed) files first, as served in production; then the source folders.
    candidates = [Path(settings.STATIC_ROOT) / name, finders.find(name)]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise RefusedURL(f"No such static file: {name}")


def pdf_document(html):
    """WeasyPrint's laid-out document for an HTML string whose resources are our static files."""
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).render()


def pdf_from_html(html):
    return pdf_document(html).write_pdf()


def render_pdf(template_name, context):
    """Render a Django template to PDF bytes. Link styles and images with {% static %}."""
    return pdf_from_html(render_to_string(template_name, context))
