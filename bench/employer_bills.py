"""Pay My Bill as employer@: the bills' first and last page, and the bill with the most lines.

The seed bills every suffix monthly for its years of coverage, so employer@'s suffixes already
hold a few hundred invoices; nothing is added. The bill opened is the one of employer@'s with
the most lines (the seed writes premium by plan, so its roster is short: the detail's cost is
its fixed queries, which tests/employers/test_bills.py keeps constant as lines grow).
"""

from django.db.models import Count
from django.utils import timezone

from bench import scenario
from employers import selectors
from portal.accounts.models import User

LIST = "/employers/billing/"
PER_PAGE = 20


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _employer():
    return User.objects.get(email="employer@demo.test")


@scenario("employer-bill-list-first-page", baseline="bare-view", repeat=200)
def bill_list_first_page(ctx):
    """Pay My Bill as employer@: the first page of bills, newest first."""
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, LIST)


@scenario("employer-bill-list-last-page", baseline="bare-view", repeat=200)
def bill_list_last_page(ctx):
    """Pay My Bill as employer@: the last page, by balance due."""
    count = selectors.invoices_for(_employer(), today=timezone.localdate()).count()
    last = max(1, -(-count // PER_PAGE))
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, f"{LIST}?sort=amount&page={last}")


@scenario("employer-bill-detail", baseline="bare-view", repeat=200)
def bill_detail(ctx):
    """Pay My Bill as employer@: the bill with the most lines, audited."""
    invoice = (
        selectors.invoices_for(_employer(), today=timezone.localdate())
        .annotate(line_count=Count("lines"))
        .order_by("-line_count", "-period_start")
        .first()
    )
    if invoice is None:
        raise RuntimeError("employer@ has no bill: seed the demo first")
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, f"{LIST}invoices/{invoice.pk}/")
