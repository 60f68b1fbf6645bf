"""Bill changes for the demo, made through the services after the logins exist: employer@'s
billing preferences (paper off, bills by email), amount change requests on its suffixes' bills
(one approved by ops@, one declined, one pending for ops@ to verify in the admin), each on its
suffix's latest bill: an earlier bill's balance has been carried forward and can't change.

Draws nothing from `world.rng`, so the rest of the demo's data is the same with or without it.
"""

from decimal import Decimal

from billing import bill_changes
from billing.models import Invoice


def bill_changes_demo(world, users):
    tenants = world.tenants
    employer_user = users.get("employer@demo.test")
    ops = users.get("ops@demo.test")
    if employer_user is None or ops is None or not tenants.employer_groups:
        return
    bill_changes.billing_preferences_update(
        employer=tenants.employer,
        paper_billing=False,
        bills_by_email=True,
        email="accounts.payable@harborpoint.example",
        by=employer_user,
        notify=[employer_user],
    )
    first, second, third = (
        Invoice.objects.filter(group=group).order_by("-period_start").first()
        for group in tenants.employer_groups[:3]
    )
    requests = [
        # (bill, amount off the balance, reason, decision, note)
        (
            second,
            Decimal("120.00"),
            "An employee left on the 3rd; the bill charges the whole month.",
            "approve",
            "Verified against the termination on file.",
        ),
        (
            third,
            Decimal("300.00"),
            "We think the renewal rate was applied a month early.",
            "reject",
            "The renewal took effect on the group's renewal date; the bill is correct.",
        ),
        (
            first,
            Decimal("85.50"),
            "A dependent aged out last month.",
            None,
            "",
        ),
    ]
    for invoice, less, reason, decision, note in requests:
        if invoice is None:
            continue
        amount = max(invoice.balance_due - less, Decimal("0.00"))
        if amount == invoice.balance_due:
            continue
        change = bill_changes.amount_change_request(
            invoice=invoice, requested_amount=amount, reason=reason, by=employer_user
        )
        if decision == "approve":
            bill_changes.amount_change_approve(change_request=change, by=ops, note=note)
        elif decision == "reject":
            bill_changes.amount_change_reject(change_request=change, by=ops, note=note)
