"""Pay My Bill as employer@: the bills' first and last page, and the bill with the most lines.

The seed bills employer@'s three suffixes from their effective dates, a couple of dozen bills;
an employer with many suffixes and years of history has hundreds, so the setup tops employer@'s
suffixes up to 300 with older, paid bills (each with its posted payment, so that the status
subquery has rows to sum) before timing. The bill opened is the one with the most lines (the
seed writes premium by plan, so its roster is short: the detail's cost is its fixed queries,
which tests/employers/test_bills.py keeps constant as lines grow).
"""

import datetime
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from bench import scenario
from billing.models import Invoice, Payment
from employers import selectors
from portal.accounts.models import User

LIST = "/employers/billing/"
PER_PAGE = 20
INVOICES = 300


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _employer():
    return User.objects.get(email="employer@demo.test")


def _month_before(day):
    return (day - datetime.timedelta(days=1)).replace(day=1)


def _invoices_for_employer():
    user = _employer()
    missing = INVOICES - selectors.invoices_for(user, today=timezone.localdate()).count()
    groups = list(selectors.groups_for(user).order_by("number"))
    earliest = {
        group.pk: Invoice.objects.filter(group=group).order_by("period_start").first()
        for group in groups
    }
    invoices = []
    for n in range(max(0, missing)):
        group = groups[n % len(groups)]
        first = earliest[group.pk]
        period = _month_before(first.period_start if first else datetime.date(2026, 1, 1))
        amount = Decimal("1850.00")
        first = Invoice(
            group=group,
            number=f"{group.number}-{period:%y%m}",
            period_start=period,
            period_end=first.period_start - datetime.timedelta(days=1) if first else period,
            issued_on=period - datetime.timedelta(days=15),
            due_date=period,
            balance_forward=0,
            current_amount=amount,
            balance_due=amount,
        )
        earliest[group.pk] = first
        invoices.append(first)
    Invoice.objects.bulk_create(invoices)
    Payment.objects.bulk_create(
        Payment(
            group_id=invoice.group_id,
            invoice=invoice,
            amount=invoice.balance_due,
            received_on=invoice.due_date,
            method=Payment.Method.ACH,
        )
        for invoice in invoices
    )
    return user


@scenario("employer-bill-list-first-page", baseline="bare-view", repeat=200)
def bill_list_first_page(ctx):
    """Pay My Bill as employer@: the first page of bills, newest first."""
    _invoices_for_employer()
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, LIST)


@scenario("employer-bill-list-last-page", baseline="bare-view", repeat=200)
def bill_list_last_page(ctx):
    """Pay My Bill as employer@: the last page, by balance due."""
    user = _invoices_for_employer()
    count = selectors.invoices_for(user, today=timezone.localdate()).count()
    last = max(1, -(-count // PER_PAGE))
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, f"{LIST}?sort=amount&page={last}")


@scenario("employer-bill-detail", baseline="bare-view", repeat=200)
def bill_detail(ctx):
    """Pay My Bill as employer@: the bill with the most lines, audited."""
    invoice = (
        selectors.invoices_for(_invoices_for_employer(), today=timezone.localdate())
        .annotate(line_count=Count("lines"))
        .order_by("-line_count", "-period_start")
        .first()
    )
    if invoice is None:
        raise RuntimeError("employer@ has no bill: seed the demo first")
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, f"{LIST}invoices/{invoice.pk}/")
