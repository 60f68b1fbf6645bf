"""PDFs for reports, rendered from Django templates by WeasyPrint.

Rendered pages hold data that came from users, so WeasyPrint may fetch nothing but our own
static files and data: URIs.
"""

import mimetypes
import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

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


# Long documents (statements, invoices) draw each detail line as one block of fixed-width text:
# WeasyPrint's cost is per box, and one box a line is several times faster than a table's cells.


def money(value) -> str:
    """A Decimal as a document shows it: 1,234.50."""
    return f"{value:,.2f}"


def fixed_width_line(values, columns, gap="  ") -> str:
    """One line of a fixed-width table: `columns` are (heading, width, right-aligned); text
    longer than its column wraps onto lines of its own."""
    cells = []
    for value, (_, width, right) in zip(values, columns, strict=True):
        if not value.isprintable():
            # A line break or tab in a name would break the columns of preformatted text.
            value = " ".join(value.split())
        parts = [value] if len(value) <= width else textwrap.wrap(value, width) or [""]
        cells.append([part.rjust(width) if right else part.ljust(width) for part in parts])
    height = max(len(parts) for parts in cells)
    rows = []
    for index in range(height):
        row = [
            parts[index] if index < len(parts) else " " * width
            for parts, (_, width, _) in zip(cells, columns, strict=True)
        ]
        rows.append(gap.join(row).rstrip())
    return "\n".join(rows)


def carrier_letterhead(audience) -> dict:
    """The carrier's name, logo, colour and address, and the phone and email `audience`
    ("broker", "employer", ...) calls about the document: its first contact in the carrier
    file, else the general support line. The address is optional (a string, possibly of
    several lines, or a list of lines)."""
    carrier = settings.CARRIER
    address = carrier.get("address") or []
    if isinstance(address, str):
        address = address.splitlines()
    contact = next(iter(carrier.get("contacts", {}).get(audience, [])), None)
    contact = contact or carrier.get("support", {})
    return {
        "name": carrier["name"],
        "logo": carrier.get("logo"),
        "colour": carrier.get("colours", {}).get("primary", "#000000"),
        "address": address,
        "phone": contact.get("phone", ""),
        "email": contact.get("email", ""),
    }
