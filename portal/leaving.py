"""Links that leave the portal: a "You are now leaving" notice before another site.

A link to another site is written as a link to the audience's notice page carrying the target
signed with the SECRET_KEY (`leaving_link`). The notice page shows the target and offers it as
an ordinary link; it never redirects. Signing means the page shows only targets the portal
itself wrote: a crafted `?to=` cannot make the carrier's page vouch for someone else's site.
Only http(s) URLs are written or shown, so a `javascript:` or `data:` URL never becomes a link.
"""

from urllib.parse import urlencode, urlsplit

from django.core import signing
from django.shortcuts import render

SALT = "portal.leaving"
SCHEMES = ("http", "https")


def is_outside_url(url):
    """Is `url` an absolute http(s) URL a person could be sent to?

    No whitespace or control characters (browsers drop them, which hides what the link is) and
    no user name in it ("https://carrier.example@elsewhere.example" reads as the carrier)."""
    if not isinstance(url, str) or not url or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        return False
    return parts.scheme in SCHEMES and bool(hostname) and "@" not in parts.netloc


def _is_own_path(path):
    # Where Cancel goes: a path on this site, never "//host" or a URL.
    return path.startswith("/") and not path.startswith("//") and "\\" not in path


def leaving_link(notice_path, url, *, back=""):
    """The notice page's path for `url` (signed), or "" when `url` is not an http(s) URL.
    `back` is the page Cancel returns to (a path on this site)."""
    if not is_outside_url(url):
        return ""
    token = signing.dumps({"to": url, "back": back if _is_own_path(back) else ""}, salt=SALT)
    return f"{notice_path}?{urlencode({'to': token})}"


def leaving_target(token):
    """(url, back) from a token `leaving_link` wrote, or None for anything else."""
    try:
        data = signing.loads(token, salt=SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    url, back = data.get("to"), data.get("back") or ""
    # Checked again: the rules may have tightened since the link was written.
    if not is_outside_url(url) or not isinstance(back, str) or (back and not _is_own_path(back)):
        return None
    return url, back


def leaving_notice(request, *, base, cancel_url, breadcrumbs=()):
    """The notice page for `?to=` in the audience's layout (`base`); 400 with a plain
    explanation for a link the portal did not write."""
    target = leaving_target(request.GET.get("to", ""))
    context = {"base_template": base, "title": "You are now leaving", "breadcrumbs": breadcrumbs}
    if target is None:
        context["cancel_url"] = cancel_url
        return render(request, "portal/leaving_notice.html", context, status=400)
    url, back = target
    context.update(url=url, host=urlsplit(url).hostname, cancel_url=back or cancel_url)
    return render(request, "portal/leaving_notice.html", context)
