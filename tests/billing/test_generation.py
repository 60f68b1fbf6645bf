"""Monthly invoices from coverage (billing/generation.py): premium by plan and tier from the rate
in effect, proration of partial months, balance forward and payments, retroactive adjustments,
reruns that change nothing, and regeneration of one bill."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from billing import generation, tasks
from billing.models import Invoice, InvoiceLine, Payment, PremiumRate
from enrollment.models import Coverage, Group
from tests.factories import (
    CoverageFactory,
    DependentFactory,
    GroupFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    MemberFactory,
    PaymentFactory,
    PlanFactory,
)

NOV = datetime.date(2026, 11, 1)
DEC = datetime.date(2026, 12, 1)
JAN = datetime.date(2027, 1, 1)


@pytest.fixture
def plan(db):
    plan = PlanFactory()
    for tier, premium in {
        "EE": "500.00",
        "ES": "1000.00",
        "EC": "900.00",
        "FAM": "1425.00",
    }.items():
        PremiumRate.objects.create(
            plan=plan, tier=tier, effective_date=datetime.date(2026, 1, 1), monthly_premium=premium
        )
    return plan


@pytest.fixture
def group(db):
    return GroupFactory()


def subscriber(group, plan, *, tier="EE", start=datetime.date(2026, 1, 1), end=None, **names):
    member = MemberFactory(group=group, plan=plan, **names)
    CoverageFactory(member=member, plan=plan, tier=tier, start_date=start, end_date=end)
    return member


def generate(group, period):
    return generation.invoice_generate(group_id=group.pk, period=period)


def premium_lines(invoice):
    return list(invoice.lines.filter(kind=InvoiceLine.Kind.PREMIUM))


def adjustment_lines(invoice):
    return list(invoice.lines.filter(kind=InvoiceLine.Kind.ADJUSTMENT))


def test_one_line_per_subscriber_at_the_rate_of_their_plan_and_tier_and_dependents_at_0(
    group, plan
):
    ee = subscriber(group, plan, tier="EE", last_name="Adams")
    fam = subscriber(group, plan, tier="FAM", last_name="Baker")
    # Dependents are in the subscriber's tier: no line of their own.
    child = DependentFactory(subscriber=fam, plan=plan)
    CoverageFactory(member=child, plan=plan, tier="FAM", start_date=datetime.date(2026, 1, 1))

    invoice = generate(group, NOV)

    lines = premium_lines(invoice)
    assert [(line.member, line.plan, line.tier, line.amount) for line in lines] == [
        (ee, plan, "EE", Decimal("500.00")),
        (fam, plan, "FAM", Decimal("1425.00")),
        # Listed under the employee, so the roster names them, at no charge of their own.
        (child, plan, "FAM", Decimal("0.00")),
    ]
    assert lines[2].description == f"Covered in {fam.member_id}'s FAM tier"
    assert lines[0].description == "Premium for November 2026"
    assert invoice.number == f"{group.number}-2611"
    assert (invoice.period_start, invoice.period_end) == (NOV, datetime.date(2026, 11, 30))
    assert (invoice.issued_on, invoice.due_date) == (datetime.date(2026, 10, 17), NOV)
    assert invoice.current_amount == Decimal("1925.00")
    assert invoice.balance_due == Decimal("1925.00")


def test_the_rate_is_the_one_in_effect_on_the_first_of_the_month(group, plan):
    PremiumRate.objects.create(
        plan=plan, tier="EE", effective_date=DEC, monthly_premium=Decimal("530.00")
    )
    # A rate from the 15th applies from the next month on, never part-way through one.
    PremiumRate.objects.create(
        plan=plan, tier="EE", effective_date=datetime.date(2027, 1, 15), monthly_premium=999
    )
    subscriber(group, plan)

    amounts = [generate(group, period).current_amount for period in (NOV, DEC, JAN)]

    assert amounts == [Decimal("500.00"), Decimal("530.00"), Decimal("530.00")]


def test_a_plan_and_tier_without_a_rate_stops_the_group_bill_and_not_the_others(group, plan):
    subscriber(group, plan)
    unrated = GroupFactory()
    subscriber(unrated, PlanFactory())

    outcome = generation.invoices_generate(period=NOV, group_ids=[unrated.pk, group.pk])

    assert outcome.created == 1
    assert "No premium rate" in outcome.failed[unrated.number]
    assert not Invoice.objects.filter(group=unrated).exists()
    assert Invoice.objects.filter(group=group).exists()


@pytest.mark.parametrize(
    ("start", "end", "amount", "description"),
    [
        # 21 of 30 days at $500: 350.00.
        (datetime.date(2026, 11, 10), None, "350.00", "11/10/2026–11/30/2026 (21 of 30 days)"),
        # Three days: 500 × 3/30 = 50.00.
        (datetime.date(2026, 1, 1), datetime.date(2026, 11, 3), "50.00", "(3 of 30 days)"),
        # One day at $500: 16.666… rounds to 16.67.
        (datetime.date(2026, 11, 30), None, "16.67", "(1 of 30 days)"),
        (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), "500.00", "November 2026"),
    ],
)
def test_a_partly_covered_month_is_prorated_by_days_to_the_cent(
    group, plan, start, end, amount, description
):
    subscriber(group, plan, start=start, end=end)

    (line,) = premium_lines(generate(group, NOV))

    assert line.amount == Decimal(amount)
    assert description in line.description


def test_a_plan_change_mid_month_bills_both_plans_for_their_days(group, plan):
    gold = PlanFactory()
    PremiumRate.objects.create(
        plan=gold, tier="EE", effective_date=datetime.date(2026, 1, 1), monthly_premium=620
    )
    member = subscriber(group, plan, end=datetime.date(2026, 11, 15))
    CoverageFactory(member=member, plan=gold, tier="EE", start_date=datetime.date(2026, 11, 16))

    lines = premium_lines(generate(group, NOV))

    assert [(line.plan, line.amount) for line in lines] == [
        (plan, Decimal("250.00")),
        (gold, Decimal("310.00")),
    ]


def test_no_bill_for_coverage_outside_the_month_or_in_another_group(group, plan):
    subscriber(group, plan, start=DEC)
    subscriber(group, plan, end=datetime.date(2026, 10, 31))
    subscriber(GroupFactory(), plan)

    invoice = generate(group, NOV)

    assert premium_lines(invoice) == []
    assert invoice.balance_due == 0


def test_balance_forward_and_settled_payments_between_the_issue_dates(group, plan):
    subscriber(group, plan)
    november = generate(group, NOV)
    # Settled after November's bill went out and before December's: credited on December's.
    PaymentFactory(group=group, amount=300, settled_on=datetime.date(2026, 11, 1))
    # Settled after December's issue date: January's; scheduled and returned: never.
    PaymentFactory(group=group, amount=40, settled_on=datetime.date(2026, 11, 20))
    PaymentFactory(group=group, amount=7, status=Payment.Status.SCHEDULED)
    PaymentFactory(
        group=group,
        amount=9,
        status=Payment.Status.RETURNED,
        returned_on=datetime.date(2026, 11, 2),
        return_reason="R01 Insufficient funds",
    )

    december = generate(group, DEC)
    january = generate(group, JAN)

    assert december.balance_forward == november.balance_due == Decimal("500.00")
    assert december.payments == Decimal("300.00")
    assert december.balance_due == Decimal("700.00")
    assert january.balance_forward == Decimal("700.00")
    assert january.payments == Decimal("40.00")
    assert january.balance_due == Decimal("1160.00")


def test_a_settlement_recorded_late_with_an_earlier_date_is_credited_on_the_next_bill(group, plan):
    subscriber(group, plan)
    generate(group, NOV)
    generate(group, DEC)
    # Settled on 11/05 (before December's issue date) but recorded only after that bill.
    PaymentFactory(group=group, amount=125, settled_on=datetime.date(2026, 11, 5))

    january = generate(group, JAN)

    assert january.payments == Decimal("125.00")


def test_a_payment_returned_after_it_was_credited_comes_back_as_an_adjustment(group, plan):
    subscriber(group, plan)
    generate(group, NOV)
    payment = PaymentFactory(group=group, amount=500, settled_on=datetime.date(2026, 11, 2))
    december = generate(group, DEC)
    assert december.payments == Decimal("500.00")
    payment.status = Payment.Status.RETURNED
    payment.return_reason = "R10 Customer advises not authorized"
    payment.save()

    january = generate(group, JAN)

    assert january.payments == 0
    (line,) = adjustment_lines(january)
    assert (line.description, line.amount) == (generation.PAYMENT_REVERSAL, Decimal("500.00"))
    assert january.balance_due == december.balance_due + Decimal("500.00") + Decimal("500.00")
    # Taken back once: February's bill does not take it back again.
    assert adjustment_lines(generate(group, datetime.date(2027, 2, 1))) == []


def test_an_employee_terminated_on_the_3rd_after_the_bill_went_out_is_a_credit_on_the_next(
    group, plan
):
    member = subscriber(group, plan, last_name="Nguyen", first_name="Ana")
    november = generate(group, NOV)
    assert november.current_amount == Decimal("500.00")
    Coverage.objects.filter(member=member).update(end_date=datetime.date(2026, 11, 3))

    december = generate(group, DEC)

    assert premium_lines(december) == []
    (line,) = adjustment_lines(december)
    # Billed 500.00 for November; 3 of 30 days cost 50.00.
    assert line.amount == Decimal("-450.00")
    assert line.member == member
    assert line.description == (
        f"Retroactive credit for Nguyen, Ana ({member.member_id}): coverage ended 11/03/2026"
    )
    assert december.adjustments == Decimal("-450.00")
    assert december.balance_due == Decimal("50.00")
    # Corrected once: January sees nothing left to correct.
    assert adjustment_lines(generate(group, JAN)) == []


def test_a_retroactive_enrollment_is_charged_for_the_months_already_billed(group, plan):
    subscriber(group, plan)
    generate(group, NOV)
    late = subscriber(group, plan, tier="ES", start=datetime.date(2026, 11, 16))

    december = generate(group, DEC)

    (line,) = adjustment_lines(december)
    assert line.member == late
    assert line.amount == Decimal("500.00")  # 15 of 30 days at 1,000.00
    assert "Retroactive charge" in line.description
    assert "coverage began 11/16/2026" in line.description
    assert december.current_amount == Decimal("1500.00")


def test_a_tier_change_backdated_into_a_billed_month_is_the_difference(group, plan):
    member = subscriber(group, plan, tier="EE")
    generate(group, NOV)
    generate(group, DEC)
    Coverage.objects.filter(member=member).update(end_date=datetime.date(2026, 11, 30))
    CoverageFactory(member=member, plan=plan, tier="ES", start_date=DEC)

    january = generate(group, JAN)

    (line,) = adjustment_lines(january)
    assert line.amount == Decimal("500.00")  # December: ES 1,000.00, billed EE 500.00
    assert line.tier == "ES"
    assert line.description.endswith("tier changed to ES from 12/01/2026")


def test_bills_billed_per_plan_before_the_generator_are_not_trued_up(group, plan):
    member = subscriber(group, plan)
    legacy = InvoiceFactory(
        group=group,
        period_start=NOV,
        period_end=datetime.date(2026, 11, 30),
        current_amount=Decimal("500.00"),
    )
    InvoiceLineFactory(invoice=legacy, plan=plan, description="Silver: 1 EE", amount=500)
    Coverage.objects.filter(member=member).update(end_date=datetime.date(2026, 11, 3))

    december = generate(group, DEC)

    assert adjustment_lines(december) == []
    assert december.balance_forward == legacy.balance_due


def test_generating_again_changes_nothing(group, plan):
    subscriber(group, plan)
    first = generation.invoices_generate(period=NOV, group_ids=[group.pk])
    lines = list(InvoiceLine.objects.values_list("pk", "amount"))

    again = generation.invoices_generate(period=NOV, group_ids=[group.pk])

    assert (first.created, first.existing) == (1, 0)
    assert (again.created, again.existing) == (0, 1)
    assert Invoice.objects.count() == 1
    assert list(InvoiceLine.objects.values_list("pk", "amount")) == lines


def test_a_month_before_the_latest_bill_is_refused(group, plan):
    subscriber(group, plan)
    generate(group, DEC)

    with pytest.raises(generation.GenerationError, match="already has a bill after"):
        generate(group, NOV)
    assert Invoice.objects.count() == 1


def test_the_months_due_are_this_one_and_next_from_its_issue_date():
    assert generation.periods_due(datetime.date(2026, 11, 15)) == [NOV]
    assert generation.periods_due(datetime.date(2026, 11, 16)) == [NOV, DEC]
    assert generation.periods_due(datetime.date(2027, 2, 14)) == [
        datetime.date(2027, 2, 1),
        datetime.date(2027, 3, 1),
    ]


def test_only_active_groups_covered_in_the_month_and_not_yet_billed_are_due(db):
    active = GroupFactory()
    billed = GroupFactory()
    InvoiceFactory(group=billed, period_start=DEC, period_end=datetime.date(2026, 12, 31))
    GroupFactory(status=Group.Status.CANCELLED, cancellation_date=datetime.date(2026, 6, 30))
    GroupFactory(status=Group.Status.PENDING)
    GroupFactory(suffix_effective_date=JAN)
    GroupFactory(cancellation_date=datetime.date(2026, 11, 30))

    assert generation.groups_to_bill(DEC) == [active.pk]


def test_the_daily_task_bills_next_month_from_its_issue_date_and_then_does_nothing(
    group, plan, monkeypatch, django_capture_on_commit_callbacks
):
    subscriber(group, plan)
    InvoiceFactory(group=group, period_start=NOV, period_end=datetime.date(2026, 11, 30))
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args: datetime.date(2026, 11, 20)
    )
    monkeypatch.setattr(generation, "BATCH_SIZE", 1)
    GroupFactory()  # active, no coverage: an empty bill

    tasks.invoices_generate_due.delay()
    tasks.invoices_generate_due.delay()

    assert Invoice.objects.filter(period_start=DEC).count() == 2
    assert Invoice.objects.get(group=group, period_start=DEC).current_amount == Decimal("500.00")


# -- regeneration ------------------------------------------------------------------------------


def test_regenerate_rebuilds_lines_and_figures_and_keeps_adjustments_made_by_hand(group, plan):
    member = subscriber(group, plan)
    generate(group, NOV)
    december = generate(group, DEC)
    manual = InvoiceLineFactory(
        invoice=december, kind=InvoiceLine.Kind.ADJUSTMENT, description="Goodwill", amount=-25
    )
    Invoice.objects.filter(pk=december.pk).update(adjustments=-25, balance_due=975)
    Coverage.objects.filter(member=member).update(end_date=datetime.date(2026, 11, 3))

    regeneration = generation.invoice_regenerate(invoice=december)

    december.refresh_from_db()
    assert regeneration.changes == {
        "current_amount": (Decimal("500.00"), Decimal("0.00")),
        "adjustments": (Decimal("-25.00"), Decimal("-475.00")),
        # 500.00 forward + nothing this month - 450.00 credit - 25.00 goodwill.
        "balance_due": (Decimal("975.00"), Decimal("25.00")),
    }
    assert premium_lines(december) == []
    descriptions = [line.description for line in adjustment_lines(december)]
    assert descriptions[0] == "Goodwill"
    assert "coverage ended 11/03/2026" in descriptions[1]
    assert not InvoiceLine.objects.filter(pk=manual.pk).exists()  # replaced by its copy
    assert december.balance_due == Decimal("25.00")


def test_regenerate_turns_a_bill_billed_per_plan_into_one_per_member(group, plan):
    member = subscriber(group, plan)
    legacy = InvoiceFactory(
        group=group, period_start=NOV, period_end=datetime.date(2026, 11, 30), current_amount=480
    )
    InvoiceLineFactory(invoice=legacy, plan=plan, description="Silver: 1 EE", amount=480)

    generation.invoice_regenerate(invoice=legacy)

    (line,) = legacy.lines.all()
    assert (line.member, line.amount) == (member, Decimal("500.00"))
    legacy.refresh_from_db()
    assert legacy.current_amount == legacy.balance_due == Decimal("500.00")


def test_regenerate_refuses_any_bill_but_the_latest(group, plan):
    subscriber(group, plan)
    november = generate(group, NOV)
    generate(group, DEC)

    with pytest.raises(generation.GenerationError, match="Only the group's latest bill"):
        generation.invoice_regenerate(invoice=november)


def test_regenerate_refuses_when_payments_made_on_the_bill_exceed_what_it_would_ask(group, plan):
    member = subscriber(group, plan)
    november = generate(group, NOV)
    PaymentFactory(group=group, invoice=november, amount=500, status=Payment.Status.SUBMITTED)
    Coverage.objects.filter(member=member).update(end_date=datetime.date(2026, 11, 3))

    with pytest.raises(generation.GenerationError, match=r"Payments of \$500.00"):
        generation.invoice_regenerate(invoice=november)
    november.refresh_from_db()
    assert november.current_amount == Decimal("500.00")
    assert len(premium_lines(november)) == 1


# -- the demo ------------------------------------------------------------------------------------


def test_the_demo_bills_this_month_with_the_generator_and_next_month_follows(db):
    as_of = datetime.date(2026, 11, 20)
    call_command("seed_demo", scale=0.05, as_of=as_of, stdout=StringIO())
    this_month = Invoice.objects.filter(period_start=NOV)

    # Every bill of the month is itemised per subscriber at the loaded rates...
    assert this_month.exists()
    assert not InvoiceLine.objects.filter(
        invoice__period_start=NOV, kind=InvoiceLine.Kind.PREMIUM, member__isnull=True
    ).exists()
    assert PremiumRate.objects.filter(effective_date=datetime.date(2026, 1, 1)).exists()
    # ...and carries the last bill of the history forward (except where the demo approved a
    # change of the amount due on that bill afterwards: billing.demo_bill_changes).
    for invoice in this_month.select_related("group"):
        previous = (
            Invoice.objects.filter(group=invoice.group, period_start__lt=NOV)
            .order_by("period_start")
            .last()
        )
        if previous and previous.amount_change_requests.filter(status="approved").exists():
            continue
        assert invoice.balance_forward == (previous.balance_due if previous else 0)

    # From December's issue date (11/16) on, the daily task bills December for every active group.
    due = generation.groups_to_bill(DEC)
    outcome = generation.invoices_generate(period=DEC, group_ids=due)
    assert (outcome.created, outcome.failed) == (len(due), {})
    assert generation.groups_to_bill(DEC) == []
