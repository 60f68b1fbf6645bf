"""Bill changes as employer@: the list of amount change requests (first and last page) and the
Billing preferences page.

The seed asks for a handful of amount changes; an employer that questions bills often has
hundreds over the years, so the setup tops employer@'s bills up to 300 decided requests (at most
one pending a bill, as the model allows) before timing.
"""

from decimal import Decimal

from django.utils import timezone

from bench import scenario
from billing.models import AmountChangeRequest
from employers import selectors
from portal.accounts.models import User

LIST = "/employers/billing/amount-changes/"
PREFERENCES = "/employers/billing/preferences/"
PER_PAGE = 20
REQUESTS = 300


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _requests_for_employer():
    user = User.objects.get(email="employer@demo.test")
    invoices = list(selectors.invoices_for(user, today=timezone.localdate()).order_by("pk"))
    if not invoices:
        raise RuntimeError("employer@ has no bill: seed the demo first")
    existing = AmountChangeRequest.objects.filter(invoice__in=invoices).count()
    now = timezone.now()
    AmountChangeRequest.objects.bulk_create(
        AmountChangeRequest(
            invoice=invoices[n % len(invoices)],
            requested_amount=max(invoices[n % len(invoices)].balance_due - 10, Decimal(0)),
            reason="Bench: an employee left during the period.",
            status=AmountChangeRequest.Status.APPROVED if n % 3 else "rejected",
            requested_by=user,
            decided_by=user,
            decided_at=now,
            decision_note="Bench.",
        )
        for n in range(max(0, REQUESTS - existing))
    )
    return user


@scenario("employer-amount-change-list-first", baseline="bare-view", repeat=200)
def amount_change_list_first(ctx):
    """Amount change requests as employer@: the first page, newest first."""
    _requests_for_employer()
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, LIST)


@scenario("employer-amount-change-list-last", baseline="bare-view", repeat=200)
def amount_change_list_last(ctx):
    """Amount change requests as employer@: the last page."""
    user = _requests_for_employer()
    count = AmountChangeRequest.objects.filter(
        invoice__group__in=selectors.groups_for(user, "view_invoice")
    ).count()
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, f"{LIST}?page={max(1, -(-count // PER_PAGE))}")


@scenario("employer-billing-preferences", baseline="bare-view", repeat=200)
def billing_preferences(ctx):
    """Billing preferences as employer@ (a client administrator)."""
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, PREFERENCES)
