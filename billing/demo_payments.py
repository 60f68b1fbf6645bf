"""Payments for the demo, made through billing.payments once the logins exist: employer@'s
employer gets two payment accounts (sandbox tokens, so only the last four digits are kept), a
recurring payment of the balance due of its first suffix on the 5th from the operating account,
and groupadmin@'s suffix a fixed monthly amount on the 15th from the reserve; and a one-time
payment employer@ scheduled for ten days on, on the second suffix's open bill, to follow or
cancel from its confirmation. The settled history of past bills is billing/demo.py's.

Draws nothing from `world.rng`, so the rest of the demo's data is the same with or without it.
"""

import datetime
from decimal import Decimal

from billing import payments
from billing.models import Invoice

# Routing numbers that pass the ABA checksum; the account numbers are made up. A payment from
# an account ending 0000 is returned by the sandbox (billing/gateway.py), so neither does.
ACCOUNTS = [
    ("Operating account", "checking", "021000021", "4000123456784321"),
    ("Payroll reserve", "savings", "011000015", "9000555512347788"),
]


def payments_demo(world, users):
    tenants = world.tenants
    employer_user = users.get("employer@demo.test")
    groupadmin = users.get("groupadmin@demo.test")
    if employer_user is None or len(tenants.employer_groups) < 3:
        return
    operating, reserve = (
        payments.payment_account_add(
            employer=tenants.employer,
            nickname=nickname,
            holder_name=tenants.employer.name,
            account_type=account_type,
            routing_number=routing,
            account_number=number,
            by=employer_user,
        )
        for nickname, account_type, routing, number in ACCOUNTS
    )
    payments.recurring_payment_create(
        group=tenants.employer_groups[0],
        account=operating,
        day_of_month=5,
        amount_kind="balance_due",
        starts_on=world.as_of,
        by=employer_user,
    )
    if groupadmin is not None:
        payments.recurring_payment_create(
            group=tenants.employer_groups[2],
            account=reserve,
            day_of_month=15,
            amount_kind="fixed",
            fixed_amount=Decimal("1500.00"),
            starts_on=world.as_of,
            by=groupadmin,
        )
    scheduled_payment_demo(world, employer_user, operating)


def scheduled_payment_demo(world, employer_user, account):
    """employer@ pays part of the second suffix's open bill in ten days (if it has one)."""
    bill = (
        payments.with_payable(Invoice.objects.filter(group=world.tenants.employer_groups[1]))
        .filter(payable__gt=Decimal("100.00"))
        .order_by("-period_start")
        .first()
    )
    if bill is None:
        return
    payments.payment_submit(
        employer=world.tenants.employer,
        lines=[payments.PaymentLine(bill, account, Decimal("100.00"))],
        pay_on=world.as_of + datetime.timedelta(days=10),
        idempotency_key="demo-scheduled-payment",
        by=employer_user,
        today=world.as_of,
    )
