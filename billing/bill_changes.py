"""Changes an employer asks for from a bill: a roster change (a member who left), a different
amount due (verified by ops in the admin), and how the employer receives its bills.

A roster change is an enrollment change like any other: it goes through
`enrollment.services.coverage_cancel`, and the bill shows it as pending from the enrollment
events recorded after the bill was issued; nothing about it is stored on the bill.

An amount change is an `AmountChangeRequest`: approving it adds the difference to the bill as an
adjustment line, in the same transaction as the bill's figures, so the balance still adds up.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from billing.models import AmountChangeRequest, BillingPreferences, Invoice, InvoiceLine
from enrollment import services as enrollment_services
from enrollment.models import EnrollmentEvent, Member
from portal.activity.services import activity_record
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record_for_user
from portal.mail import absolute_url, email_send

# The requester is an employer administrator; the bill's page in their portal is where they see
# the decision. (A URL name, not an import: billing knows nothing else of the employer portal.)
BILL_URL_NAME = "employers:invoice-detail"


def _money(value):
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


# -- Last-minute roster adjustments ----------------------------------------------------------


def roster_members(invoice):
    """The members the bill charges for by name (its premium lines with a member)."""
    return Member.objects.filter(
        pk__in=invoice.lines.filter(kind=InvoiceLine.Kind.PREMIUM, member__isnull=False).values(
            "member_id"
        )
    )


def roster_change_report(
    *, invoice, member, end_date, reason, by, on_behalf_of="", idempotency_key=None
):
    """End `member`'s coverage on `end_date` because the employer reported it from `invoice`.

    The member must be on the bill. The change is `coverage_cancel`'s, with its rules (how far
    back, whole family for an employee), events and notifications; EnrollmentError passes
    through unchanged, and nothing is changed then."""
    if not roster_members(invoice).filter(pk=member.pk).exists():
        raise enrollment_services.EnrollmentError(
            f"{member.first_name} {member.last_name} is not on bill {invoice.number}."
        )
    return enrollment_services.coverage_cancel(
        member=member,
        end_date=end_date,
        reason=reason,
        by=by,
        on_behalf_of=on_behalf_of,
        idempotency_key=idempotency_key,
    )


@dataclass(frozen=True)
class PendingRosterChange:
    member: Member
    ends_on: datetime.date
    reported_at: datetime.datetime


def pending_roster_changes(invoice):
    """The bill's members whose coverage was ended after the bill was issued, on a day before
    the end of its period: the bill charged for days they are no longer covered, which the next
    bill credits. Read from the enrollment events, in one query: the latest cancellation of each
    member counts unless a reinstatement came after it.
    """
    issued = timezone.make_aware(datetime.datetime.combine(invoice.issued_on, datetime.time.min))
    kinds = (EnrollmentEvent.Kind.CANCEL, EnrollmentEvent.Kind.REINSTATE)
    events = (
        EnrollmentEvent.objects.filter(
            member__in=roster_members(invoice), kind__in=kinds, at__gte=issued
        )
        .select_related("member")
        .order_by("at", "pk")
    )
    latest = {}
    for event in events:
        latest[event.member_id] = event
    pending = [
        PendingRosterChange(member=e.member, ends_on=e.effective_date, reported_at=e.at)
        for e in latest.values()
        if e.kind == EnrollmentEvent.Kind.CANCEL and e.effective_date < invoice.period_end
    ]
    return sorted(pending, key=lambda p: (p.member.last_name, p.member.first_name, p.member.pk))


# -- Update the payment amount due -----------------------------------------------------------


class BillChangeError(ValidationError):
    """A request the rules refuse; the message says why, in words for the person asking."""


def _bill_link(invoice):
    return reverse(BILL_URL_NAME, args=[invoice.pk])


@transaction.atomic
def amount_change_request(*, invoice, requested_amount, reason, by):
    """Ask ops to change what `invoice` asks for to `requested_amount`, for `reason`. One
    request waits per bill: a second is refused until the first is decided."""
    requested_amount = Decimal(requested_amount).quantize(Decimal("0.01"))
    reason = reason.strip()
    if requested_amount < 0:
        raise BillChangeError("The amount can't be negative.")
    if not reason:
        raise BillChangeError("Say why the amount should change.")
    if requested_amount == invoice.balance_due:
        raise BillChangeError(
            f"{_money(requested_amount)} is already this bill's balance due; nothing to change."
        )
    later = later_bill(invoice)
    if later is not None:
        raise BillChangeError(
            f"Bill {later.number} has already carried this bill's balance forward; ask for the "
            "change on that bill instead."
        )
    if invoice.amount_change_requests.filter(status=AmountChangeRequest.Status.PENDING).exists():
        raise BillChangeError(
            "A request to change this bill's amount is already waiting for verification; you "
            "can ask again once it is decided."
        )
    try:
        # A savepoint, so that losing a race to the unique constraint leaves the caller's
        # transaction usable.
        with transaction.atomic():
            change = AmountChangeRequest.objects.create(
                invoice=invoice, requested_amount=requested_amount, reason=reason, requested_by=by
            )
    except IntegrityError as error:
        raise BillChangeError(
            "A request to change this bill's amount is already waiting for verification."
        ) from error
    audit_record_for_user(
        user=by,
        action=AuditEvent.Action.CHANGE,
        object_type="billing.AmountChangeRequest",
        object_ids=[change.pk],
    )
    activity_record(
        recipients=[by],
        actor=by,
        summary=f"You asked for {_money(requested_amount)} as the amount due on bill "
        f"{invoice.number}; it is pending verification.",
        link=_bill_link(invoice),
    )
    return change


def later_bill(invoice):
    """The group's next bill, if one has been issued: it carried this bill's balance forward,
    so changing this one would break the chain of balances (the next bill corrects it)."""
    return (
        Invoice.objects.filter(group_id=invoice.group_id, period_start__gt=invoice.period_start)
        .order_by("period_start")
        .first()
    )


def _pending_for_decision(change_request):
    """The request, locked, if it still waits for a decision."""
    change = (
        AmountChangeRequest.objects.select_for_update()
        .select_related("invoice", "requested_by")
        .get(pk=change_request.pk)
    )
    if change.status != AmountChangeRequest.Status.PENDING:
        raise BillChangeError(
            f"The request on bill {change.invoice.number} was already "
            f"{change.get_status_display().lower()}."
        )
    return change


def _decided(change, *, status, by, note):
    change.status = status
    change.decided_by = by
    change.decided_at = timezone.now()
    change.decision_note = note.strip()
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record_for_user(
        user=by,
        action=AuditEvent.Action.CHANGE,
        object_type="billing.AmountChangeRequest",
        object_ids=[change.pk],
    )
    _tell_requester(change)
    return change


def _tell_requester(change):
    invoice = change.invoice
    verb = "approved" if change.status == AmountChangeRequest.Status.APPROVED else "declined"
    summary = (
        f"Your request for {_money(change.requested_amount)} as the amount due on bill "
        f"{invoice.number} was {verb}."
    )
    link = _bill_link(invoice)
    activity_record(
        recipients=[change.requested_by], actor=change.decided_by, summary=summary, link=link
    )
    email_send(
        to=[change.requested_by.email],
        template="billing_amount_change_decided",
        context={
            "summary": summary,
            "change": change,
            "invoice": invoice,
            "approved": change.status == AmountChangeRequest.Status.APPROVED,
            "requested_amount": _money(change.requested_amount),
            "balance_due": _money(invoice.balance_due),
            "link": absolute_url(link),
        },
    )


@transaction.atomic
def amount_change_approve(*, change_request, by, note=""):
    """Approve: the bill's balance due becomes the requested amount. The difference is an
    adjustment line and is added to the bill's adjustments, so balance forward + current
    amount + adjustments - payments still equals the balance due (the invoice's constraint)."""
    change = _pending_for_decision(change_request)
    invoice = Invoice.objects.select_for_update().get(pk=change.invoice_id)
    later = later_bill(invoice)
    if later is not None:
        raise BillChangeError(
            f"Bill {later.number} was issued since the request and carried this bill's balance "
            "forward: decline the request and ask the employer to request it on the new bill."
        )
    difference = change.requested_amount - invoice.balance_due
    if difference:
        asked_on = timezone.localdate(change.requested_at)
        InvoiceLine.objects.create(
            invoice=invoice,
            kind=InvoiceLine.Kind.ADJUSTMENT,
            description=f"Amount due changed on your request of {asked_on:%m/%d/%Y}",
            amount=difference,
        )
        invoice.adjustments += difference
        invoice.balance_due = change.requested_amount
        invoice.save(update_fields=["adjustments", "balance_due"])
    change.invoice = invoice
    return _decided(change, status=AmountChangeRequest.Status.APPROVED, by=by, note=note)


@transaction.atomic
def amount_change_reject(*, change_request, by, note):
    """Decline: the bill stays as it is; the note tells the employer why."""
    if not note.strip():
        raise BillChangeError("Say why the request is declined: the employer reads it.")
    change = _pending_for_decision(change_request)
    return _decided(change, status=AmountChangeRequest.Status.REJECTED, by=by, note=note)


# -- Paper billing and bills by email --------------------------------------------------------


def billing_preferences_of(employer):
    """The employer's preferences, or the defaults (paper bills, no email) if never set."""
    return BillingPreferences.objects.filter(employer=employer).first() or BillingPreferences(
        employer=employer
    )


def _on_off(value):
    return "on" if value else "off"


def _describe(preferences):
    email = preferences.email if preferences.bills_by_email else ""
    return {
        "Paper bills by mail": _on_off(preferences.paper_billing),
        "Bills by email": _on_off(preferences.bills_by_email) + (f" ({email})" if email else ""),
    }


@transaction.atomic
def billing_preferences_update(*, employer, paper_billing, bills_by_email, email, by, notify=()):
    """Set how `employer` receives its bills. An address is needed for bills by email (and is
    kept, unused, when they are turned off). The change is audited with what it was before and
    after, and told to `notify` (the employer's client administrators) in Recent Activity.
    Returns (preferences, changes) where changes is [(what, before, after)], empty when
    nothing changed."""
    email = email.strip()
    if bills_by_email and not email:
        raise BillChangeError("Enter the address to email bills to, or turn bills by email off.")
    preferences = BillingPreferences.objects.select_for_update().filter(
        employer=employer
    ).first() or BillingPreferences(employer=employer)
    before = _describe(preferences)
    preferences.paper_billing = paper_billing
    preferences.bills_by_email = bills_by_email
    preferences.email = email
    after = _describe(preferences)
    changes = [(what, before[what], after[what]) for what in before if before[what] != after[what]]
    if not changes and preferences.pk:
        return preferences, []
    preferences.updated_by = by
    preferences.save()
    audit_record_for_user(
        user=by,
        action=AuditEvent.Action.CHANGE,
        object_type="billing.BillingPreferences",
        object_ids=[preferences.pk],
    )
    # The audit log names objects only; the before and after go to the admin's history of the
    # record, where ops look for "who turned paper bills off".
    message = "; ".join(f"{what}: {old} → {new}" for what, old, new in changes)
    LogEntry.objects.log_actions(by.pk, [preferences], CHANGE, change_message=message or "Saved.")
    if changes:
        summary = f"{by.display_name} changed how {employer.name} receives bills: {message}."
        activity_record(recipients=list(notify), actor=by, summary=summary[:300])
    return preferences, changes
