"""Pay My Bill, its read side: the invoices of the groups the user may see with view_invoice,
filtered, sorted and paged, one bill in full with its roster, and its PDF and XLS files.

The same views serve an employer's administrators (/employers/billing/...) and the brokers the
employer granted billing view (/brokers/billing/...): `employer_or_broker` lets in the audience
of the URL's portal, and the selectors scope the bills by who asks. Every bill opened or
downloaded is audited.
"""

from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from billing import invoice_documents, tasks
from billing.models import InvoiceDocument, InvoiceLine
from employers import selectors
from employers.access import employer_or_broker
from employers.views import bill_changes
from enrollment.models import Coverage
from portal import downloads
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.downloads import audited_download
from portal.lists import chosen_sort, list_template, sortable_columns

INVOICES_PER_PAGE = 20
COLUMNS = [
    ("Invoice", None),
    ("Group", "group"),
    ("Period", "period"),
    ("Balance due", "amount"),
    ("Due date", "due"),
    ("Status", None),
    ("Download", None),
]
# How long the waiting page trusts that the drawing it queued is on its way.
QUEUE_ONCE_SECONDS = 120
STATUS_LABELS = dict(selectors.INVOICE_STATUSES)
TIER_LABELS = dict(Coverage.Tier.choices)


class InvoiceFilterForm(forms.Form):
    """An unknown value is ignored rather than an error: the list shows everything."""

    group = forms.ChoiceField(label="Group", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *selectors.INVOICE_STATUSES],
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "All groups")] + [
            (str(group.pk), f"{group.number} {group.name}") for group in groups
        ]


def money(value):
    """Dollars as a paper bill prints them: "$1,234.50", "-$5.25"."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _displayed(invoice):
    invoice.status_label = STATUS_LABELS[invoice.status]
    invoice.balance_due_display = money(invoice.balance_due)
    return invoice


@require_GET
@employer_or_broker
def invoice_list(request):
    groups = list(selectors.billing_groups_for(request.user, "view_invoice").order_by("number"))
    form = InvoiceFilterForm(request.GET, groups=groups)
    filters = form.cleaned_data if form.is_valid() else {}
    group = next((g for g in groups if str(g.pk) == filters.get("group")), None)
    sort = chosen_sort(request, selectors.INVOICE_SORTS, "-period")
    invoices = selectors.invoices_for(
        request.user,
        today=timezone.localdate(),
        sort=sort,
        group=group,
        status=filters.get("status") or "",
    )
    page = Paginator(invoices, INVOICES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = [_displayed(invoice) for invoice in page.object_list]
    context = {
        "title": "Pay My Bill" if request.portal.namespace == "employers" else "Group Bills",
        "portal": request.portal,
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(COLUMNS, sort),
        "filtered": bool(group or filters.get("status")),
        "has_groups": bool(groups),
    }
    template = list_template(request, "employers/bills/invoice_list.html", "invoice-results")
    return render(request, template, context)


@require_GET
@employer_or_broker
def invoice_detail(request, pk):
    invoice = _displayed(selectors.get_invoice_for(request.user, pk, today=timezone.localdate()))
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[invoice])
    lines = list(selectors.invoice_lines(invoice))
    for line in lines:
        line.tier_label = TIER_LABELS.get(line.tier, line.tier)
        line.amount_display = money(line.amount)
    payments = list(selectors.invoice_payments(invoice))
    for payment in payments:
        payment.amount_display = money(payment.amount)
    premium = InvoiceLine.Kind.PREMIUM
    summary = [
        ("Balance forward (prior balance)", money(invoice.balance_forward)),
        ("Current period amount", money(invoice.current_amount)),
        ("Adjustments", money(invoice.adjustments)),
        ("Payments received", money(invoice.payments)),
        ("Balance due", money(invoice.balance_due)),
    ]
    context = {
        "title": f"Invoice {invoice.number}",
        "portal": request.portal,
        "invoice": invoice,
        "summary": summary,
        "roster": [line for line in lines if line.member_id and line.kind == premium],
        "plan_lines": [line for line in lines if not line.member_id and line.kind == premium],
        "adjustments": [line for line in lines if line.kind != premium],
        "payments": payments,
    }
    context.update(bill_changes.context_for(invoice, request.user))
    return render(request, "employers/bills/invoice_detail.html", context)


@require_GET
@employer_or_broker
def invoice_document(request, pk, format):
    """The bill's PDF or XLS file if it is drawn and current; otherwise queue the drawing and
    answer 202 with a page that checks back every few seconds and then offers the download."""
    if format not in InvoiceDocument.Format.values:
        raise Http404("No such format.")
    invoice = selectors.get_invoice_for(request.user, pk, today=timezone.localdate())
    document, digest = invoice_documents.stored_invoice_document(invoice, format)
    if document is None:
        # A click queues the drawing; the page's polls queue it again only if it has been a
        # while (its message lost with a worker), not every two seconds.
        queued_key = f"billing:invoice-document-queued:{invoice.pk}:{format}:{digest}"
        if not request.htmx:
            cache.set(queued_key, 1, QUEUE_ONCE_SECONDS)
        if not request.htmx or cache.add(queued_key, 1, QUEUE_ONCE_SECONDS):
            tasks.invoice_document_generate.delay(invoice.pk, format)
        # In-process tasks (the demo) have drawn it already.
        document, _ = invoice_documents.stored_invoice_document(invoice, format)
    format_label = InvoiceDocument.Format(format).label
    context = {
        "title": f"Invoice {invoice.number} ({format_label})",
        "portal": request.portal,
        "invoice": invoice,
        "format_label": format_label,
        "document": document,
        "url": request.path,
    }
    if request.htmx:
        return render(request, "employers/bills/invoice_document.html#status", context)
    if document is None:
        return render(request, "employers/bills/invoice_document.html", context, status=202)
    return audited_download(
        request,
        document.file,
        filename=f"Invoice_{invoice.number}.{format}",
        audited=[invoice],
        cache=downloads.NO_STORE,
    )
