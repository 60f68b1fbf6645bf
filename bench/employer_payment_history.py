"""Payment history and the delegated bill view.

Payment history as a client administrator of the largest employer (by members: ten thousand at
scale 26, five suffixes). The seed pays each suffix's bill monthly, a hundred-odd payments; an
employer paying per suffix for years, with returns and resubmissions, has more, so the setup
tops it up to 1,200 (mixed statuses, from two accounts; marked "BENCH-PH-" so that a second run
adds none) before timing the first page, a filtered and sorted page, and the last page.

The delegated bill view: broker@'s office sees the bills of the suffixes employer@ granted it,
through the employer's own views (employers.access.employer_or_broker).
"""

import datetime
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from bench import scenario
from billing.models import Payment, PaymentAccount
from employers import selectors
from employers.models import EmployerAdmin
from employers.services import employer_admin_add
from enrollment.models import Employer, Group
from portal.accounts.models import Role, User

HISTORY = "/employers/billing/payments/"
PER_PAGE = 25
PAYMENTS = 1200
MARK = "BENCH-PH-"
BENCH_ADMIN = "bench-payment-history@demo.test"


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _largest_employer():
    return (
        Employer.objects.annotate(members=Count("parent_groups__suffixes__members"))
        .order_by("-members")
        .first()
    )


def _client_admin_of(employer):
    """A client administrator of `employer` to sign in as: one of its own, else a bench login."""
    admin = (
        EmployerAdmin.objects.filter(
            employer=employer,
            level__in=[EmployerAdmin.Level.PRIMARY, EmployerAdmin.Level.SECONDARY],
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )
    if admin is not None:
        return admin.user
    user, _ = User.objects.get_or_create(
        email=BENCH_ADMIN, defaults={"role": Role.EMPLOYER_ADMIN, "first_name": "Bench"}
    )
    employer_admin_add(employer=employer, user=user, level=EmployerAdmin.Level.SECONDARY)
    return user


def _accounts(employer, by):
    accounts = []
    for nickname, last4 in [("Operating", "6789"), ("Payroll", "1234")]:
        account, _ = PaymentAccount.objects.get_or_create(
            account_token=f"bench-{employer.pk}-{nickname}",
            defaults={
                "employer": employer,
                "nickname": f"{MARK}{nickname}",
                "holder_name": employer.name[:120],
                "account_type": PaymentAccount.AccountType.CHECKING,
                "routing_number": "021000021",
                "account_last4": last4,
                "created_by": by,
            },
        )
        accounts.append(account)
    return accounts


def _payments_for_largest_employer():
    """The largest employer's client administrator, with its payments topped up to PAYMENTS."""
    employer = _largest_employer()
    user = _client_admin_of(employer)
    groups = list(Group.objects.filter(parent__employer=employer).order_by("number"))
    have = Payment.objects.filter(group__in=groups).count()
    missing = PAYMENTS - have
    if missing > 0:
        accounts = _accounts(employer, user)
        statuses = [Payment.Status.SETTLED] * 8 + [
            Payment.Status.RETURNED,
            Payment.Status.SUBMITTED,
        ]
        start = datetime.date(2026, 10, 1)
        Payment.objects.bulk_create(
            Payment(
                group=groups[n % len(groups)],
                amount=Decimal("1850.00") + n % 97,
                received_on=start - datetime.timedelta(days=3 * n),
                method=Payment.Method.ACH,
                status=statuses[n % len(statuses)],
                return_reason="R01 Insufficient funds"
                if statuses[n % len(statuses)] == Payment.Status.RETURNED
                else "",
                reference=f"{MARK}{n:05d}",
                gateway_reference=f"SBX-{employer.pk}-{n:06d}",
                account=accounts[n % 2],
            )
            for n in range(missing)
        )
    return user


@scenario("employer-payment-history-first-page", baseline="bare-view", repeat=200)
def payment_history_first_page(ctx):
    """Payment history of the largest employer (1,200 payments): the first page, newest first."""
    user = _payments_for_largest_employer()
    client = ctx.client_for(user.email)
    return lambda: _get(client, HISTORY)


@scenario("employer-payment-history-filtered", baseline="bare-view", repeat=200)
def payment_history_filtered(ctx):
    """Payment history of the largest employer: settled in a year, by amount, the third page."""
    user = _payments_for_largest_employer()
    client = ctx.client_for(user.email)
    path = f"{HISTORY}?status=settled&start=01/01/2025&end=12/31/2025&sort=-amount&page=3"
    return lambda: _get(client, path)


@scenario("employer-payment-history-last-page", baseline="bare-view", repeat=200)
def payment_history_last_page(ctx):
    """Payment history of the largest employer: the last page, oldest payments."""
    user = _payments_for_largest_employer()
    count = selectors.payments_for(user).count()
    last = max(1, -(-count // PER_PAGE))
    client = ctx.client_for(user.email)
    return lambda: _get(client, f"{HISTORY}?page={last}")


@scenario("broker-delegated-bill-detail", baseline="bare-view", repeat=200)
def broker_delegated_bill_detail(ctx):
    """A bill employer@ granted broker@'s office, opened by broker@ in the broker portal."""
    user = User.objects.get(email="broker@demo.test")
    invoice = (
        selectors.invoices_for(user, today=timezone.localdate()).order_by("-period_start").first()
    )
    if invoice is None:
        raise RuntimeError("broker@ holds no billing grant: seed the demo first")
    client = ctx.client_for(user.email)
    return lambda: _get(client, f"/brokers/billing/invoices/{invoice.pk}/")


@scenario("broker-delegated-bill-list", baseline="bare-view", repeat=200)
def broker_delegated_bill_list(ctx):
    """The bills of the suffixes employer@ granted broker@'s office, first page."""
    client = ctx.client_for("broker@demo.test")
    return lambda: _get(client, "/brokers/billing/")
