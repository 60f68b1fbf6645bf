"""Make a Payment and Payment Accounts as a client administrator of the largest employer (by
members: ten thousand at scale 26, five suffixes), and a payment submitted through the page.

The seed leaves each suffix one bill or so open; an employer that fell behind on many suffixes
has dozens, and Make a Payment lists every bill that may still take a payment with what is left
of it (a sum over its payments, per bill), so the setup adds open, older bills up to OPEN_BILLS
(numbered "BENCH-PAY-", so a second run adds none) and a few payment accounts before timing.

The submission scenario posts a one-cent payment scheduled for tomorrow (so no gateway call is
timed) with a fresh idempotency key each time: the row lock on the bill, the cap, the inserts,
the audit row, Recent Activity and the receipt rendered (sent to the local-memory mailbox).
"""

import datetime
import itertools
import uuid
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from bench import scenario
from bench.employer_payment_history import _client_admin_of, _largest_employer
from billing.models import Invoice, PaymentAccount
from billing.payments import with_payable
from employers import access
from enrollment.models import Group

MAKE = "/employers/billing/pay/"
ACCOUNTS = "/employers/billing/accounts/"
RECURRING = "/employers/billing/recurring/"
OPEN_BILLS = 60
MARK = "BENCH-PAY-"


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _accounts(employer, user):
    for n, (nickname, kind) in enumerate(
        [("Operating", "checking"), ("Payroll", "checking"), ("Reserve", "savings")]
    ):
        PaymentAccount.objects.get_or_create(
            account_token=f"bench-pay-{employer.pk}-{n}",
            defaults={
                "employer": employer,
                "nickname": f"{MARK}{nickname}",
                "holder_name": employer.name[:120],
                "account_type": kind,
                "routing_number": "021000021",
                "account_last4": f"{4321 + n}",
                "created_by": user,
            },
        )


def _open_bills_for_largest_employer():
    """The largest employer's client administrator, with OPEN_BILLS bills still open and a few
    payment accounts."""
    employer = _largest_employer()
    user = _client_admin_of(employer)
    groups = list(Group.objects.filter(parent__employer=employer).order_by("number"))
    open_now = with_payable(Invoice.objects.filter(group__in=groups)).filter(payable__gt=0)
    missing = OPEN_BILLS - open_now.count()
    if missing > 0:
        earliest = {
            g.pk: Invoice.objects.filter(group=g).order_by("period_start").first() for g in groups
        }
        bills = []
        for n in range(missing):
            group = groups[n % len(groups)]
            first = earliest[group.pk]
            start = first.period_start if first else datetime.date(2026, 1, 1)
            period = (start - datetime.timedelta(days=1)).replace(day=1)
            amount = Decimal("1850.00") + n
            bill = Invoice(
                group=group,
                number=f"{MARK}{group.pk}-{period:%y%m}",
                period_start=period,
                period_end=start - datetime.timedelta(days=1),
                issued_on=period - datetime.timedelta(days=15),
                due_date=period,
                balance_forward=0,
                current_amount=amount,
                balance_due=amount,
            )
            earliest[group.pk] = bill
            bills.append(bill)
        Invoice.objects.bulk_create(bills)
    _accounts(employer, user)
    return user


@scenario("employer-payment-make", baseline="bare-view", repeat=200)
def payment_make(ctx):
    """Make a Payment for the largest employer: every open bill with what may still be paid."""
    user = _open_bills_for_largest_employer()
    client = ctx.client_for(user.email)
    return lambda: _get(client, MAKE)


@scenario("employer-payment-accounts", baseline="bare-view", repeat=200)
def payment_accounts(ctx):
    """Payment Accounts of the largest employer."""
    user = _open_bills_for_largest_employer()
    client = ctx.client_for(user.email)
    return lambda: _get(client, ACCOUNTS)


@scenario("employer-recurring-payments", baseline="bare-view", repeat=200)
def recurring_payments(ctx):
    """Recurring Payments of the largest employer: one a suffix at most, with their accounts."""
    user = _open_bills_for_largest_employer()
    client = ctx.client_for(user.email)
    return lambda: _get(client, RECURRING)


@scenario("employer-payment-submit", baseline="bare-view", repeat=100)
def payment_submit(ctx):
    """A one-cent payment of the largest employer's oldest open bill, scheduled for tomorrow,
    posted through Make a Payment (lock, cap, inserts, audit, activity, receipt)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = _open_bills_for_largest_employer()
    client = ctx.client_for(user.email)
    groups = Group.objects.filter(parent__employer_id=access.admin_for(user).employer_id)
    bill = (
        with_payable(Invoice.objects.filter(group__in=groups))
        .filter(payable__gt=1)
        .order_by("period_start", "pk")
        .first()
    )
    account = PaymentAccount.objects.filter(
        employer=bill.group.parent.employer, removed_at__isnull=True
    ).first()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    keys = (uuid.uuid4().hex for _ in itertools.count())

    def run():
        response = client.post(
            MAKE,
            {
                "request_key": next(keys),
                "pay_on": tomorrow,
                f"amount_{bill.pk}": "0.01",
                f"account_{bill.pk}": str(account.pk),
            },
        )
        if response.status_code != 302:
            raise RuntimeError(f"the payment answered {response.status_code}")

    return run
