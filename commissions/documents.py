"""What a commission statement document says, apart from how it is drawn.

`commissions.services` builds a `StatementContent` from the database (the lines of one
statement, or the payments of one statement date); `commissions.rendering` draws it as PDF and
as XLSX. Both files show the same numbers because both draw the same content.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class DetailLine:
    """One commission line as the statement's detail table shows it."""

    kind: str  # "Commission", "Adjustment" or "Chargeback"
    group_number: str  # "" on an individual (IFP) line
    member_id: str  # "" on a group line
    description: str  # the group's or member's name, or what an adjustment is for
    product: str
    coverage_period: datetime.date  # the first day of the month the premium paid for
    subscribers: int
    premium: Decimal
    rate: Decimal  # a fraction: 0.0500 is 5%
    amount: Decimal  # signed: a chargeback is negative


@dataclass(frozen=True)
class SummaryRow:
    """One row of the summary: a category's totals, or one payment on a checks & EFTs statement."""

    label: str  # "Group – CA", or "Group – CA: EFT 1234567"
    commission: Decimal
    adjustments: Decimal
    chargebacks: Decimal

    @property
    def net(self) -> Decimal:
        return self.commission + self.adjustments + self.chargebacks


@dataclass(frozen=True)
class StatementContent:
    name: str  # what brokers know the file as, and its name without extension
    title: str  # "Group Commission Statement – CA", "IFP / Group Checks & EFTs"
    broker_code: str
    npn: str
    payee_name: str  # the broker's name, "" when the Broker ID has no broker on file
    agency_name: str
    period: datetime.date  # the first day of the statement's month
    statement_date: datetime.date
    summary: Sequence[SummaryRow]
    # Empty on a checks & EFTs statement, whose summary lists the payments.
    lines: Sequence[DetailLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((row.net for row in self.summary), Decimal("0.00"))
