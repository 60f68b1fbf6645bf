"""Payments: an employer's bank accounts, one-time and recurring payments of its bills, and each
payment's way through the gateway (billing/gateway.py): scheduled -> submitted -> settled, or
returned with the bank's reason.

Money rules, kept here and nowhere else:

- A bill is never asked for more than it may still be paid: its balance due less every payment
  against it that is scheduled, submitted or settled (a returned one frees its amount again).
  The bills' rows are locked while that is worked out, so two payments at once can't both fit.
- A submission is made once: its idempotency key is unique, and a repeat (a double click, a
  resent form, two requests racing, a task run twice) gets the first submission back.

Every service takes the acting user (`by`) and whom they act for (`on_behalf_of`, e.g. a broker
paying for an employer), runs in one transaction, writes an audit row and a Recent Activity line,
and sends its email once committed. They know nothing of the portal's pages: a caller may pass
`link`, the page the Recent Activity line leads to.
"""

import datetime
import hashlib
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing.gateway import GatewayError, Outcome, gateway
from billing.models import Invoice, Payment, PaymentAccount, PaymentSubmission, RecurringPayment
from portal.activity.services import activity_record
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record_for_user
from portal.mail import email_send

logger = logging.getLogger(__name__)

# The payments that count against a bill: all but the returned ones.
COUNTED_STATUSES = (Payment.Status.SCHEDULED, Payment.Status.SUBMITTED, Payment.Status.SETTLED)
ACCOUNT_NUMBER_RE = re.compile(r"^\d{4,17}$")
CENTS = Decimal("0.01")


class PaymentError(Exception):
    """A payment or account change the rules do not allow; the message says why, in words for
    the person asking, and nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def dollars(value) -> str:
    return f"${Decimal(value):,.2f}"


def _fmt(day) -> str:
    return day.strftime("%m/%d/%Y")


def routing_number_valid(value: str) -> bool:
    """The ABA routing number checksum: 3, 7 and 1 weights over the nine digits sum to a
    multiple of ten."""
    if not re.fullmatch(r"\d{9}", value or ""):
        return False
    d = [int(c) for c in value]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])
    return total % 10 == 0


def _record(*, by, object_type, ids, summary, recipients=(), link=""):
    """The audit row and the Recent Activity line every change writes."""
    audit_record_for_user(
        user=by, action=AuditEvent.Action.CHANGE, object_type=object_type, object_ids=ids
    )
    people = {user.pk: user for user in [by, *recipients] if user is not None}
    activity_record(recipients=people.values(), summary=summary, actor=by, link=link)


# -- payment accounts ---------------------------------------------------------------------------


def _nickname_taken(employer_id, nickname, *, exclude=None) -> bool:
    accounts = PaymentAccount.objects.filter(
        employer_id=employer_id, removed_at__isnull=True, nickname__iexact=nickname
    )
    if exclude is not None:
        accounts = accounts.exclude(pk=exclude.pk)
    return accounts.exists()


def _clean_nickname(nickname: str) -> str:
    nickname = " ".join((nickname or "").split())
    if not nickname:
        raise PaymentError("Give the account a nickname.")
    return nickname


@transaction.atomic
def payment_account_add(
    *,
    employer,
    nickname,
    holder_name,
    account_type,
    routing_number,
    account_number,
    by,
    link="",
) -> PaymentAccount:
    """Save a bank account for `employer`: the gateway keeps the account number and gives back
    a token; we keep the token and the last four digits."""
    nickname = _clean_nickname(nickname)
    if not routing_number_valid(routing_number):
        raise PaymentError(
            "That routing number is not valid: check the nine digits printed at the bottom "
            "left of a check."
        )
    if not ACCOUNT_NUMBER_RE.match(account_number or ""):
        raise PaymentError("Enter the account number: 4 to 17 digits.")
    if account_type not in PaymentAccount.AccountType.values:
        raise PaymentError("Choose checking or savings.")
    if _nickname_taken(employer.pk, nickname):
        raise PaymentError(f"You already have an account called “{nickname}”. Choose another name.")
    token = gateway().tokenize_account(routing_number=routing_number, account_number=account_number)
    try:
        with transaction.atomic():
            account = PaymentAccount.objects.create(
                employer=employer,
                nickname=nickname,
                holder_name=holder_name.strip(),
                account_type=account_type,
                routing_number=routing_number,
                account_token=token,
                account_last4=account_number[-4:],
                created_by=by,
            )
    except IntegrityError:
        # Someone saved the same nickname a moment ago.
        raise PaymentError(
            f"You already have an account called “{nickname}”. Choose another name."
        ) from None
    _record(
        by=by,
        object_type="billing.PaymentAccount",
        ids=[account.pk],
        summary=f"Payment account “{account.nickname}” (…{account.account_last4}) added.",
        link=link,
    )
    return account


@transaction.atomic
def payment_account_rename(*, account, nickname, by, link="") -> PaymentAccount:
    nickname = _clean_nickname(nickname)
    if account.removed_at is not None:
        raise PaymentError("This account has been removed.")
    if _nickname_taken(account.employer_id, nickname, exclude=account):
        raise PaymentError(f"You already have an account called “{nickname}”. Choose another name.")
    old = account.nickname
    account.nickname = nickname
    try:
        with transaction.atomic():
            account.save(update_fields=["nickname"])
    except IntegrityError:
        raise PaymentError(
            f"You already have an account called “{nickname}”. Choose another name."
        ) from None
    _record(
        by=by,
        object_type="billing.PaymentAccount",
        ids=[account.pk],
        summary=f"Payment account “{old}” (…{account.account_last4}) renamed “{nickname}”.",
        link=link,
    )
    return account


@transaction.atomic
def payment_account_remove(*, account, by, link="") -> list[RecurringPayment]:
    """Hide the account from new payments and cancel its active recurring payments (returned).
    Payments already made from it keep pointing at it; those already scheduled are still made."""
    account = PaymentAccount.objects.select_for_update().get(pk=account.pk)
    if account.removed_at is not None:
        return []
    now = timezone.now()
    account.removed_at = now
    account.save(update_fields=["removed_at"])
    cancelled = list(
        RecurringPayment.objects.select_for_update(of=("self",))
        .filter(account=account, cancelled_at__isnull=True)
        .select_related("group", "created_by")
    )
    for recurring in cancelled:
        recurring.cancelled_at, recurring.cancelled_by = now, by
        recurring.save(update_fields=["cancelled_at", "cancelled_by"])
    summary = f"Payment account “{account.nickname}” (…{account.account_last4}) removed"
    if cancelled:
        groups = ", ".join(r.group.number for r in cancelled)
        summary += (
            f"; its recurring payment{'s' if len(cancelled) > 1 else ''} for {groups} cancelled"
        )
    _record(
        by=by,
        object_type="billing.PaymentAccount",
        ids=[account.pk],
        summary=summary + ".",
        recipients=[r.created_by for r in cancelled],
        link=link,
    )
    return cancelled


# -- what may be paid ---------------------------------------------------------------------------

MONEY = DecimalField(max_digits=12, decimal_places=2)


def with_payable(invoices):
    """`invoices` annotated with `committed` (scheduled, submitted and settled payments against
    each) and `payable` (its balance due less those): what may still be paid on it."""
    committed = (
        Payment.objects.filter(invoice=OuterRef("pk"), status__in=COUNTED_STATUSES)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return invoices.annotate(
        committed=Coalesce(Subquery(committed, output_field=MONEY), Value(0), output_field=MONEY)
    ).annotate(payable=F("balance_due") - F("committed"))


def _locked_payable(invoice_ids) -> dict:
    """{invoice id: amount that may still be paid}, with the bills' rows locked until the
    transaction ends. Locked first and summed in a second statement: under READ COMMITTED that
    statement sees the payments of a transaction we waited for."""
    list(Invoice.objects.select_for_update().filter(pk__in=invoice_ids).order_by("pk").values("pk"))
    rows = with_payable(Invoice.objects.filter(pk__in=invoice_ids)).values_list("pk", "payable")
    return {pk: max(Decimal(payable), Decimal(0)).quantize(CENTS) for pk, payable in rows}


# -- one-time payments --------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentLine:
    """One bill paid from one account: a submission is one or more of these."""

    invoice: Invoice
    account: PaymentAccount
    amount: Decimal


def confirmation_number(submission) -> str:
    return f"PMT-{submission.pk:08d}"


def _stored_key(key, by) -> str:
    """The key as stored: per user, so that one user's key never returns another's submission
    (a key is only as secret as the form it rode in); hashed when it would not fit."""
    stored = f"u{by.pk}:{key}"
    return stored if len(stored) <= 64 else hashlib.sha256(stored.encode()).hexdigest()


def _earlier(stored_key):
    return PaymentSubmission.objects.filter(idempotency_key=stored_key).first()


def submission_for_key(*, idempotency_key, by):
    """The submission `by` already made with this key, if any: a form sent again is answered
    with it before the form is checked against bills that the first sending has since paid."""
    if not idempotency_key:
        return None
    return _earlier(_stored_key(idempotency_key, by))


def payment_date_bounds(today) -> tuple[datetime.date, datetime.date]:
    return today, today + datetime.timedelta(days=settings.PAYMENT_SCHEDULE_DAYS)


def _check_lines(*, employer, lines, pay_on, today, by):
    if not lines:
        raise PaymentError("Enter an amount for at least one bill.")
    first, last = payment_date_bounds(today)
    if not first <= pay_on <= last:
        raise PaymentError(f"Choose a payment date from {_fmt(first)} to {_fmt(last)}.")
    for line in lines:
        if line.invoice.group.parent.employer_id != employer.pk:
            raise PaymentError(f"Bill {line.invoice.number} is not one of this employer's.")
        if line.account.employer_id != employer.pk or line.account.removed_at is not None:
            raise PaymentError(f"“{line.account.nickname}” is not one of your payment accounts.")
        if line.amount <= 0 or line.amount != line.amount.quantize(CENTS):
            raise PaymentError(
                f"Bill {line.invoice.number}: enter an amount in dollars and cents, above zero."
            )
        if by is not None and not by.has_perm("enrollment.pay_bill", line.invoice.group):
            raise PaymentError(f"You may not pay the bills of group {line.invoice.group.number}.")


def _submission_make(
    *, employer, lines, pay_on, stored_key, by, on_behalf_of, today, recurring=None, link=""
):
    """The submission and its payments, in the caller's transaction; raises IntegrityError
    when the key was taken meanwhile, PaymentError when a bill can't take its amount."""
    with transaction.atomic():
        submission = PaymentSubmission.objects.create(
            employer=employer,
            idempotency_key=stored_key,
            submitted_by=by,
            on_behalf_of=on_behalf_of or "",
        )
    payable = _locked_payable({line.invoice.pk for line in lines})
    asked = defaultdict(Decimal)
    for line in lines:
        asked[line.invoice.pk] += line.amount
    for line in lines:
        room = payable[line.invoice.pk]
        if asked[line.invoice.pk] > room:
            raise PaymentError(
                f"Bill {line.invoice.number} can take at most {dollars(room)}: its balance "
                "due less the payments already made or scheduled against it."
            )
    number = confirmation_number(submission)
    payments = Payment.objects.bulk_create(
        Payment(
            group=line.invoice.group,
            invoice=line.invoice,
            amount=line.amount,
            received_on=pay_on,
            method=Payment.Method.ACH,
            status=Payment.Status.SCHEDULED,
            reference=number,
            account=line.account,
            submission=submission,
            recurring=recurring,
            recorded_by=by,
        )
        for line in lines
    )
    total = sum(line.amount for line in lines)
    bills = len(asked)
    when = "made today" if pay_on <= today else f"scheduled for {_fmt(pay_on)}"
    summary = (
        f"{'Recurring payment' if recurring else 'Payment'} of {dollars(total)} to {bills} "
        f"bill{'s' if bills > 1 else ''} {when}, confirmation {number}."
    )
    payer = by or (recurring.created_by if recurring else None)
    _record(
        by=payer,
        object_type="billing.Payment",
        ids=[p.pk for p in payments],
        summary=summary,
        link=link,
    )
    if payer is not None and payer.email:
        email_send(
            to=[payer.email],
            template="billing_payment_receipt",
            context={
                "number": number,
                "payments": [
                    {
                        "bill": line.invoice.number,
                        "group": f"{line.invoice.group.number} {line.invoice.group.name}",
                        "account": str(line.account),
                        "amount": dollars(line.amount),
                    }
                    for line in lines
                ],
                "total": dollars(total),
                "pay_on": _fmt(pay_on),
                "today": pay_on <= today,
                "recurring": recurring is not None,
            },
        )
    if pay_on <= today:
        # Due now: off to the gateway once committed (and by the daily run, should that fail).
        from billing.tasks import submission_payments_submit

        transaction.on_commit(lambda: submission_payments_submit.delay(submission.pk))
    return submission


def payment_submit(
    *,
    employer,
    lines,
    pay_on,
    idempotency_key,
    by,
    on_behalf_of="",
    today=None,
    link="",
) -> tuple[PaymentSubmission, bool]:
    """Pay bills of `employer`: each line an amount on one bill from one account, all on
    `pay_on` (today, or a later day within PAYMENT_SCHEDULE_DAYS: scheduled).

    Returns the submission and whether it was made now; a repeated `idempotency_key` from the
    same user returns the first submission and makes no payment. Raises PaymentError, making
    nothing, when a bill can't take its amount or a line is not the employer's.
    """
    if not idempotency_key:
        raise PaymentError("This form has expired. Open Make a Payment again.")
    stored_key = _stored_key(idempotency_key, by)
    earlier = _earlier(stored_key)
    if earlier is not None:
        return earlier, False
    today = today or timezone.localdate()
    _check_lines(employer=employer, lines=lines, pay_on=pay_on, today=today, by=by)
    try:
        with transaction.atomic():
            submission = _submission_make(
                employer=employer,
                lines=lines,
                pay_on=pay_on,
                stored_key=stored_key,
                by=by,
                on_behalf_of=on_behalf_of,
                today=today,
                link=link,
            )
    except IntegrityError:
        # The same submission raced this one (two requests at once) and committed first.
        earlier = _earlier(stored_key)
        if earlier is None:
            raise
        return earlier, False
    return submission, True


NOT_CANCELLABLE = (
    "This payment can no longer be cancelled: it has gone, or goes today, to the bank."
)


def cancellable(payments, today=None) -> bool:
    """Whether a submission with these payments can still be cancelled: some are scheduled
    for a later day (on its day the daily run sends it to the bank)."""
    today = today or timezone.localdate()
    return any(p.status == Payment.Status.SCHEDULED and p.received_on > today for p in payments)


@transaction.atomic
def scheduled_payment_cancel(*, submission, by, today=None, link="") -> list[Payment]:
    """Cancel the payments of `submission` still scheduled for a later day; returns them.

    The rows are locked first, so the daily run (payments_submit_due, which locks and checks
    the status again) either sent a payment before this or finds it cancelled. Raises
    PaymentError, changing nothing, when none can be cancelled any more.
    """
    today = today or timezone.localdate()
    payments = list(
        Payment.objects.select_for_update(of=("self",))
        .select_related("group")
        .filter(submission=submission, status=Payment.Status.SCHEDULED, received_on__gt=today)
        .order_by("pk")
    )
    if not payments:
        raise PaymentError(NOT_CANCELLABLE)
    for payment in payments:
        if by is not None and not by.has_perm("enrollment.pay_bill", payment.group):
            raise PaymentError(f"You may not cancel payments of group {payment.group.number}.")
    for payment in payments:
        payment.status = Payment.Status.CANCELLED
    Payment.objects.bulk_update(payments, ["status"])
    number = confirmation_number(submission)
    total = sum(p.amount for p in payments)
    _record(
        by=by,
        object_type="billing.Payment",
        ids=[p.pk for p in payments],
        summary=f"Scheduled payment of {dollars(total)}, confirmation {number}, cancelled.",
        recipients=[submission.submitted_by] if submission.submitted_by else [],
        link=link,
    )
    people = {u.email for u in (by, submission.submitted_by) if u is not None and u.email}
    if people:
        email_send(
            to=sorted(people),
            template="billing_payment_cancelled",
            context={
                "number": number,
                "total": dollars(total),
                "pay_on": _fmt(payments[0].received_on),
                "cancelled_by": by.display_name if by else "",
            },
        )
    return payments


# -- recurring payments -------------------------------------------------------------------------


@transaction.atomic
def recurring_payment_create(
    *, group, account, day_of_month, amount_kind, fixed_amount=None, starts_on, by, link=""
) -> RecurringPayment:
    """Pay `group`'s bills every month on `day_of_month` (1-28) from `account`: the balance due
    then, or `fixed_amount` (never more than may be paid). One active per group."""
    if account.employer_id != group.parent.employer_id or account.removed_at is not None:
        raise PaymentError(f"“{account.nickname}” is not one of your payment accounts.")
    if not 1 <= int(day_of_month) <= 28:
        raise PaymentError("Choose a day from 1 to 28, so that every month has it.")
    if amount_kind == RecurringPayment.AmountKind.FIXED:
        if (
            fixed_amount is None
            or fixed_amount <= 0
            or fixed_amount != fixed_amount.quantize(CENTS)
        ):
            raise PaymentError("Enter the fixed amount in dollars and cents, above zero.")
    elif amount_kind == RecurringPayment.AmountKind.BALANCE_DUE:
        fixed_amount = None
    else:
        raise PaymentError("Choose the balance due or a fixed amount.")
    taken = PaymentError(
        f"Group {group.number} already has a recurring payment. Cancel it first to set up another."
    )
    if RecurringPayment.objects.filter(group=group, cancelled_at__isnull=True).exists():
        raise taken
    try:
        with transaction.atomic():
            recurring = RecurringPayment.objects.create(
                group=group,
                account=account,
                day_of_month=day_of_month,
                amount_kind=amount_kind,
                fixed_amount=fixed_amount,
                starts_on=starts_on,
                created_by=by,
            )
    except IntegrityError:
        raise taken from None
    what = dollars(fixed_amount) if fixed_amount else "the balance due"
    _record(
        by=by,
        object_type="billing.RecurringPayment",
        ids=[recurring.pk],
        summary=(
            f"Recurring payment for group {group.number} set up: {what} on day {day_of_month} "
            f"of each month from “{account.nickname}”."
        ),
        link=link,
    )
    return recurring


@transaction.atomic
def recurring_payment_cancel(*, recurring, by, link="") -> RecurringPayment:
    recurring = (
        RecurringPayment.objects.select_for_update(of=("self",))
        .select_related("group", "created_by")
        .get(pk=recurring.pk)
    )
    if recurring.cancelled_at is not None:
        return recurring
    recurring.cancelled_at, recurring.cancelled_by = timezone.now(), by
    recurring.save(update_fields=["cancelled_at", "cancelled_by"])
    _record(
        by=by,
        object_type="billing.RecurringPayment",
        ids=[recurring.pk],
        summary=f"Recurring payment for group {recurring.group.number} cancelled.",
        recipients=[recurring.created_by],
        link=link,
    )
    return recurring


def recurring_due_on(recurring, today) -> datetime.date | None:
    """This month's payment day of `recurring`, if it is due by `today` and not yet made."""
    day = today.replace(day=recurring.day_of_month)
    period = today.replace(day=1)
    if day > today or day < recurring.starts_on:
        return None
    if recurring.last_paid_period and recurring.last_paid_period >= period:
        return None
    return day


def recurring_lines(recurring, payable_by_invoice) -> list[PaymentLine]:
    """The month's lines: the oldest bills first, each up to what it may take, until the
    balance due (or the fixed amount) is covered."""
    invoices = (
        Invoice.objects.filter(pk__in=[pk for pk, room in payable_by_invoice.items() if room > 0])
        .select_related("group__parent")
        .order_by("due_date", "pk")
    )
    left = None if recurring.fixed_amount is None else recurring.fixed_amount
    lines = []
    for invoice in invoices:
        amount = (
            payable_by_invoice[invoice.pk]
            if left is None
            else min(left, payable_by_invoice[invoice.pk])
        )
        if amount <= 0:
            break
        lines.append(PaymentLine(invoice=invoice, account=recurring.account, amount=amount))
        if left is not None:
            left -= amount
    return lines


def recurring_payment_make(*, recurring, today) -> PaymentSubmission | None:
    """This month's payment of `recurring`, if due: through the same submission as a person's,
    with the key "recurring:<id>:<YYYY-MM>", so a second run the same month pays nothing more."""
    period = today.replace(day=1)
    stored_key = f"recurring:{recurring.pk}:{period:%Y-%m}"
    earlier = _earlier(stored_key)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            recurring = (
                RecurringPayment.objects.select_for_update(of=("self",))
                .select_related("account", "created_by", "group__parent__employer")
                .get(pk=recurring.pk)
            )
            if recurring.cancelled_at is not None or recurring_due_on(recurring, today) is None:
                return None
            payer = recurring.created_by
            if not payer.is_active or not payer.has_perm("enrollment.pay_bill", recurring.group):
                # Whoever set it up may no longer pay this group: nothing is paid in their name.
                logger.warning("Recurring payment %s skipped: its owner may not pay", recurring.pk)
                return None
            invoice_ids = Invoice.objects.filter(group=recurring.group).values_list("pk", flat=True)
            lines = recurring_lines(recurring, _locked_payable(list(invoice_ids)))
            submission = None
            if lines:
                submission = _submission_make(
                    employer=recurring.group.parent.employer,
                    lines=lines,
                    pay_on=today,
                    stored_key=stored_key,
                    by=None,
                    on_behalf_of="",
                    today=today,
                    recurring=recurring,
                )
            # A month with nothing owed is done too: the bill of next month is next month's.
            recurring.last_paid_period = period
            recurring.save(update_fields=["last_paid_period"])
            return submission
    except IntegrityError:
        earlier = _earlier(stored_key)
        if earlier is None:
            raise
        return earlier


def recurring_payments_make(*, today) -> int:
    """Every active recurring payment's payment for this month, where due; returns how many
    submissions were made. Safe to run any number of times a day."""
    made = 0
    due = RecurringPayment.objects.filter(
        cancelled_at__isnull=True, starts_on__lte=today, day_of_month__lte=today.day
    ).exclude(last_paid_period__gte=today.replace(day=1))
    for recurring in due.order_by("pk"):
        if recurring_payment_make(recurring=recurring, today=today) is not None:
            made += 1
    return made


# -- the gateway's side -------------------------------------------------------------------------


def payments_submit_due(*, today, submission_id=None) -> int:
    """Send the scheduled payments due by `today` to the gateway; returns how many went. Each
    is locked and re-read first, so two runs at once never send one payment twice."""
    due = Payment.objects.filter(
        status=Payment.Status.SCHEDULED, received_on__lte=today, account__isnull=False
    )
    if submission_id is not None:
        due = due.filter(submission_id=submission_id)
    bank = gateway()
    sent = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            payment = (
                Payment.objects.select_for_update(of=("self",))
                .select_related("account")
                .filter(pk=pk, status=Payment.Status.SCHEDULED)
                .first()
            )
            if payment is None:
                continue
            try:
                reference = bank.submit(payment)
            except GatewayError as error:
                # Left scheduled: the next run tries again.
                logger.warning("Payment %s not submitted: %s", pk, error.message)
                continue
            payment.status = Payment.Status.SUBMITTED
            payment.submitted_at = timezone.now()
            payment.gateway_reference = reference
            payment.save(update_fields=["status", "submitted_at", "gateway_reference"])
            sent += 1
    return sent


def _payer(payment):
    if payment.submission and payment.submission.submitted_by:
        return payment.submission.submitted_by
    return payment.recurring.created_by if payment.recurring else None


def payments_outcomes_check(*, today) -> dict:
    """Ask the gateway what became of each submitted payment: settled ones get their date,
    returned ones their reason, and their payer is told. Returns counts by outcome."""
    bank = gateway()
    counts = {Outcome.SETTLED: 0, Outcome.RETURNED: 0, Outcome.PENDING: 0}
    submitted = Payment.objects.filter(status=Payment.Status.SUBMITTED)
    for pk in submitted.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            payment = (
                Payment.objects.select_for_update(of=("self",))
                .select_related(
                    "account",
                    "invoice",
                    "group",
                    "submission__submitted_by",
                    "recurring__created_by",
                )
                .filter(pk=pk, status=Payment.Status.SUBMITTED)
                .first()
            )
            if payment is None:
                continue
            outcome = bank.outcome(payment, today=today)
            counts[outcome.status] += 1
            if outcome.status == Outcome.SETTLED:
                payment.status, payment.settled_on = Payment.Status.SETTLED, outcome.on
                payment.save(update_fields=["status", "settled_on"])
            elif outcome.status == Outcome.RETURNED:
                payment.status, payment.returned_on = Payment.Status.RETURNED, outcome.on
                payment.return_reason = outcome.reason or "Returned by the bank"
                payment.save(update_fields=["status", "returned_on", "return_reason"])
                _returned_tell(payment)
    return counts


def _returned_tell(payment):
    payer = _payer(payment)
    if payer is None:
        return
    bill = payment.invoice.number if payment.invoice else payment.group.number
    summary = (
        f"Payment of {dollars(payment.amount)} to bill {bill} ({payment.reference}) was returned "
        f"by the bank: {payment.return_reason}."
    )
    activity_record(recipients=[payer], summary=summary)
    if payer.email:
        email_send(
            to=[payer.email],
            template="billing_payment_returned",
            context={
                "payment": payment,
                "bill": bill,
                "amount": dollars(payment.amount),
                "account": str(payment.account) if payment.account else "",
                "returned_on": _fmt(payment.returned_on),
            },
        )
