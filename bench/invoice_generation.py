"""Monthly invoice generation (billing/generation.py): the largest employer's suffixes and 1,000
groups, next month's bills.

Each run generates inside a transaction that is rolled back, so every run bills the same month
from the same data (the per-group transactions become savepoints: the commits themselves are not
timed). The baseline writes the same number of invoices and lines with bulk_create and nothing
else, the least any generator could cost. A scale database built before the generator existed
has no premium rates: the setup loads the demo's (billing.demo.premium_rates) once.

`invoice-generation-largest-employer` bills two months in a row, so the second trues up the first
(the retroactive pass reads every member's billed months): the steady state of a group billed by
the generator, for its ~5,000 subscribers at scale 26.
"""

import datetime

from django.db import transaction
from django.db.models import Count

from bench import baseline, scenario
from billing import demo as billing_demo
from billing import generation
from billing.models import Invoice, InvoiceLine, PremiumRate
from enrollment.models import Coverage, Employer, Plan
from portal.dates import add_months
from portal.demo.world import World

GROUPS = 1000


def _next_period():
    """The month after the latest bill in the database, with its rates loaded."""
    latest = Invoice.objects.order_by("-period_start").values_list("period_start", flat=True)[0]
    if not PremiumRate.objects.exists():
        world = World(seed=2026, scale=1, as_of=latest, log=lambda message: None)
        billing_demo.premium_rates(world, {"all": list(Plan.objects.all())})
    return add_months(latest, 1)


def _largest_employer_groups(period):
    employer = (
        Employer.objects.annotate(members=Count("parent_groups__suffixes__members"))
        .order_by("-members")
        .first()
    )
    due = set(generation.groups_to_bill(period))
    return [
        pk
        for pk in employer.parent_groups.values_list("suffixes", flat=True).order_by("suffixes")
        if pk in due
    ]


def _rolled_back(work):
    def run():
        with transaction.atomic():
            outcome = work()
            transaction.set_rollback(True)
        if outcome.failed:
            raise RuntimeError(f"Invoices not generated: {outcome.failed}")

    return run


@scenario("invoice-generation-1000-groups", baseline="bare-invoice-rows", repeat=3, warmup=1)
def generation_1000_groups(ctx):
    """Next month's bills of 1,000 groups, one transaction each."""
    period = _next_period()
    group_ids = generation.groups_to_bill(period)[:GROUPS]
    return _rolled_back(lambda: generation.invoices_generate(period=period, group_ids=group_ids))


@scenario("invoice-generation-largest-employer", baseline="bare-invoice-rows", repeat=3, warmup=1)
def generation_largest_employer(ctx):
    """The largest employer's suffixes billed two months running (the second trues up)."""
    period = _next_period()
    group_ids = _largest_employer_groups(period)

    def work():
        generation.invoices_generate(period=period, group_ids=group_ids)
        return generation.invoices_generate(period=add_months(period, 1), group_ids=group_ids)

    return _rolled_back(work)


@baseline("bare-invoice-rows", repeat=3, warmup=1)
def bare_invoice_rows(ctx):
    """bulk_create of 1,000 groups' invoices and a line per covered subscriber, rolled back."""
    period = _next_period()
    group_ids = generation.groups_to_bill(period)[:GROUPS]
    subscribers = dict(
        Coverage.objects.filter(
            group_id__in=group_ids,
            member__relationship="subscriber",
            end_date__isnull=True,
        )
        .values_list("group_id")
        .annotate(count=Count("pk"))
        .order_by()
    )

    def run():
        with transaction.atomic():
            invoices = Invoice.objects.bulk_create(
                Invoice(
                    group_id=pk,
                    number=f"BENCH-{pk}",
                    period_start=period,
                    period_end=generation.month_end(period),
                    issued_on=period - datetime.timedelta(days=15),
                    due_date=period,
                    balance_forward=0,
                    current_amount=100,
                    balance_due=100,
                )
                for pk in group_ids
            )
            InvoiceLine.objects.bulk_create(
                InvoiceLine(invoice=invoice, description="Premium", amount=1)
                for invoice in invoices
                for _ in range(subscribers.get(invoice.group_id, 0))
            )
            transaction.set_rollback(True)

    return run
