"""The balance of every bill adds up, whatever happens between bills (hypothesis).

Months of a group's life are drawn at random: subscribers enrolled, terminated and moved to
another tier (often backdated into months already billed), payments settled (some recorded late,
with an earlier date) and returned after being credited, adjustments added by hand, the latest
bill regenerated, and each month's bill generated (billing/generation.py). After every step:

- every bill's balance due = balance forward + current amount + adjustments − payments, its
  current amount is its premium lines and its adjustments its adjustment lines;
- each bill's balance forward is the previous bill's balance due;
- no money is lost or doubled: once the last bill is made, everything billed per member equals
  what the coverage on the books says the months billed cost, and the payments credited are the
  payments settled up to its issue date.
"""

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from billing import generation
from billing.models import Invoice, InvoiceLine, Payment, PremiumRate
from enrollment.models import Coverage
from portal.dates import add_months
from tests.factories import GroupFactory, MemberFactory, PaymentFactory, PlanFactory

FIRST = datetime.date(2026, 9, 1)
TIERS = ["EE", "ES", "EC", "FAM"]
# Monthly premiums by tier; a renewal raises them from RENEWAL on.
RATES = {"EE": Decimal("480.10"), "ES": Decimal("960.25"), "EC": Decimal("864.33"), "FAM": 1370}
RENEWAL = datetime.date(2026, 12, 1)
CENT = Decimal("0.01")

days_back = st.integers(min_value=0, max_value=75)
actions = st.one_of(
    st.tuples(st.just("enroll"), st.sampled_from(TIERS), days_back),
    st.tuples(st.just("end"), st.integers(0, 5), days_back),
    st.tuples(st.just("retier"), st.integers(0, 5), days_back, st.sampled_from(TIERS)),
    st.tuples(st.just("pay"), st.integers(1, 300_000), days_back, st.booleans()),
    st.tuples(st.just("return"), st.integers(0, 5)),
    st.tuples(st.just("adjust"), st.integers(-50_000, 50_000)),
    st.tuples(st.just("regenerate")),
)
months = st.lists(st.lists(actions, max_size=5), min_size=2, max_size=6)


@pytest.fixture
def setting(db):
    plan = PlanFactory()
    for tier, premium in RATES.items():
        PremiumRate.objects.create(
            plan=plan, tier=tier, effective_date=FIRST, monthly_premium=premium
        )
        PremiumRate.objects.create(
            plan=plan,
            tier=tier,
            effective_date=RENEWAL,
            monthly_premium=(Decimal(premium) * Decimal("1.06")).quantize(CENT),
        )
    return GroupFactory(), plan


def _apply(action, *, group, plan, today, members, payments):
    kind, *args = action
    if kind == "enroll":
        tier, back = args
        member = MemberFactory(group=group, plan=plan)
        Coverage.objects.create(
            member=member,
            group=group,
            plan=plan,
            tier=tier,
            start_date=today - datetime.timedelta(days=back),
        )
        members.append(member)
    elif kind in ("end", "retier") and members:
        member = members[args[0] % len(members)]
        latest = Coverage.objects.filter(member=member).order_by("-start_date").first()
        day = max(today - datetime.timedelta(days=args[1]), latest.start_date)
        if kind == "end":
            latest.end_date = day
            latest.save()
        elif latest.end_date is None and day > latest.start_date:
            latest.end_date = day - datetime.timedelta(days=1)
            latest.save()
            Coverage.objects.create(
                member=member, group=group, plan=plan, tier=args[2], start_date=day
            )
    elif kind == "pay":
        amount, back, on_the_bill = args
        latest = Invoice.objects.filter(group=group).order_by("period_start").last()
        payments.append(
            PaymentFactory(
                group=group,
                invoice=latest if on_the_bill else None,
                amount=Decimal(amount).scaleb(-2),
                settled_on=today - datetime.timedelta(days=back),
            )
        )
    elif kind == "return" and payments:
        payment = payments[args[0] % len(payments)]
        payment.status = Payment.Status.RETURNED
        payment.return_reason = "R01 Insufficient funds"
        payment.save()
    elif kind == "adjust" and args[0]:
        # As ops or an approved amount change do: a line and the figures, in step.
        latest = Invoice.objects.filter(group=group).order_by("period_start").last()
        if latest is not None:
            amount = Decimal(args[0]).scaleb(-2)
            InvoiceLine.objects.create(
                invoice=latest, kind="adjustment", description="Adjusted by ops", amount=amount
            )
            latest.adjustments += amount
            latest.balance_due += amount
            latest.save()
    elif kind == "regenerate":
        latest = Invoice.objects.filter(group=group).order_by("period_start").last()
        if latest is not None:
            try:
                generation.invoice_regenerate(invoice=latest)
            except generation.GenerationError:
                event("regeneration refused")  # nothing changed: the checks hold either way


def _check_every_bill(group):
    previous = None
    for invoice in Invoice.objects.filter(group=group).order_by("period_start"):
        lines = list(invoice.lines.all())
        assert invoice.balance_due == (
            invoice.balance_forward
            + invoice.current_amount
            + invoice.adjustments
            - invoice.payments
        )
        assert invoice.current_amount == sum(
            (line.amount for line in lines if line.kind == "premium"), Decimal(0)
        )
        assert invoice.adjustments == sum(
            (line.amount for line in lines if line.kind == "adjustment"), Decimal(0)
        )
        assert invoice.payments >= 0
        assert invoice.balance_forward == (previous.balance_due if previous else 0)
        previous = invoice


def _cost(group, months):
    """What the coverage on the books says `months` cost, computed here from first principles."""
    total = Decimal(0)
    for coverage in Coverage.objects.filter(group=group):
        for month in months:
            last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            first_day, last_day = (
                max(coverage.start_date, month),
                min(coverage.end_date or last, last),
            )
            if first_day > last_day:
                continue
            rate = PremiumRate.objects.filter(
                plan=coverage.plan, tier=coverage.tier, effective_date__lte=month
            ).latest("effective_date")
            days = (last_day - first_day).days + 1
            total += (rate.monthly_premium * days / last.day).quantize(CENT, ROUND_HALF_UP)
    return total


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(months=months)
def test_balance_due_always_adds_up_and_carries_forward(setting, months):
    group, plan = setting
    with transaction.atomic():
        members, payments, periods = [], [], []
        for number, month_actions in enumerate(months):
            period = add_months(FIRST, number)
            today = generation.issue_date(period)
            for action in month_actions:
                _apply(
                    action, group=group, plan=plan, today=today, members=members, payments=payments
                )
                _check_every_bill(group)
            generation.invoice_generate(group_id=group.pk, period=period)
            periods.append(period)
            _check_every_bill(group)

        # Nothing lost, nothing doubled: the last bill trued up every month billed before it.
        last = Invoice.objects.filter(group=group).latest("period_start")
        billed = InvoiceLine.objects.filter(invoice__group=group, member__isnull=False)
        assert sum((line.amount for line in billed), Decimal(0)) == _cost(group, periods)
        settled = sum(
            (
                p.amount
                for p in Payment.objects.filter(group=group, status="settled")
                if p.settled_on <= last.issued_on
            ),
            Decimal(0),
        )
        reversed_ = sum(
            (
                line.amount
                for line in InvoiceLine.objects.filter(
                    invoice__group=group, description=generation.PAYMENT_REVERSAL
                )
            ),
            Decimal(0),
        )
        credited = sum((i.payments for i in Invoice.objects.filter(group=group)), Decimal(0))
        assert credited - reversed_ == settled
        retro = InvoiceLine.objects.filter(
            invoice__group=group, kind="adjustment", member__isnull=False
        )
        event(f"retroactive lines: {min(retro.count(), 3)}+")
        event(f"payment reversals: {bool(reversed_)}")
        transaction.set_rollback(True)
