"""Commissions' part of the demo world: a monthly statement per payee, Broker ID and category,
with a line per group from what billing charged it, and one for individual policies.

Commissions know payees by NPN and Broker ID, never by a broker record, so the caller describes
them as `Payee`s.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from commissions.models import CommissionLine, CommissionStatement
from enrollment.models import Plan
from portal.demo.world import BATCH, World, dollars


@dataclass
class Payee:
    npn: str
    group_code: str
    # None for a producer who sells no individual plans.
    ifp_code: str | None
    # [(group id, market, group number)] of the groups they write, oldest first.
    groups: list = field(default_factory=list)


def statements(world: World, payees, premiums) -> None:
    """Statements for every payee and month of history; `premiums` is billing's
    {group id: {period: (subscribers, premium cents)}}."""
    rng = world.rng
    pending_statements, pending_lines = [], []
    for payee in payees:
        method = rng.choice(CommissionStatement.PaymentMethod.values)
        for period in world.periods:
            statement_date = period + datetime.timedelta(days=14)
            if statement_date > world.as_of:
                continue
            by_category = {}
            for group_id, market, number in payee.groups:
                subscribers, cents = premiums[group_id].get(period, (0, 0))
                if cents == 0:
                    continue
                rate = Decimal("0.0500") if market == Plan.Market.SMALL_GROUP else Decimal("0.0250")
                premium = dollars(cents)
                by_category.setdefault(("group", payee.group_code), []).append(
                    CommissionLine(
                        group_id=group_id,
                        description=f"Group {number}",
                        subscriber_count=subscribers,
                        premium=premium,
                        rate=rate,
                        amount=(premium * rate).quantize(Decimal("0.01")),
                    )
                )
            if payee.ifp_code:
                count = rng.randint(3, 40)
                premium = dollars(count * rng.randint(35_000, 65_000))
                rate = Decimal("0.0600")
                by_category[("ifp", payee.ifp_code)] = [
                    CommissionLine(
                        description="Individual & family policies",
                        subscriber_count=count,
                        premium=premium,
                        rate=rate,
                        amount=(premium * rate).quantize(Decimal("0.01")),
                    )
                ]
            for (category, code), lines in by_category.items():
                statement = CommissionStatement(
                    broker_code=code,
                    npn=payee.npn,
                    period=period,
                    category=category,
                    state="CA",
                    statement_date=statement_date,
                    total=sum((line.amount for line in lines), Decimal("0.00")),
                    payment_method=method,
                    payment_reference=f"{method.upper()}{rng.randint(1_000_000, 9_999_999)}",
                )
                pending_statements.append(statement)
                for line in lines:
                    line.statement = statement
                    pending_lines.append(line)
        if len(pending_lines) >= BATCH:
            flush(world, pending_statements, pending_lines)
            pending_statements, pending_lines = [], []
    flush(world, pending_statements, pending_lines)
    world.say(f"{world.counts.get('commission statements', 0):,} commission statements")


def flush(world: World, statements, lines):
    world.insert(CommissionStatement, statements)
    for line in lines:
        line.statement_id = line.statement.pk
    world.insert(CommissionLine, lines)
