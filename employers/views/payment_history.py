"""Payment history ("Research payment history"): every payment of the groups whose payment
history the user may see, searched by reference or invoice number, filtered by group, status
and date, sorted and paged (htmx swaps the results, as on the bill list), and exported to XLSX
as a report job.

One view for an employer's administrators (/employers/billing/payments/) and the brokers the
employer granted view_payment_history (/brokers/billing/payments/): see
employers.access.employer_or_broker. Every list shown is audited.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billing.models import Payment
from employers import selectors
from employers.access import employer_or_broker
from employers.payment_history import (
    PaymentHistoryExport,
    PaymentHistoryFilterForm,
    account_text,
    parameters_of,
    status_text,
)
from employers.views.bills import money
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.lists import chosen_sort, list_template, sortable_columns

PAYMENTS_PER_PAGE = 25
COLUMNS = [
    ("Date", "date"),
    ("Group", "group"),
    ("Invoice", None),
    ("Amount", "amount"),
    ("Account", None),
    ("Method", None),
    ("Status", "status"),
    ("Confirmation / reference", None),
]


@require_GET
@employer_or_broker
def payment_history(request):
    user = request.user
    groups = list(selectors.billing_groups_for(user, "view_payment_history").order_by("number"))
    form = PaymentHistoryFilterForm(request.GET, groups=groups)
    form.is_valid()
    filters = form.filters(groups)
    sort = chosen_sort(request, selectors.PAYMENT_SORTS, "-date")
    payments = selectors.payments_for(user, sort=sort, **filters)
    page = Paginator(payments, PAYMENTS_PER_PAGE).get_page(request.GET.get("page"))
    # A payment's invoice links to the bill only where the user may also see bills.
    invoice_group_ids = set(
        selectors.billing_groups_for(user, "view_invoice").values_list("pk", flat=True)
    )
    page.object_list = [_displayed(p, invoice_group_ids) for p in page.object_list]
    if page.object_list:
        audit_record(request=request, action=AuditEvent.Action.VIEW, objects=page.object_list)
    context = {
        "title": "Pay My Bill" if request.portal.namespace == "employers" else "Group Bills",
        "portal": request.portal,
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(COLUMNS, sort),
        "filtered": any(filters.values()),
        "has_groups": bool(groups),
        "export_kind": PaymentHistoryExport.kind,
        "export_parameters": parameters_of(filters, sort),
    }
    template = list_template(request, "employers/payments/history.html", "payment-history-results")
    return render(request, template, context)


def _displayed(payment, invoice_group_ids):
    payment.amount_display = money(payment.amount)
    payment.account_display = account_text(payment.account)
    payment.status_display = status_text(payment)
    payment.returned = payment.status == Payment.Status.RETURNED
    payment.invoice_linked = payment.invoice_id and payment.group_id in invoice_group_ids
    return payment
