"""PDFs for reports, rendered from Django templates by WeasyPrint.

Rendered pages hold data that came from users, so WeasyPrint may fetch nothing but our own
static files and data: URIs.
"""

import mimetypes
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
