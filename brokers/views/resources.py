"""Sales & Quoting Resources (Forms & Brochures) and Support Tools.

Every broker-portal user, office staff included, may use both: they hold no member data, so no
tool gate. The documents leave storage only through the download view, which checks again
that the document is published and writes an audit event.
"""

import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from brokers import access, selectors
from brokers.access import broker_portal
from brokers.forms.resources import DocumentFilterForm
from portal.downloads import audited_download
from portal.lists import chosen_sort, list_template, sortable_columns

DOCUMENTS_PER_PAGE = 20
# The list's columns: heading, sort key (see selectors.DOCUMENT_SORTS) or None.
COLUMNS = [
    ("Title", "title"),
    ("Category", "category"),
    ("Market", None),
    ("State", None),
    ("Published", "published"),
    ("File", None),
]
# A license this close to expiring gets a warning on Support Tools.
LICENSE_WARNING_DAYS = 60


@require_GET
@broker_portal
def document_list(request):
    form = DocumentFilterForm(request.GET, states=selectors.document_states_for(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    sort = chosen_sort(request, selectors.DOCUMENT_SORTS, "title")
    documents = selectors.documents_for(request.user, sort=sort, **filters)
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": "Sales & Quoting Resources",
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(COLUMNS, sort),
        "filtered": any(filters.values()),
        "quoting_url": settings.CARRIER.get("quoting_url", ""),
    }
    # The filters and the sort and page links swap just the results when htmx is there.
    template = list_template(request, "brokers/resources/document_list.html", "document-results")
    return render(request, template, context)


@require_GET
@broker_portal
def document_download(request, pk):
    document = selectors.get_document_for(request.user, pk)
    # Unpublishing must take effect at once: no shared cache may keep the file.
    return audited_download(
        request,
        document.file,
        filename=document.filename,
        content_type=document.content_type,
        audited=[document],
    )


@require_GET
@broker_portal
def support(request):
    """Key contacts and contracting help from the carrier file; the broker's own contracting
    status, licenses and Broker IDs from the database (for office staff, their broker's)."""
    today = timezone.localdate()
    warn_before = today + datetime.timedelta(days=LICENSE_WARNING_DAYS)
    licenses = [
        {
            "license": license,
            "expired": license.expires_on < today,
            "expiring": today <= license.expires_on <= warn_before,
        }
        for license in selectors.licenses_for(request.user)
    ]
    record = selectors.contracting_record_for(request.user)
    context = {
        "title": "Support Tools",
        "broker": access.broker_for(request.user),
        "contacts": settings.CARRIER.get("contacts", {}).get("broker", []),
        "contracting": settings.CARRIER.get("contracting", {}),
        "record": record,
        "states_appointed": ", ".join(
            state.strip()
            for state in (record.states_appointed if record else "").split(",")
            if state.strip()
        ),
        "licenses": licenses,
        "license_warning_days": LICENSE_WARNING_DAYS,
    }
    return render(request, "brokers/resources/support.html", context)
