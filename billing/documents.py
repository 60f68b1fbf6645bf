"""What an invoice document says, apart from how it is drawn.

`invoice_content` builds an `InvoiceContent` from the database; `billing.rendering` draws it as
PDF and as XLSX. Both files show the same numbers because both draw the same content.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from billing.models import Invoice, InvoiceLine
from enrollment.models import Member


@dataclass(frozen=True)
class RosterLine:
    """One premium line of the invoice's roster.

    A line billed per member names the member; a line billed per plan (a count of tiers, as the
    demo's invoices are) has no member, and its description stands in for the name.
    """

    member_name: str
    member_id: str
    relationship: str  # "Subscriber", "Spouse", ... or "" on a line without a member
    plan: str
    tier: str  # "EE", "ES", "EC", "FAM" or ""
    premium: Decimal


@dataclass(frozen=True)
class AdjustmentLine:
    description: str
    amount: Decimal  # signed: a credit is negative


@dataclass(frozen=True)
class InvoiceContent:
    number: str
    group_number: str
    group_name: str
    employer_name: str
    billing_address: Sequence[str]  # the lines of the bill-to address, contact first if any
    period_start: datetime.date
    period_end: datetime.date
    issued_on: datetime.date
    due_date: datetime.date
    balance_forward: Decimal
    current_amount: Decimal
    adjustments: Decimal
    payments: Decimal
    balance_due: Decimal
    lines: Sequence[RosterLine] = field(default_factory=list)
    adjustment_lines: Sequence[AdjustmentLine] = field(default_factory=list)

    @property
    def name(self) -> str:
        """What the file is called, without extension."""
        return f"Invoice_{self.number}"

    @property
    def roster_total(self) -> Decimal:
        return sum((line.premium for line in self.lines), Decimal("0.00"))


def invoice_content(invoice: Invoice) -> InvoiceContent:
    """The document content of `invoice`, in two queries whatever the number of lines.

    The caller has already checked that the user may see the invoice (billing selectors).
    """
    invoice = Invoice.objects.select_related("group__parent__employer").get(pk=invoice.pk)
    group = invoice.group
    relationships = dict(Member.Relationship.choices)
    lines, adjustment_lines = [], []
    for line in InvoiceLine.objects.filter(invoice=invoice).select_related("member", "plan"):
        if line.kind == InvoiceLine.Kind.ADJUSTMENT:
            adjustment_lines.append(AdjustmentLine(line.description, line.amount))
            continue
        member = line.member
        lines.append(
            RosterLine(
                member_name=_member_name(member) if member else line.description,
                member_id=member.member_id if member else "",
                relationship=relationships.get(member.relationship, "") if member else "",
                plan=line.plan.name if line.plan else "",
                tier=line.tier,
                premium=line.amount,
            )
        )
    address = [
        group.billing_contact_name,
        group.billing_street,
        f"{group.billing_city}, {group.billing_state} {group.billing_zip}",
    ]
    return InvoiceContent(
        number=invoice.number,
        group_number=group.number,
        group_name=group.name,
        employer_name=group.parent.employer.name,
        billing_address=[part for part in address if part.strip(", ")],
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        issued_on=invoice.issued_on,
        due_date=invoice.due_date,
        balance_forward=invoice.balance_forward,
        current_amount=invoice.current_amount,
        adjustments=invoice.adjustments,
        payments=invoice.payments,
        balance_due=invoice.balance_due,
        lines=lines,
        adjustment_lines=adjustment_lines,
    )


def _member_name(member):
    middle = f" {member.middle_initial}." if member.middle_initial else ""
    return f"{member.last_name}, {member.first_name}{middle}"
