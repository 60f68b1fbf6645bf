"""Commissions' part of the demo world: a monthly statement per payee, Broker ID and category.

A group statement has a commission line per group from what billing charged it, with the odd
chargeback (a group that ended coverage retroactively gives back last month's commission) and
adjustment; an individual (IFP) statement has a line per policy. Statements go back two months
further than the rest of the history, beyond the 18 months the portal keeps, so the page's
window and the periodic purge both have something to show.

Commissions know payees by NPN and Broker ID, never by a broker record, so the caller describes
them as `Payee`s.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from commissions.models import CommissionLine, CommissionStatement
from enrollment.models import Plan
from portal.demo.world import BATCH, World, add_months, dollars

# Months of statements before the rest of the history starts: older than the portal keeps.
EXTRA_MONTHS = 2
GROUP_RATES = {
    Plan.Market.SMALL_GROUP: Decimal("0.0500"),
    Plan.Market.LARGE_GROUP: Decimal("0.0250"),
}
GROUP_PRODUCTS = {
    Plan.Market.SMALL_GROUP: "Small group medical",
    Plan.Market.LARGE_GROUP: "Large group medical",
}
IFP_RATE = Decimal("0.0600")
IFP_PRODUCTS = ["Individual Bronze HMO", "Individual Silver PPO", "Individual Gold PPO"]
CENT = Decimal("0.01")


@dataclass
class Payee:
    npn: str
    name: str
    agency_name: str
    group_code: str
    # None for a producer who sells no individual plans.
    ifp_code: str | None
    # [(group id, market, group number)] of the groups they write, oldest first.
    groups: list = field(default_factory=list)


def statements(world: World, payees, premiums) -> None:
    """Statements for every payee and month of history; `premiums` is billing's
    {group id: {period: (subscribers, premium cents)}}."""
    rng = world.rng
    months = [add_months(world.periods[0], -n) for n in range(EXTRA_MONTHS, 0, -1)]
    months += world.periods
    pending_statements, pending_lines = [], []
    for payee in payees:
        method = rng.choice(CommissionStatement.PaymentMethod.values)
        policies = _ifp_policies(world, payee) if payee.ifp_code else []
        paid_last_month = {}
        for period in months:
            statement_date = period + datetime.timedelta(days=6)
            if statement_date > world.as_of:
                continue
            group_lines = []
            for group_id, market, number in payee.groups:
                # Before billing's history, a month like its first.
                by_period = premiums[group_id]
                subscribers, cents = by_period.get(period) or by_period.get(
                    world.periods[0], (0, 0)
                )
                if cents == 0:
                    continue
                rate, premium = GROUP_RATES[market], dollars(cents)
                commission = CommissionLine(
                    group_id=group_id,
                    description=f"Group {number}",
                    product=GROUP_PRODUCTS[market],
                    coverage_period=period,
                    subscriber_count=subscribers,
                    premium=premium,
                    rate=rate,
                    amount=(premium * rate).quantize(CENT),
                )
                group_lines.append(commission)
                earlier = paid_last_month.get(group_id)
                if earlier and rng.random() < 0.04:
                    group_lines.append(_chargeback(earlier, "Coverage ended retroactively"))
                elif rng.random() < 0.02:
                    group_lines.append(_adjustment(rng, commission))
                paid_last_month[group_id] = commission
            by_code = {(CommissionStatement.Category.GROUP, payee.group_code): group_lines}
            if payee.ifp_code:
                by_code[(CommissionStatement.Category.IFP, payee.ifp_code)] = _ifp_lines(
                    rng, policies, period
                )
            for (category, code), lines in by_code.items():
                if not lines:
                    continue
                statement = CommissionStatement(
                    broker_code=code,
                    npn=payee.npn,
                    payee_name=payee.name,
                    agency_name=payee.agency_name,
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


def _chargeback(line, reason):
    return CommissionLine(
        kind=CommissionLine.Kind.CHARGEBACK,
        group_id=line.group_id,
        description=f"{line.description}: {reason}",
        product=line.product,
        coverage_period=line.coverage_period,
        subscriber_count=line.subscriber_count,
        premium=-line.premium,
        rate=line.rate,
        amount=-line.amount,
    )


def _adjustment(rng, line):
    amount = Decimal(rng.choice([-1, 1]) * rng.randint(500, 5_000)).scaleb(-2)
    return CommissionLine(
        kind=CommissionLine.Kind.ADJUSTMENT,
        group_id=line.group_id,
        description=f"{line.description}: subscriber count corrected",
        product=line.product,
        coverage_period=line.coverage_period,
        premium=Decimal("0.00"),
        rate=line.rate,
        amount=amount,
    )


def _ifp_policies(world, payee):
    """The payee's individual policies: (member ID, name, product, monthly premium, first month)."""
    rng = world.rng
    policies = []
    for _ in range(rng.randint(4, 30)):
        _, first, last = world.person()
        policies.append(
            (
                f"I{rng.randint(10_000_000, 99_999_999)}",
                f"{last}, {first}",
                rng.choice(IFP_PRODUCTS),
                dollars(rng.randint(300, 900) * 100),
                add_months(world.periods[0], rng.randint(-EXTRA_MONTHS, 12)),
            )
        )
    return policies


def _ifp_lines(rng, policies, period):
    lines = []
    for member_id, name, product, premium, starts in policies:
        if starts > period:
            continue
        line = CommissionLine(
            member_id=member_id,
            description=name,
            product=product,
            coverage_period=period,
            subscriber_count=1,
            premium=premium,
            rate=IFP_RATE,
            amount=(premium * IFP_RATE).quantize(CENT),
        )
        lines.append(line)
        if starts < period and rng.random() < 0.03:
            lines.append(_chargeback(line, "Policy cancelled for non-payment"))
    return lines


def flush(world: World, statements, lines):
    world.insert(CommissionStatement, statements)
    for line in lines:
        line.statement_id = line.statement.pk
    world.insert(CommissionLine, lines)
