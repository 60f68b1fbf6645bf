"""Changes asked from a bill: report that someone on it left (an enrollment change, with
perform_enrollment), ask for a different amount due (verified by ops, with pay_bill), the list of
the employer's amount requests, and how the employer receives its bills (client administrators).

A bill is found through the administrator's view_invoice groups (404 otherwise); a change on a
bill they see but may not make answers 403, as Manage Enrollment's change pages do.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from billing import bill_changes
from billing.bill_changes import BillChangeError
from billing.models import AmountChangeRequest
from employers import access, selectors, services
from employers.access import employer_portal
from employers.forms.bill_changes import (
    AmountChangeForm,
    BillingPreferencesForm,
    RosterChangeConfirmForm,
    RosterChangeForm,
)
from enrollment import services as enrollment_services
from enrollment.services import EnrollmentError
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.lists import list_template

REQUESTS_PER_PAGE = 20
STATUS_FILTERS = [("", "All requests"), *AmountChangeRequest.Status.choices]


def _money(value):
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _may(user, group, perm):
    """Whether the user holds `perm` on `group` (client administrators hold every function)."""
    admin = access.admin_for(user)
    if admin is not None and admin.is_client_admin:
        return admin.employer_id == group.parent.employer_id
    return selectors.groups_for(user, perm).filter(pk=group.pk).exists()


def _is_client_admin(user):
    admin = access.admin_for(user)
    return admin is not None and admin.is_client_admin


def context_for(invoice, user):
    """What the bill's page shows of the changes asked from it (`_bill_changes.html`): the
    members pending an end of coverage, the amount requests, and what the user may ask.

    The bill's page serves brokers too; the changes are asked in the employer portal only, so
    anyone else gets nothing here (and the page no section)."""
    if access.admin_for(user) is None:
        return {"bill_changes": None}
    requests = list(
        invoice.amount_change_requests.select_related("requested_by").order_by("-requested_at")
    )
    for change in requests:
        change.requested_amount_display = _money(change.requested_amount)
    return {
        "bill_changes": {
            "pending_roster": bill_changes.pending_roster_changes(invoice),
            "may_report_roster": _may(user, invoice.group, "perform_enrollment"),
            "may_request_amount": _may(user, invoice.group, "pay_bill"),
            "carried_forward_to": bill_changes.later_bill(invoice),
            "amount_requests": requests,
            "pending_request": next(
                (r for r in requests if r.status == AmountChangeRequest.Status.PENDING), None
            ),
            "may_set_preferences": _is_client_admin(user),
        }
    }


def _posted(request):
    # Not `request.POST or None`: a form whose boxes are all unticked posts nothing, and is
    # still an answer (paper bills off, no email).
    return request.POST if request.method == "POST" else None


def _bill_to_change(request, pk, perm):
    """The bill `pk` of a view_invoice group (404 otherwise), if the user holds `perm` on its
    group (403 otherwise)."""
    invoice = selectors.get_invoice_for(request.user, pk, today=timezone.localdate())
    if not _may(request.user, invoice.group, perm):
        raise PermissionDenied
    return invoice


def _bill_crumbs(invoice):
    return [
        ("Pay My Bill", reverse("employers:billing")),
        (f"Invoice {invoice.number}", reverse("employers:invoice-detail", args=[invoice.pk])),
    ]


@require_http_methods(["GET", "POST"])
@employer_portal
def roster_change(request, pk):
    """Report a change to the bill's roster: someone left. Like Manage Enrollment's
    cancellation, a review names everyone who loses coverage before anything changes (typing
    the last name, for a family); then the enrollment services end it, and the bill shows it
    pending until the next bill credits it."""
    invoice = _bill_to_change(request, pk, "perform_enrollment")
    members = bill_changes.roster_members(invoice).order_by("last_name", "first_name", "pk")
    step = request.POST.get("step", "") if request.method == "POST" else ""
    initial = {"member": request.GET.get("member")} if request.GET.get("member") else {}
    form = RosterChangeForm(
        request.POST if step in ("review", "confirm") else None, members=members, initial=initial
    )
    error, losing = None, None
    if step in ("review", "confirm") and form.is_valid():
        try:
            losing = enrollment_services.cancellation_preview(
                form.cleaned_data["member"], form.cleaned_data["end_date"]
            )
        except EnrollmentError as e:
            error = e.message
    if losing is not None:
        member, end_date = form.cleaned_data["member"], form.cleaned_data["end_date"]
        expected = member.last_name if len(losing) > 1 else ""
        confirm = RosterChangeConfirmForm(
            request.POST if step == "confirm" else None,
            members=members,
            expected=expected,
            initial=form.cleaned_data,
        )
        if step == "confirm" and confirm.is_valid():
            try:
                bill_changes.roster_change_report(
                    invoice=invoice,
                    member=member,
                    end_date=end_date,
                    reason=confirm.cleaned_data["reason"],
                    by=request.user,
                    **confirm.request_kwargs(),
                )
            except EnrollmentError as e:
                error = e.message
            else:
                audit_record(
                    request=request, action=AuditEvent.Action.CHANGE, objects=[m for m, _ in losing]
                )
                names = ", ".join(f"{m.first_name} {m.last_name}" for m, _ in losing)
                messages.success(
                    request,
                    f"Coverage ends on {end_date:%m/%d/%Y} for {names}. The next bill credits "
                    "what this one charged after that day.",
                )
                return redirect("employers:invoice-detail", pk=invoice.pk)
        if error is None:
            audit_record(
                request=request, action=AuditEvent.Action.VIEW, objects=[m for m, _ in losing]
            )
            return render(
                request,
                "employers/bill_changes/roster_change_review.html",
                {
                    "title": "Review the change",
                    "breadcrumbs": _bill_crumbs(invoice),
                    "invoice": invoice,
                    "form": confirm,
                    "losing": losing,
                    "end_date": end_date,
                    "family": bool(expected),
                    "reinstate_days": settings.ENROLLMENT_REINSTATE_DAYS,
                },
            )
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[invoice])
    return render(
        request,
        "employers/bill_changes/roster_change.html",
        {
            "title": "Report a change",
            "breadcrumbs": _bill_crumbs(invoice),
            "invoice": invoice,
            "form": form,
            "error": error,
        },
    )


@require_http_methods(["GET", "POST"])
@employer_portal
def amount_change(request, pk):
    """Ask for a different amount due on the bill, with a reason, for ops to verify."""
    invoice = _bill_to_change(request, pk, "pay_bill")
    pending = invoice.amount_change_requests.filter(
        status=AmountChangeRequest.Status.PENDING
    ).first()
    form = AmountChangeForm(_posted(request))
    error = None
    if form.is_valid():
        try:
            bill_changes.amount_change_request(
                invoice=invoice,
                requested_amount=form.cleaned_data["requested_amount"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except BillChangeError as e:
            error = " ".join(e.messages)
        else:
            messages.success(
                request,
                f"Your request for {_money(form.cleaned_data['requested_amount'])} is pending "
                "verification. We will email you when it is decided.",
            )
            return redirect("employers:invoice-detail", pk=invoice.pk)
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[invoice])
    return render(
        request,
        "employers/bill_changes/amount_change.html",
        {
            "title": "Request a different amount",
            "breadcrumbs": _bill_crumbs(invoice),
            "invoice": invoice,
            "balance_due": _money(invoice.balance_due),
            "pending": pending,
            "pending_amount": _money(pending.requested_amount) if pending else "",
            "form": form,
            "error": error,
        },
    )


@require_GET
@employer_portal
def amount_change_list(request):
    """The amount requests on the bills of the groups the user may see with view_invoice."""
    status = request.GET.get("status", "")
    if status not in AmountChangeRequest.Status.values:
        status = ""
    requests = (
        AmountChangeRequest.objects.filter(
            invoice__group__in=access.visible_groups(request.user, "view_invoice")
        )
        .select_related("invoice__group", "requested_by")
        .order_by("-requested_at", "-pk")
    )
    if status:
        requests = requests.filter(status=status)
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    for change in page.object_list:
        change.requested_amount_display = _money(change.requested_amount)
    context = {
        "title": "Amount change requests",
        "breadcrumbs": [("Pay My Bill", reverse("employers:billing"))],
        "page": page,
        "status": status,
        "statuses": STATUS_FILTERS,
    }
    template = list_template(
        request, "employers/bill_changes/amount_change_list.html", "amount-change-results"
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@employer_portal
def billing_preferences(request):
    """Paper billing on or off and bills by email: the client administrators' choice for the
    whole employer."""
    admin = access.admin_for(request.user)
    if admin is None or not admin.is_client_admin:
        raise PermissionDenied
    employer = admin.employer
    current = bill_changes.billing_preferences_of(employer)
    initial = {
        "paper_billing": current.paper_billing,
        "bills_by_email": current.bills_by_email,
        "email": current.email,
    }
    form = BillingPreferencesForm(_posted(request), initial=initial)
    error = None
    if form.is_valid():
        try:
            _, changes = bill_changes.billing_preferences_update(
                employer=employer,
                paper_billing=form.cleaned_data["paper_billing"],
                bills_by_email=form.cleaned_data["bills_by_email"],
                email=form.cleaned_data["email"],
                by=request.user,
                notify=list(services.client_admin_users(employer)),
            )
        except BillChangeError as e:
            error = " ".join(e.messages)
        else:
            if changes:
                said = "; ".join(f"{what}: {after}" for what, _, after in changes)
                messages.success(request, f"Billing preferences saved. {said}.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("employers:billing-preferences")
    return render(
        request,
        "employers/bill_changes/billing_preferences.html",
        {
            "title": "Billing preferences",
            "breadcrumbs": [("Pay My Bill", reverse("employers:billing"))],
            "employer": employer,
            "current": current,
            "form": form,
            "error": error,
        },
    )
