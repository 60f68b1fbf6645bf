"""Monthly invoices, generated from the coverage on the books.

The rules, for a group (suffix) and a period (a calendar month):

- **Premium lines.** One line per coverage period of a subscriber of the group that overlaps the
  month (normally one per covered subscriber; two when a plan or tier changes mid-month), with the
  subscriber as member and the coverage's plan and tier. Dependents are in the subscriber's tier
  and never billed on their own: each covered dependent has a $0.00 line after their
  subscriber's, so that the bill's roster names everyone it pays for. COBRA continuation
  coverage is billed to the group like any other. The premium is the `PremiumRate` of the plan
  and tier in effect on the first of the month (the latest `effective_date` on or before it); a
  month only partly covered is prorated by days covered / days in the month and rounded half up
  to the cent. A plan and tier with no rate stops the group's bill with `MissingRate`: billing
  nothing for it would lose money silently.
- **Dates.** Issued 15 days before the month (`ISSUE_DAYS_BEFORE`), due on its first day, and
  numbered `<group number>-<yymm>`, as the demo's bills always were.
- **Balance forward** is the previous invoice's balance due.
- **Payments** are the group's settled payments (dated by `settled_on`, or `received_on` for
  older rows without it) up to this bill's issue date, less those already credited on earlier
  bills. When nothing is recorded late, that is exactly "settled after the previous bill's issue
  date and up to this one's"; a settlement recorded after a bill went out with an earlier date
  is credited on the next bill instead of being lost. A payment credited and later returned by
  the bank (settled → returned) makes that difference negative: it comes back as an adjustment
  line (`PAYMENT_REVERSAL`), because the payments figure is never negative.
- **Retroactive adjustments** true the bill up: for every member, what the coverage and rates on
  the books now say the months already billed should have cost, less everything billed for that
  member so far (premium and earlier adjustment lines), is one adjustment line with a reason
  (e.g. an employee whose coverage was ended on the 3rd after the bill went out is a credit on
  the next one). The months already billed run from the group's first bill billed per member up
  to the month before this one; a month skipped in between is billed this way too. Bills that
  billed a plan's head count without members (the demo's history, before this generator) are out
  of reach, as nobody can tell what they charged for whom.
- **Balance due** = balance forward + current amount + adjustments − payments, which the
  invoice's check constraint also holds the database to.

When: celery beat runs `billing.tasks.invoices_generate_due` daily. From a month's issue date on,
it queues the bills of every active group covered that month that has none, in batches of
`BATCH_SIZE` groups (and this month's, for a group that started late); a day that finds them all
made queues nothing, and a day missed is caught up the next. A cancelled group gets no more
bills: a retroactive change after its last one is for ops to settle.

Idempotent: generating a group's period that already has an invoice does nothing, and a period
before the group's latest invoice is refused (the chain of balances forward would break). Each
group is generated in its own transaction under a lock on its row, which regeneration takes too.

**Regenerate** (ops, from the admin) rebuilds one invoice from the data now: its premium lines,
its retroactive and payment-reversal lines and all its figures, keeping its dates, number and any
other adjustment line (entered by ops, or an approved change of the amount due). Only the group's
latest invoice can be regenerated, as later bills carry its balance forward. It is refused when
payments made against the bill (scheduled, submitted or settled) would come to more than the
balance due it would now show: the employer paid what the bill asked, and the difference belongs
on the next bill, whose true-up will carry it.
"""

import calendar
import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from billing.models import Invoice, InvoiceLine, Payment, PremiumRate
from enrollment.models import Coverage, Group, Member
from portal.dates import add_months

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ISSUE_DAYS_BEFORE = 15
# The description of the line that takes back a payment credited and then returned; the
# generator finds its own lines again by it.
PAYMENT_REVERSAL = "Payment returned by the bank after it was credited on an earlier bill"
# Groups per generation task: small enough that a task ends in seconds.
BATCH_SIZE = 200


class GenerationError(Exception):
    """A bill that cannot be made or rebuilt; the message says why, for ops."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class MissingRate(GenerationError):
    pass


def cents(amount) -> Decimal:
    # SQLite sums decimals as floating point: every figure is brought back to exact cents.
    return Decimal(amount or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def month_end(period: datetime.date) -> datetime.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def issue_date(period: datetime.date) -> datetime.date:
    return period - datetime.timedelta(days=ISSUE_DAYS_BEFORE)


def invoice_number(group: Group, period: datetime.date) -> str:
    return f"{group.number}-{period:%y%m}"


def prorated(premium: Decimal, period: datetime.date, start, end) -> tuple[Decimal, int, int]:
    """(amount, days covered, days in month) of a coverage from `start` to `end` (None: open)
    in the month `period`."""
    last = month_end(period)
    first_day, last_day = max(start, period), min(end or last, last)
    days, in_month = (last_day - first_day).days + 1, last.day
    if days >= in_month:
        return premium, in_month, in_month
    amount = (premium * days / in_month).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount, days, in_month


class RateBook:
    """Premium rates by plan and tier, loaded once per plan for a whole run."""

    def __init__(self):
        self._by_plan = {}

    def load(self, plan_ids):
        missing = set(plan_ids) - self._by_plan.keys()
        if not missing:
            return
        for plan_id in missing:
            self._by_plan[plan_id] = defaultdict(list)
        rates = PremiumRate.objects.filter(plan_id__in=missing).order_by("-effective_date")
        for plan_id, tier, effective, premium in rates.values_list(
            "plan_id", "tier", "effective_date", "monthly_premium"
        ):
            self._by_plan[plan_id][tier].append((effective, cents(premium)))

    def premium(self, plan, tier, period) -> Decimal:
        for effective, premium in self._by_plan[plan.pk][tier]:
            if effective <= period:
                return premium
        raise MissingRate(
            f"No premium rate for {plan.code} ({plan.name}), tier {tier}, in effect on "
            f"{period:%m/%d/%Y}. Load one under Premium rates, then generate again."
        )


@dataclass
class Draft:
    """An invoice's figures and lines as the data now says, before anything is written."""

    balance_forward: Decimal
    current_amount: Decimal
    adjustments: Decimal
    payments: Decimal
    lines: list = field(default_factory=list)

    @property
    def balance_due(self) -> Decimal:
        return self.balance_forward + self.current_amount + self.adjustments - self.payments

    def figures(self) -> dict:
        return {
            "balance_forward": self.balance_forward,
            "current_amount": self.current_amount,
            "adjustments": self.adjustments,
            "payments": self.payments,
            "balance_due": self.balance_due,
        }


def _history(group, period):
    """The group's invoices before `period`, oldest first, each marked `per_plan` when it billed
    a plan's head count rather than members. Locked: a change to the last one's balance (an
    approved amount change) waits until the next bill has carried it forward."""
    per_plan = InvoiceLine.objects.filter(
        invoice=OuterRef("pk"), kind=InvoiceLine.Kind.PREMIUM, member__isnull=True
    )
    return list(
        Invoice.objects.select_for_update()
        .filter(group=group, period_start__lt=period)
        .annotate(per_plan=Exists(per_plan))
        .order_by("period_start")
        .only("pk", "period_start", "balance_due", "payments")
    )


def _coverages(group, since, period_end):
    """The group's subscribers' coverage overlapping `since`..`period_end`, in roster order."""
    return list(
        Coverage.objects.filter(
            group=group,
            member__relationship=Member.Relationship.SUBSCRIBER,
            start_date__lte=period_end,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
        .select_related("member", "plan")
        # Not the member's encrypted fields: decrypting thousands of SSNs to print names is waste.
        .only(
            "member_id",
            "plan_id",
            "tier",
            "start_date",
            "end_date",
            "member__first_name",
            "member__last_name",
            "member__member_id",
            "plan__code",
            "plan__name",
        )
        .order_by("member__last_name", "member__first_name", "member__member_id", "start_date")
    )


def _dependents_by_subscriber(group, period, period_end):
    """The group's dependents covered in the month, by their subscriber's id, eldest first."""
    coverages = (
        Coverage.objects.filter(group=group, start_date__lte=period_end)
        .exclude(member__relationship=Member.Relationship.SUBSCRIBER)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period))
        .select_related("member")
        .only("member_id", "plan_id", "tier", "member__subscriber_id", "member__member_id")
        .order_by("member__dob", "member__member_id", "start_date")
    )
    by_subscriber = defaultdict(list)
    for coverage in coverages:
        by_subscriber[coverage.member.subscriber_id].append(coverage)
    return by_subscriber


def _billed_by_member(group, since, period):
    """Everything billed per member on the group's bills for `since`..the month before `period`,
    and the payment reversals on all its earlier bills (under the key None)."""
    rows = (
        InvoiceLine.objects.filter(invoice__group=group, invoice__period_start__lt=period)
        .filter(
            Q(member__isnull=False, invoice__period_start__gte=since)
            | Q(member__isnull=True, kind=InvoiceLine.Kind.ADJUSTMENT, description=PAYMENT_REVERSAL)
        )
        .values("member_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["member_id"]: cents(row["total"]) for row in rows}


def _settled_through(group, day) -> Decimal:
    total = (
        Payment.objects.filter(group=group, status=Payment.Status.SETTLED)
        .annotate(settled=Coalesce("settled_on", "received_on"))
        .filter(settled__lte=day)
        .aggregate(total=Sum("amount"))["total"]
    )
    return cents(total)


def _months(first, last):
    month = first
    while month <= last:
        yield month
        month = add_months(month, 1)


def _retro_reason(amount, rows, since, period):
    """Why a member's bill changed, in words, from their coverage on the books now."""
    if not rows:
        return "no coverage on the books for months already billed"
    rows = sorted(set(rows), key=lambda row: row.start_date)
    billed = [row for row in rows if since <= row.start_date < period]
    for before, after in zip(rows, rows[1:], strict=False):
        if after in billed and before.end_date == after.start_date - datetime.timedelta(days=1):
            if after.plan_id != before.plan_id:
                return f"plan changed to {after.plan.name} from {after.start_date:%m/%d/%Y}"
            if after.tier != before.tier:
                return f"tier changed to {after.tier} from {after.start_date:%m/%d/%Y}"
    ended = [row.end_date for row in rows if row.end_date and since <= row.end_date < period]
    if amount < 0 and ended:
        return f"coverage ended {max(ended):%m/%d/%Y}"
    if amount > 0 and billed:
        return f"coverage began {billed[0].start_date:%m/%d/%Y}"
    return "coverage or rates changed for months already billed"


def _member_names(member_ids):
    return {
        m.pk: m
        for m in Member.objects.filter(pk__in=member_ids).only(
            "first_name", "last_name", "member_id"
        )
    }


def draft(group, period, *, rates, issued_on=None, kept_lines=()) -> Draft:
    """The invoice of `group` for `period` as the coverage, rates and payments now say, after
    the group's earlier invoices. `kept_lines` are adjustment lines the generator did not make,
    kept on a regenerated bill."""
    history = _history(group, period)
    issued_on = issued_on or issue_date(period)
    period_end = month_end(period)
    previous = history[-1] if history else None

    # The months already billed that the true-up reaches: from the first bill after the last one
    # billed per plan (or the group's first bill) to the month before this one.
    per_plan = [invoice.period_start for invoice in history if invoice.per_plan]
    if per_plan:
        since = add_months(per_plan[-1], 1)
    else:
        since = history[0].period_start if history else period

    coverages = _coverages(group, since, period_end)
    dependents = _dependents_by_subscriber(group, period, period_end)
    rates.load({c.plan_id for c in coverages})
    premium_lines, should = [], defaultdict(lambda: ZERO)
    rows_of = defaultdict(list)
    for coverage in coverages:
        start = max(coverage.start_date.replace(day=1), since)
        last = min((coverage.end_date or period_end).replace(day=1), period)
        for month in _months(start, last):
            rate = rates.premium(coverage.plan, coverage.tier, month)
            amount, days, in_month = prorated(rate, month, coverage.start_date, coverage.end_date)
            if month < period:
                should[coverage.member_id] += amount
                rows_of[coverage.member_id].append(coverage)
                continue
            if days == in_month:
                description = f"Premium for {period:%B %Y}"
            else:
                first_day = max(coverage.start_date, period)
                description = (
                    f"Premium for {first_day:%m/%d/%Y}–"
                    f"{first_day + datetime.timedelta(days=days - 1):%m/%d/%Y} "
                    f"({days} of {in_month} days)"
                )
            premium_lines.append(
                InvoiceLine(
                    kind=InvoiceLine.Kind.PREMIUM,
                    member=coverage.member,
                    plan=coverage.plan,
                    tier=coverage.tier,
                    description=description,
                    amount=amount,
                )
            )
            # The family under the employee, at no charge: the roster shows whom the bill is for.
            for dependent in dependents.pop(coverage.member_id, []):
                premium_lines.append(
                    InvoiceLine(
                        kind=InvoiceLine.Kind.PREMIUM,
                        member_id=dependent.member_id,
                        plan_id=dependent.plan_id,
                        tier=dependent.tier,
                        description=(
                            f"Covered in {coverage.member.member_id}'s {coverage.tier} tier"
                        ),
                        amount=ZERO,
                    )
                )

    billed = _billed_by_member(group, since, period) if history else {}
    reversals = billed.pop(None, ZERO)
    adjustment_lines = list(kept_lines)
    differences = {}
    for member_id in should.keys() | billed.keys():
        difference = cents(should.get(member_id, ZERO) - billed.get(member_id, ZERO))
        if difference:
            differences[member_id] = difference
    members = {c.member_id: c.member for c in coverages}
    members.update(_member_names(differences.keys() - members.keys()))
    for member_id, difference in sorted(
        differences.items(), key=lambda item: (members[item[0]].last_name, members[item[0]].pk)
    ):
        member, rows = members[member_id], rows_of.get(member_id, [])
        latest = rows[-1] if rows else None
        reason = _retro_reason(difference, rows, since, period)
        kind = "credit" if difference < 0 else "charge"
        adjustment_lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.ADJUSTMENT,
                member=member,
                plan=latest.plan if latest else None,
                tier=latest.tier if latest else "",
                description=(
                    f"Retroactive {kind} for {member.last_name}, {member.first_name} "
                    f"({member.member_id}): {reason}"
                )[:200],
                amount=difference,
            )
        )

    credited = sum((invoice.payments for invoice in history), ZERO) - reversals
    payments = _settled_through(group, issued_on) - cents(credited)
    if payments < 0:
        adjustment_lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.ADJUSTMENT, description=PAYMENT_REVERSAL, amount=-payments
            )
        )
        payments = ZERO
    return Draft(
        balance_forward=cents(previous.balance_due) if previous else ZERO,
        current_amount=sum((line.amount for line in premium_lines), ZERO),
        adjustments=cents(sum((line.amount for line in adjustment_lines), ZERO)),
        payments=payments,
        lines=premium_lines + adjustment_lines,
    )


def _lock(group_id) -> Group:
    # The group's row is its billing lock: generation and regeneration of its bills take turns.
    return Group.objects.select_for_update().get(pk=group_id)


def invoice_generate(*, group_id, period, rates=None) -> Invoice | None:
    """The group's invoice for `period`, generated from the data now; None when it already
    exists. Raises GenerationError when it cannot be made (a later bill exists, a rate is
    missing) and writes nothing then."""
    rates = rates or RateBook()
    with transaction.atomic():
        group = _lock(group_id)
        if Invoice.objects.filter(group=group, period_start__gte=period).exists():
            if Invoice.objects.filter(group=group, period_start=period).exists():
                return None
            raise GenerationError(
                f"{group.number} already has a bill after {period:%B %Y}: bills are generated "
                "in order, each carrying the last one's balance forward."
            )
        result = draft(group, period, rates=rates)
        invoice = Invoice.objects.create(
            group=group,
            number=invoice_number(group, period),
            period_start=period,
            period_end=month_end(period),
            issued_on=issue_date(period),
            due_date=period,
            **result.figures(),
        )
        for line in result.lines:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create(result.lines)
    return invoice


@dataclass
class RunOutcome:
    created: int = 0
    existing: int = 0
    failed: dict = field(default_factory=dict)  # group number: why


def invoices_generate(*, period, group_ids) -> RunOutcome:
    """Generate `period`'s invoices for the groups, one transaction each. A group that fails is
    logged and left for ops; the others go on. Safe to run again."""
    outcome, rates = RunOutcome(), RateBook()
    for group_id in group_ids:
        try:
            invoice = invoice_generate(group_id=group_id, period=period, rates=rates)
        except GenerationError as error:
            number = Group.objects.values_list("number", flat=True).get(pk=group_id)
            outcome.failed[number] = error.message
            logger.error("No invoice for %s %s: %s", number, period, error.message)
            continue
        except IntegrityError:
            # Another run made the same bill between our check and our insert.
            outcome.existing += 1
            continue
        if invoice is None:
            outcome.existing += 1
        else:
            outcome.created += 1
    return outcome


def periods_due(today: datetime.date) -> list[datetime.date]:
    """The months to bill today: this one (a group that started late), and next month from its
    issue date on."""
    this_month = today.replace(day=1)
    next_month = add_months(this_month, 1)
    return [this_month] + ([next_month] if today >= issue_date(next_month) else [])


def groups_to_bill(period) -> list[int]:
    """Active groups covered in `period` without an invoice for it, in id order."""
    return list(
        Group.objects.filter(
            status=Group.Status.ACTIVE, suffix_effective_date__lte=month_end(period)
        )
        .filter(Q(cancellation_date__isnull=True) | Q(cancellation_date__gte=period))
        .exclude(Exists(Invoice.objects.filter(group=OuterRef("pk"), period_start=period)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def batches(ids, size=BATCH_SIZE):
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# -- regeneration ------------------------------------------------------------------------------


def _generated(line) -> bool:
    """Whether the generator made `line` (it makes it again on regeneration)."""
    return (
        line.kind == InvoiceLine.Kind.PREMIUM
        or line.member_id is not None
        or line.description == PAYMENT_REVERSAL
    )


@dataclass
class Regeneration:
    invoice: Invoice
    draft: Draft
    refusal: str = ""
    before: dict = field(default_factory=dict)

    def __post_init__(self):
        self.before = _figures_of(self.invoice).figures()

    @property
    def changes(self) -> dict:
        """{figure: (before, after)} of the figures that change."""
        return {
            name: (self.before[name], after)
            for name, after in self.draft.figures().items()
            if self.before[name] != after
        }


@transaction.atomic
def regeneration_preview(invoice: Invoice, *, rates=None) -> Regeneration:
    """What regenerating `invoice` would make of it, and why it would be refused, if it would."""
    invoice = Invoice.objects.select_related("group").get(pk=invoice.pk)
    group, period = invoice.group, invoice.period_start
    if Invoice.objects.filter(group=group, period_start__gt=period).exists():
        refusal = (
            "Only the group's latest bill can be regenerated: later bills carry this one's "
            "balance forward. Changes reach the latest bill as retroactive adjustments."
        )
        return Regeneration(invoice, _figures_of(invoice), refusal)
    kept = [
        InvoiceLine(
            kind=line.kind,
            member_id=line.member_id,
            plan_id=line.plan_id,
            tier=line.tier,
            description=line.description,
            amount=line.amount,
        )
        for line in invoice.lines.all()
        if not _generated(line)
    ]
    try:
        result = draft(
            group, period, rates=rates or RateBook(), issued_on=invoice.issued_on, kept_lines=kept
        )
    except GenerationError as error:
        return Regeneration(invoice, _figures_of(invoice), error.message)
    applied = cents(
        Payment.objects.filter(invoice=invoice)
        .exclude(status__in=[Payment.Status.RETURNED, Payment.Status.CANCELLED])
        .aggregate(total=Sum("amount"))["total"]
    )
    refusal = ""
    if applied > result.balance_due:
        refusal = (
            f"Payments of ${applied:,} were made against this bill, more than the "
            f"${result.balance_due:,} it would now ask for. Leave it as it is: the next bill "
            "carries the difference as a retroactive adjustment."
        )
    return Regeneration(invoice, result, refusal)


def _figures_of(invoice) -> Draft:
    return Draft(
        balance_forward=cents(invoice.balance_forward),
        current_amount=cents(invoice.current_amount),
        adjustments=cents(invoice.adjustments),
        payments=cents(invoice.payments),
    )


def invoice_regenerate(*, invoice: Invoice) -> Regeneration:
    """Rebuild `invoice`'s lines and figures from the data now (see the module docstring).
    Raises GenerationError, changing nothing, when that is refused. The caller audits it."""
    with transaction.atomic():
        _lock(invoice.group_id)
        # The bill itself too: an amount change approved meanwhile adds a line to it.
        Invoice.objects.select_for_update().only("pk").get(pk=invoice.pk)
        regeneration = regeneration_preview(invoice)
        if regeneration.refusal:
            raise GenerationError(regeneration.refusal)
        invoice, result = regeneration.invoice, regeneration.draft
        invoice.lines.all().delete()
        for line in result.lines:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create(result.lines)
        for name, value in result.figures().items():
            setattr(invoice, name, value)
        invoice.save(update_fields=list(result.figures()))
    return regeneration
