"""Pay My Bill, payments: Make a Payment across the bills the administrator may pay, its
confirmation, the employer's payment accounts (add, rename, remove) and recurring payments.

Paying is the `pay_bill` function: an administrator who holds it on no group gets 403 on these
pages; a bill, account, recurring payment or confirmation outside their reach is 404. Writes go
through billing.payments, whose PaymentError is shown as it is, changing nothing.

Make a Payment, its confirmation and Payment Accounts also serve the brokers an employer granted
pay_bill on a group (/brokers/billing/groups/<group>/pay/, see
employers.access.employer_or_broker): one group's bills at a time, from its employer's saved
accounts (listed without routing numbers; adding and changing accounts, and recurring payments,
stay the employer's), each submission recording the employer and the broker as on whose behalf.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from billing import payments
from billing.payments import PaymentError, PaymentLine, dollars
from employers import payment_selectors as selectors
from employers import services
from employers.access import (
    PORTALS,
    employer_or_broker,
    employer_portal,
    function_groups,
    on_behalf_of_text,
)
from employers.forms.payments import (
    PaymentAccountForm,
    PaymentAccountRenameForm,
    PaymentForm,
    RecurringPaymentForm,
)


def _render(request, template, context):
    # The employer-only pages have no request.portal; they are the employer's.
    portal = getattr(request, "portal", None) or PORTALS["employers"][0]
    return render(request, f"employers/payments/{template}", {"portal": portal, **context})


def _brokers(request):
    portal = getattr(request, "portal", None)
    return portal is not None and portal.namespace == "brokers"


def _crumbs(*extra, request=None):
    if request is not None and _brokers(request):
        return [("Group Billing & Enrollment", reverse("brokers:delegated-group-list")), *extra]
    return [("Pay My Bill", reverse("employers:billing")), *extra]


def _bill_group_ids(user):
    """The groups whose bills the user may open: a bill links to its page only there (a broker
    may pay a bill without having been granted view_invoice)."""
    return set(function_groups(user, "view_invoice").values_list("pk", flat=True))


def _payer_group(request, group_pk):
    """The group a broker pays for (404 unless the employer granted the office pay_bill on it);
    None for an administrator, who pays across their groups."""
    if not _brokers(request):
        if group_pk is not None:
            raise Http404
        return None
    return selectors.get_payer_group_for(request.user, group_pk)


def _accounts_crumb():
    return ("Payment Accounts", reverse("employers:payment-account-list"))


def _recurring_crumb():
    return ("Recurring Payments", reverse("employers:recurring-payment-list"))


def _may_pay(request):
    """403 unless the administrator may pay the bills of at least one group."""
    if not selectors.payer_groups(request.user).exists():
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@employer_or_broker
def payment_make(request, group_pk=None):
    """An administrator pays any of the bills they may pay; a broker, one granted group's."""
    group = _payer_group(request, group_pk)
    _may_pay(request)
    user = request.user
    namespace = request.portal.namespace
    confirmation = f"{namespace}:payment-confirmation"
    if request.method == "POST":
        # The same form sent again (a double click, a reload): its first submission, once more.
        earlier = payments.submission_for_key(
            idempotency_key=request.POST.get("request_key", ""), by=user
        )
        if earlier is not None:
            messages.info(request, "This payment was already submitted; nothing more was paid.")
            return redirect(confirmation, pk=earlier.pk)
    employer = group.parent.employer if group else selectors.employer_of(user)
    invoices = list(selectors.payable_invoices_for(user, group=group))
    accounts = list(selectors.payment_accounts_for(user, employer=employer))
    form = PaymentForm(request.POST or None, invoices=invoices, accounts=accounts)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lines = [PaymentLine(*line) for line in data["lines"]]
        try:
            submission, made = payments.payment_submit(
                employer=employer,
                lines=lines,
                pay_on=data["pay_on"],
                idempotency_key=data["request_key"],
                by=user,
                on_behalf_of=on_behalf_of_text(user, employer) if group else "",
                link=reverse(f"{namespace}:payment-history"),
            )
        except PaymentError as e:
            error = e.message
        else:
            if not made:
                messages.info(request, "This payment was already submitted; nothing more was paid.")
            elif group:
                # A broker paid on the employer's behalf: the employer hears of it too.
                paid = sum(line.amount for line in lines)
                services.broker_payment_tell_employer(
                    submission=submission,
                    summary=f"{user.display_name} paid {dollars(paid)} to bills of "
                    f"{group.number}, confirmation {payments.confirmation_number(submission)}.",
                )
            return redirect(confirmation, pk=submission.pk)
    bill_group_ids = _bill_group_ids(user)
    for invoice in invoices:
        invoice.payable_display = dollars(invoice.payable)
        invoice.balance_due_display = dollars(invoice.balance_due)
        invoice.linked = invoice.group_id in bill_group_ids
    return _render(
        request,
        "payment_make.html",
        {
            "title": f"Make a Payment for {group.number}" if group else "Make a Payment",
            "breadcrumbs": _crumbs(request=request),
            "tab": "pay",
            "group": group,
            "employer": employer,
            "form": form,
            "rows": form.rows(),
            "account_choices": form.account_choices(),
            "accounts": accounts,
            "error": error,
        },
    )


@require_GET
@employer_or_broker
def payment_confirmation(request, pk):
    submission = selectors.get_submission_for(request.user, pk)
    rows = list(selectors.submission_payments(submission))
    bill_group_ids = _bill_group_ids(request.user)
    for payment in rows:
        payment.amount_display = dollars(payment.amount)
        payment.linked = payment.invoice_id and payment.group_id in bill_group_ids
    return _render(
        request,
        "payment_confirmation.html",
        {
            "title": "Payment Confirmation",
            "breadcrumbs": _crumbs(request=request),
            "tab": "pay",
            "submission": submission,
            "number": payments.confirmation_number(submission),
            "payments": rows,
            "total": dollars(sum(p.amount for p in rows)),
            "pay_on": rows[0].received_on if rows else None,
            "scheduled": any(p.status == p.Status.SCHEDULED for p in rows),
            "cancellable": payments.cancellable(rows),
        },
    )


@require_http_methods(["GET", "POST"])
@employer_or_broker
def payment_cancel(request, pk):
    """Cancel a payment scheduled for a later day: a question first, then the POST."""
    submission = selectors.get_submission_for(request.user, pk)
    confirmation = reverse(f"{request.portal.namespace}:payment-confirmation", args=[pk])
    number = payments.confirmation_number(submission)
    if request.method == "POST":
        try:
            payments.scheduled_payment_cancel(
                submission=submission, by=request.user, link=confirmation
            )
        except PaymentError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"Payment {number} was cancelled; nothing will be paid.")
        return redirect(confirmation)
    rows = list(selectors.submission_payments(submission))
    if not payments.cancellable(rows):
        messages.error(request, payments.NOT_CANCELLABLE)
        return redirect(confirmation)
    return _render(
        request,
        "payment_cancel.html",
        {
            "title": "Cancel a Scheduled Payment",
            "breadcrumbs": _crumbs(request=request),
            "tab": "pay",
            "number": number,
            "total": dollars(sum(p.amount for p in rows if p.status == p.Status.SCHEDULED)),
            "pay_on": rows[0].received_on,
            "confirmation": confirmation,
        },
    )


# -- payment accounts ---------------------------------------------------------------------------


@require_GET
@employer_or_broker
def payment_account_list(request, group_pk=None):
    """The employer's accounts; a broker sees those of the group's employer, read-only."""
    group = _payer_group(request, group_pk)
    _may_pay(request)
    employer = group.parent.employer if group else None
    return _render(
        request,
        "account_list.html",
        {
            "title": "Payment Accounts",
            "breadcrumbs": _crumbs(request=request),
            "tab": "accounts",
            "group": group,
            "accounts": list(selectors.payment_accounts_for(request.user, employer=employer)),
        },
    )


@require_http_methods(["GET", "POST"])
@employer_portal
def payment_account_add(request):
    _may_pay(request)
    form = PaymentAccountForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = payments.payment_account_add(
                employer=selectors.employer_of(request.user),
                nickname=data["nickname"],
                holder_name=data["holder_name"],
                account_type=data["account_type"],
                routing_number=data["routing_number"],
                account_number=data["account_number"],
                by=request.user,
                link=reverse("employers:payment-account-list"),
            )
        except PaymentError as e:
            error = e.message
        else:
            messages.success(request, f"Payment account “{account}” was added.")
            return redirect("employers:payment-account-list")
    return _render(
        request,
        "account_form.html",
        {
            "title": "Add a Payment Account",
            "breadcrumbs": _crumbs(_accounts_crumb()),
            "tab": "accounts",
            "form": form,
            "error": error,
            "button": "Add Account",
        },
    )


@require_http_methods(["GET", "POST"])
@employer_portal
def payment_account_rename(request, pk):
    _may_pay(request)
    account = selectors.get_payment_account_for(request.user, pk)
    form = PaymentAccountRenameForm(request.POST or None, initial={"nickname": account.nickname})
    error = None
    if request.method == "POST" and form.is_valid():
        old = str(account)
        try:
            payments.payment_account_rename(
                account=account,
                nickname=form.cleaned_data["nickname"],
                by=request.user,
                link=reverse("employers:payment-account-list"),
            )
        except PaymentError as e:
            error = e.message
            account.refresh_from_db()
        else:
            messages.success(request, f"“{old}” is now called “{account.nickname}”.")
            return redirect("employers:payment-account-list")
    return _render(
        request,
        "account_form.html",
        {
            "title": f"Rename {account}",
            "breadcrumbs": _crumbs(_accounts_crumb()),
            "tab": "accounts",
            "form": form,
            "error": error,
            "button": "Rename",
        },
    )


@require_http_methods(["GET", "POST"])
@employer_portal
def payment_account_remove(request, pk):
    _may_pay(request)
    account = selectors.get_payment_account_for(request.user, pk)
    if request.method == "POST":
        cancelled = payments.payment_account_remove(
            account=account, by=request.user, link=reverse("employers:payment-account-list")
        )
        message = f"Payment account “{account}” was removed."
        if cancelled:
            message += f" {len(cancelled)} recurring payment(s) from it were cancelled."
        messages.success(request, message)
        return redirect("employers:payment-account-list")
    # Every recurring payment from it stops, including those of groups this user can't pay:
    # the page says how many, and names the ones they may see.
    recurring = list(
        account.recurring_payments.filter(cancelled_at__isnull=True).select_related("group")
    )
    visible = set(selectors.payer_groups(request.user).values_list("pk", flat=True))
    return _render(
        request,
        "account_remove.html",
        {
            "title": f"Remove {account}",
            "breadcrumbs": _crumbs(_accounts_crumb()),
            "tab": "accounts",
            "account": account,
            "recurring": [r for r in recurring if r.group_id in visible],
            "recurring_count": len(recurring),
            "scheduled_count": account.payments.filter(status="scheduled").count(),
        },
    )


# -- recurring payments -------------------------------------------------------------------------


def _describe(recurring):
    recurring.amount_display = (
        dollars(recurring.fixed_amount) if recurring.fixed_amount else "The balance due"
    )
    return recurring


@require_GET
@employer_portal
def recurring_payment_list(request):
    _may_pay(request)
    rows = [_describe(r) for r in selectors.recurring_payments_for(request.user)]
    return _render(
        request,
        "recurring_list.html",
        {
            "title": "Recurring Payments",
            "breadcrumbs": _crumbs(),
            "tab": "recurring",
            "recurring_payments": rows,
        },
    )


@require_http_methods(["GET", "POST"])
@employer_portal
def recurring_payment_create(request):
    _may_pay(request)
    user = request.user
    form = RecurringPaymentForm(
        request.POST or None,
        groups=selectors.payer_groups(user).order_by("number"),
        accounts=selectors.payment_accounts_for(user),
    )
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payments.recurring_payment_create(
                group=data["group"],
                account=data["account"],
                day_of_month=data["day_of_month"],
                amount_kind=data["amount_kind"],
                fixed_amount=data["fixed_amount"],
                starts_on=timezone.localdate(),
                by=user,
                link=reverse("employers:recurring-payment-list"),
            )
        except PaymentError as e:
            error = e.message
        else:
            messages.success(
                request,
                f"Group {data['group'].number} will be paid on day {data['day_of_month']} of "
                "each month.",
            )
            return redirect("employers:recurring-payment-list")
    return _render(
        request,
        "recurring_form.html",
        {
            "title": "Set Up a Recurring Payment",
            "breadcrumbs": _crumbs(_recurring_crumb()),
            "tab": "recurring",
            "form": form,
            "error": error,
            "has_accounts": selectors.payment_accounts_for(user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
@employer_portal
def recurring_payment_cancel(request, pk):
    _may_pay(request)
    recurring = _describe(selectors.get_recurring_payment_for(request.user, pk))
    if request.method == "POST":
        payments.recurring_payment_cancel(
            recurring=recurring,
            by=request.user,
            link=reverse("employers:recurring-payment-list"),
        )
        messages.success(
            request, f"The recurring payment for group {recurring.group.number} was cancelled."
        )
        return redirect("employers:recurring-payment-list")
    return _render(
        request,
        "recurring_cancel.html",
        {
            "title": "Cancel a Recurring Payment",
            "breadcrumbs": _crumbs(_recurring_crumb()),
            "tab": "recurring",
            "recurring": recurring,
        },
    )
