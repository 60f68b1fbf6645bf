"""Billing's part of the demo world: a monthly invoice per group with its lines, and the payments.

Premiums follow the plans' metal and the subscribers' tiers; most employers pay the last bill on
time, "late" payers less often, so some groups carry a balance forward.
"""

import datetime

from billing.models import Invoice, InvoiceLine, Payment
from portal.demo.world import World, dollars, month_end, quarters

# Monthly employee-only premium in cents, before the metal factor.
BASE_RATE_CENTS = {"HMO": 48_000, "EPO": 54_000, "PPO": 61_000}
METAL_FACTOR = {"Bronze": 0.80, "Silver": 1.00, "Gold": 1.20, "Platinum": 1.35}
TIER_FACTOR = {"EE": 1.0, "ES": 2.0, "EC": 1.8, "FAM": 2.85}
RENEWAL_INCREASE = 1.06


def plan_rate_cents(plan):
    metal = plan.name.split()[0]
    return round(BASE_RATE_CENTS[plan.plan_type] * METAL_FACTOR[metal])


def bills(world: World, facts, coverage_by_group) -> dict:
    """Invoices, their lines and payments for a batch's groups (`enrollment.demo.GroupFacts`).

    Returns, per group id, {period: (subscribers billed, premium cents)} for commissions.
    """
    rng = world.rng
    group_premiums = {}
    invoices, lines_of, payments_of = [], [], []
    for f in facts:
        group = f.group
        covered = coverage_by_group.get(group.pk, [])
        last_period = (group.cancellation_date or world.as_of).replace(day=1)
        periods = [p for p in world.periods if group.suffix_effective_date <= p <= last_period]
        premiums, previous = {}, None
        increase = 1.0
        for period in periods:
            if period.month == group.renewal_month and period != periods[0]:
                increase *= RENEWAL_INCREASE
            period_end = month_end(period)
            lines, current, subscribers = [], 0, 0
            for plan in f.plans:
                counts = {}
                for plan_covered, tier, start, end in covered:
                    if (
                        plan_covered is plan
                        and start <= period_end
                        and (end is None or end >= period)
                    ):
                        counts[tier] = counts.get(tier, 0) + 1
                if not counts:
                    continue
                amount = sum(
                    quarters(plan_rate_cents(plan) * TIER_FACTOR[tier] * increase) * n
                    for tier, n in counts.items()
                )
                summary = ", ".join(f"{n} {tier}" for tier, n in sorted(counts.items()))
                lines.append(
                    InvoiceLine(
                        plan=plan, description=f"{plan.name}: {summary}", amount=dollars(amount)
                    )
                )
                current += amount
                subscribers += sum(counts.values())
            adjustments = 0
            if lines and rng.random() < 0.08:
                adjustments = rng.choice([-1, 1]) * quarters(plan_rate_cents(f.plans[0]) * increase)
                lines.append(
                    InvoiceLine(
                        kind=InvoiceLine.Kind.ADJUSTMENT,
                        description="Retroactive change: "
                        + ("member added" if adjustments > 0 else "member terminated"),
                        amount=dollars(adjustments),
                    )
                )
            issued = period - datetime.timedelta(days=15)
            paid, payment = 0, None
            if previous is not None and previous[1] > 0:
                on_time = 0.98 if f.payer == "prompt" else 0.7
                if rng.random() < on_time:
                    paid = previous[1]
                    received = previous[0].due_date + datetime.timedelta(days=rng.randint(-12, 10))
                    received = min(max(received, previous[0].issued_on), issued)
                    payment = Payment(
                        group=group,
                        invoice=previous[0],
                        amount=dollars(paid),
                        received_on=received,
                        settled_on=received,
                        method=rng.choices(Payment.Method.values, weights=[55, 10, 30, 5])[0],
                        reference=f"{rng.randint(100_000, 999_999)}",
                    )
            balance_forward = previous[1] if previous else 0
            balance_due = balance_forward + current + adjustments - paid
            invoice = Invoice(
                group=group,
                number=f"{group.number}-{period:%y%m}",
                period_start=period,
                period_end=period_end,
                issued_on=issued,
                due_date=period,
                balance_forward=dollars(balance_forward),
                current_amount=dollars(current),
                adjustments=dollars(adjustments),
                payments=dollars(paid),
                balance_due=dollars(balance_due),
            )
            invoices.append(invoice)
            lines_of.append((invoice, lines))
            if payment is not None:
                payments_of.append(payment)
            previous = (invoice, balance_due)
            premiums[period] = (subscribers, current)
        group_premiums[group.pk] = premiums
    world.insert(Invoice, invoices)
    lines = []
    for invoice, invoice_lines in lines_of:
        for line in invoice_lines:
            line.invoice = invoice
            lines.append(line)
    world.insert(InvoiceLine, lines)
    for payment in payments_of:
        payment.invoice_id = payment.invoice.pk
    world.insert(Payment, payments_of)
    return group_premiums
