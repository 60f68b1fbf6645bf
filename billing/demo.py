"""Billing's part of the demo world: premium rates, a monthly invoice per group with its lines, and
the payments.

Premiums follow the plans' metal and the subscribers' tiers (`PremiumRate` rows, the carrier's
rates renewed every January). The months of history are billed here, a plan's head count per
line and fast; this month's bill of every group comes from the generator (billing.generation),
one member per line, as the monthly task makes them, so the demo shows its bills and the next
bill it generates trues them up. Most employers pay the last bill on time, "late" payers less
often, so some groups carry a balance forward.
"""

import datetime

from django.db.models import Count, Q

from billing import generation
from billing.models import Invoice, InvoiceLine, Payment, PremiumRate
from portal.dates import add_months
from portal.demo.world import World, dollars, month_end, quarters

# Monthly employee-only premium in cents, before the metal factor.
BASE_RATE_CENTS = {"HMO": 48_000, "EPO": 54_000, "PPO": 61_000}
METAL_FACTOR = {"Bronze": 0.80, "Silver": 1.00, "Gold": 1.20, "Platinum": 1.35}
TIER_FACTOR = {"EE": 1.0, "ES": 2.0, "EC": 1.8, "FAM": 2.85}
RENEWAL_INCREASE = 1.06


def plan_rate_cents(plan):
    metal = plan.name.split()[0]
    return round(BASE_RATE_CENTS[plan.plan_type] * METAL_FACTOR[metal])


def _renewals(world: World):
    """The first of the history, then every January 1 up to next month: the rates' dates."""
    months = world.periods + [add_months(world.this_month, 1)]
    return [months[0]] + [month for month in months[1:] if month.month == 1]


def rate_cents(world: World, plan, tier, period) -> int:
    """The monthly premium of `plan` for `tier` in `period`, as the PremiumRate rows say."""
    renewals = sum(1 for day in _renewals(world)[1:] if day <= period)
    # Quarters: exact in binary, so the history's sums add up on SQLite too.
    return quarters(plan_rate_cents(plan) * TIER_FACTOR[tier] * RENEWAL_INCREASE**renewals)


def premium_rates(world: World, plans_by: dict) -> None:
    """Every plan's rates by tier, from the first month of history and at each renewal."""
    rows = [
        PremiumRate(
            plan=plan,
            tier=tier,
            effective_date=day,
            monthly_premium=dollars(rate_cents(world, plan, tier, day)),
        )
        for plans in plans_by.values()
        for plan in plans
        for tier in TIER_FACTOR
        for day in _renewals(world)
    ]
    world.insert(PremiumRate, rows)


def _payment(world, f, previous, issued):
    """The payment of the bill `previous` (invoice, balance due in cents) before the next bill
    is issued on `issued`, or None when the employer did not pay it in time."""
    rng = world.rng
    invoice, balance_due = previous
    if balance_due <= 0:
        return None
    on_time = 0.98 if f.payer == "prompt" else 0.7
    if rng.random() >= on_time:
        return None
    received = invoice.due_date + datetime.timedelta(days=rng.randint(-12, 10))
    received = min(max(received, invoice.issued_on), issued)
    return Payment(
        group=f.group,
        invoice=invoice,
        amount=dollars(balance_due),
        received_on=received,
        settled_on=received,
        method=rng.choices(Payment.Method.values, weights=[55, 10, 30, 5])[0],
        reference=f"{rng.randint(100_000, 999_999)}",
    )


def bills(world: World, facts, coverage_by_group) -> dict:
    """Invoices, their lines and payments for a batch's groups (`enrollment.demo.GroupFacts`).

    Returns, per group id, {period: (subscribers billed, premium cents)} for commissions.
    """
    rng = world.rng
    group_premiums = {}
    invoices, lines_of, payments_of = [], [], []
    generate = []  # the groups billed this month by the generator
    for f in facts:
        group = f.group
        covered = coverage_by_group.get(group.pk, [])
        last_period = (group.cancellation_date or world.as_of).replace(day=1)
        periods = [p for p in world.periods if group.suffix_effective_date <= p <= last_period]
        premiums, previous = {}, None
        for period in periods:
            issued = generation.issue_date(period)
            payment = _payment(world, f, previous, issued) if previous else None
            if payment is not None:
                payments_of.append(payment)
            if period == world.this_month:
                generate.append(group.pk)
                break
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
                    rate_cents(world, plan, tier, period) * n for tier, n in counts.items()
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
                adjustments = rng.choice([-1, 1]) * rate_cents(world, f.plans[0], "EE", period)
                lines.append(
                    InvoiceLine(
                        kind=InvoiceLine.Kind.ADJUSTMENT,
                        description="Retroactive change: "
                        + ("member added" if adjustments > 0 else "member terminated"),
                        amount=dollars(adjustments),
                    )
                )
            paid = round(payment.amount * 100) if payment is not None else 0
            balance_forward = previous[1] if previous else 0
            balance_due = balance_forward + current + adjustments - paid
            invoice = Invoice(
                group=group,
                number=generation.invoice_number(group, period),
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

    this_month = _generate(world, generate)
    for group_id, premium in this_month.items():
        group_premiums[group_id][world.this_month] = premium
    return group_premiums


def _generate(world, group_ids) -> dict:
    """This month's bills of `group_ids` from the generator; {group id: (subscribers, cents)}."""
    outcome = generation.invoices_generate(period=world.this_month, group_ids=group_ids)
    if outcome.failed:
        raise RuntimeError(f"The demo's bills could not be generated: {outcome.failed}")
    world.count(Invoice, group_ids)
    made = (
        Invoice.objects.filter(group_id__in=group_ids, period_start=world.this_month)
        .annotate(
            subscribers=Count(
                "lines__member", filter=Q(lines__kind=InvoiceLine.Kind.PREMIUM), distinct=True
            )
        )
        .values_list("group_id", "subscribers", "current_amount")
    )
    return {
        group_id: (subscribers, round(current * 100)) for group_id, subscribers, current in made
    }
