"""Bill changes for the demo, made through the services after the logins exist: employer@'s
billing preferences (paper off, bills by email), amount change requests on its suffixes' bills
(one approved by ops@, one declined, one pending for ops@ to verify in the admin), and the latest
bill of groupadmin@'s suffix itemised by member, so that "Report a change" has a roster to work on.

Draws nothing from `world.rng`, so the rest of the demo's data is the same with or without it.
"""

from decimal import ROUND_DOWN, Decimal

from billing import bill_changes
from billing.demo import TIER_FACTOR
from billing.models import Invoice, InvoiceLine
from enrollment.models import Coverage, Member


def _itemise(invoice):
    """Replace the bill's premium lines per plan by one line per covered member, each plan's
    amount shared by tier weight (dependents' lines are $0, as a family is billed on the
    employee), the total unchanged to the cent."""
    for plan_line in list(invoice.lines.filter(kind=InvoiceLine.Kind.PREMIUM, plan__isnull=False)):
        coverages = list(
            Coverage.objects.filter(
                group=invoice.group,
                plan=plan_line.plan,
                start_date__lte=invoice.period_end,
                member__relationship=Member.Relationship.SUBSCRIBER,
            )
            .exclude(end_date__lt=invoice.period_start)
            .select_related("member")
            .order_by("member__last_name", "member__pk")
        )
        if not coverages:
            continue
        weights = [Decimal(str(TIER_FACTOR.get(c.tier, 1.0))) for c in coverages]
        total = sum(weights)
        shares = [
            (plan_line.amount * w / total).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            for w in weights
        ]
        shares[0] += plan_line.amount - sum(shares)
        lines = []
        for coverage, share in zip(coverages, shares, strict=True):
            member = coverage.member
            lines.append(
                InvoiceLine(
                    invoice=invoice,
                    member=member,
                    plan=plan_line.plan,
                    tier=coverage.tier,
                    description=f"Premium: {member.member_id}",
                    amount=share,
                )
            )
            lines += [
                InvoiceLine(
                    invoice=invoice,
                    member=dependent,
                    plan=plan_line.plan,
                    tier=coverage.tier,
                    description=f"Premium: {dependent.member_id}",
                    amount=Decimal("0.00"),
                )
                for dependent in member.dependents.order_by("dob", "pk")
            ]
        plan_line.delete()
        InvoiceLine.objects.bulk_create(lines)


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
        list(Invoice.objects.filter(group=group).order_by("-period_start")[:3])
        for group in tenants.employer_groups[:3]
    )
    if first:
        _itemise(first[0])
    requests = [
        # (bill, amount off the balance, reason, decision, note)
        (
            second[1] if len(second) > 1 else None,
            Decimal("120.00"),
            "An employee left on the 3rd; the bill charges the whole month.",
            "approve",
            "Verified against the termination on file.",
        ),
        (
            third[1] if len(third) > 1 else None,
            Decimal("300.00"),
            "We think the renewal rate was applied a month early.",
            "reject",
            "The renewal took effect on the group's renewal date; the bill is correct.",
        ),
        (
            second[0] if second else None,
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
