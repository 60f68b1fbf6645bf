"""Payments, the services: accounts stored as a token and last four only, the ABA checksum, a
payment capped by what its bill may still take, a submission made once per idempotency key,
recurring payments made once a month however often the task runs, and the sandbox gateway's
schedule under a frozen clock."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from billing import payments
from billing.gateway import SandboxGateway
from billing.models import Payment, PaymentAccount, PaymentSubmission, RecurringPayment
from billing.payments import PaymentError, PaymentLine
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from tests.factories import (
    InvoiceFactory,
    PaymentAccountFactory,
    PaymentFactory,
    RecurringPaymentFactory,
)

# A Friday, at noon on the Pacific coast.
FRIDAY = datetime.datetime(2026, 11, 27, 20, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 27)
VALID_ROUTING = "011000015"


@pytest.fixture
def clock():
    with time_machine.travel(FRIDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bill(cast):
    """A $1,000.00 bill of groupadmin@'s suffix."""
    return InvoiceFactory(
        group=cast.employer_groups[0], number="OWN-2611", current_amount=Decimal("1000.00")
    )


@pytest.fixture
def account(cast):
    return PaymentAccountFactory(
        employer=cast.employer_groups[0].parent.employer,
        nickname="Operating",
        created_by=cast.employer,
    )


def _pay(user, *lines, key="k1", pay_on=TODAY):
    return payments.payment_submit(
        employer=lines[0][0].group.parent.employer,
        lines=[PaymentLine(invoice=i, account=a, amount=Decimal(x)) for i, a, x in lines],
        pay_on=pay_on,
        idempotency_key=key,
        by=user,
        today=TODAY,
    )


# -- accounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, valid",
    [
        ("011000015", True),
        ("021000021", True),
        ("122105278", True),
        ("011000016", False),
        ("12345678", False),
        ("01100001a", False),
        ("", False),
    ],
)
def test_routing_numbers_are_checked_with_the_aba_checksum(number, valid):
    assert payments.routing_number_valid(number) is valid


def test_an_account_is_kept_as_a_token_and_its_last_four_digits(cast):
    employer = cast.employer_groups[0].parent.employer
    account = payments.payment_account_add(
        employer=employer,
        nickname="  Payroll   account ",
        holder_name="Cypress Manufacturing",
        account_type="checking",
        routing_number=VALID_ROUTING,
        account_number="000123456789",
        by=cast.employer,
    )
    account.refresh_from_db()
    assert account.nickname == "Payroll account"
    assert account.account_last4 == "6789"
    assert account.account_token.startswith("sandbox_")
    # The number is nowhere in the row: not in the token, not in any field.
    row = PaymentAccount.objects.filter(pk=account.pk).values().get()
    assert not any("123456789" in str(value) for value in row.values())
    assert AuditEvent.objects.filter(
        user=cast.employer, object_type="billing.PaymentAccount", object_id=str(account.pk)
    ).exists()
    assert Activity.objects.filter(recipient=cast.employer, summary__contains="Payroll").exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"routing_number": "011000016"}, "That routing number is not valid"),
        ({"account_number": "12"}, "4 to 17 digits"),
        ({"nickname": "operating"}, "You already have an account called"),
        ({"nickname": "   "}, "Give the account a nickname"),
    ],
)
def test_a_bad_account_is_refused_and_nothing_is_saved(cast, account, change, message):
    data = {
        "employer": account.employer,
        "nickname": "Reserve",
        "holder_name": "Cypress",
        "account_type": "savings",
        "routing_number": VALID_ROUTING,
        "account_number": "55554444",
        "by": cast.employer,
        **change,
    }
    with pytest.raises(PaymentError, match=message):
        payments.payment_account_add(**data)
    assert PaymentAccount.objects.count() == 1


def test_a_removed_accounts_nickname_is_free_again_and_renaming_keeps_them_unique(cast, account):
    other = PaymentAccountFactory(employer=account.employer, nickname="Reserve")
    with pytest.raises(PaymentError):
        payments.payment_account_rename(account=other, nickname="OPERATING", by=cast.employer)
    payments.payment_account_remove(account=account, by=cast.employer)
    payments.payment_account_rename(account=other, nickname="Operating", by=cast.employer)
    assert PaymentAccount.objects.get(pk=other.pk).nickname == "Operating"


def test_removing_an_account_cancels_its_recurring_payments(cast, account):
    recurring = RecurringPaymentFactory(
        group=cast.employer_groups[0], account=account, created_by=cast.groupadmin
    )
    cancelled = payments.payment_account_remove(account=account, by=cast.employer)
    assert cancelled == [recurring]
    recurring.refresh_from_db()
    account.refresh_from_db()
    assert account.removed_at is not None
    assert recurring.cancelled_at is not None and recurring.cancelled_by == cast.employer
    # The one who set the recurring payment up hears of it.
    assert Activity.objects.filter(
        recipient=cast.groupadmin, summary__contains="cancelled"
    ).exists()


# -- one-time payments --------------------------------------------------------------------------


def test_a_payment_is_capped_by_what_its_bill_may_still_take(cast, bill, account, clock):
    PaymentFactory(group=bill.group, invoice=bill, amount=Decimal("300.00"))  # settled
    PaymentFactory(group=bill.group, invoice=bill, amount=Decimal("200.00"), status="scheduled")
    PaymentFactory(
        group=bill.group,
        invoice=bill,
        amount=Decimal("400.00"),
        status="returned",
        return_reason="R01 Insufficient funds",
    )
    # 1,000 less 300 settled and 200 scheduled; the returned 400 does not count.
    with pytest.raises(PaymentError, match=r"at most \$500.00"):
        _pay(cast.employer, (bill, account, "500.01"))
    # Two lines on one bill are added up.
    with pytest.raises(PaymentError, match=r"at most \$500.00"):
        _pay(cast.employer, (bill, account, "300.00"), (bill, account, "200.01"), key="k2")
    assert Payment.objects.count() == 3
    assert PaymentSubmission.objects.count() == 0

    submission, made = _pay(cast.employer, (bill, account, "500.00"), key="k3")
    assert made and submission.payments.get().amount == Decimal("500.00")
    with pytest.raises(PaymentError, match=r"at most \$0.00"):
        _pay(cast.employer, (bill, account, "0.01"), key="k4")


def test_any_combination_of_accounts_and_bills_in_one_submission(cast, bill, account, clock):
    second = InvoiceFactory(
        group=cast.employer_groups[1],
        period_start=datetime.date(2026, 12, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    reserve = PaymentAccountFactory(employer=account.employer, nickname="Reserve")
    submission, _ = _pay(
        cast.employer,
        (bill, account, "100.00"),
        (bill, reserve, "50.25"),
        (second, reserve, "75.00"),
        pay_on=TODAY + datetime.timedelta(days=10),
    )
    rows = set(submission.payments.values_list("invoice__number", "account__nickname", "amount"))
    assert rows == {
        ("OWN-2611", "Operating", Decimal("100.00")),
        ("OWN-2611", "Reserve", Decimal("50.25")),
        (second.number, "Reserve", Decimal("75.00")),
    }
    # A future date is scheduled, with the confirmation number as each payment's reference.
    assert set(submission.payments.values_list("status", "reference")) == {
        ("scheduled", payments.confirmation_number(submission))
    }


def test_the_same_key_returns_the_first_submission_and_pays_nothing_more(
    cast, bill, account, clock
):
    first, made = _pay(cast.employer, (bill, account, "100.00"), key="same")
    again, made_again = _pay(cast.employer, (bill, account, "100.00"), key="same")
    assert made and not made_again
    assert again == first
    assert Payment.objects.count() == 1
    # Another user's key is their own: the same text is a different submission.
    other, made_other = _pay(cast.groupadmin, (bill, account, "100.00"), key="same")
    assert made_other and other != first


@pytest.mark.parametrize(
    "pay_on, message",
    [
        (TODAY - datetime.timedelta(days=1), "Choose a payment date from"),
        (TODAY + datetime.timedelta(days=31), "Choose a payment date from"),
    ],
)
def test_a_payment_date_is_today_to_thirty_days_ahead(cast, bill, account, pay_on, message):
    with pytest.raises(PaymentError, match=message):
        _pay(cast.employer, (bill, account, "1.00"), pay_on=pay_on)


def test_a_bill_or_account_of_someone_else_is_refused(cast, bill, account):
    sibling = InvoiceFactory(group=cast.employer_groups[1])
    other_employer = InvoiceFactory(group=cast.other_employer_group)
    foreign_account = PaymentAccountFactory(employer=cast.other_employer_group.parent.employer)
    removed = PaymentAccountFactory(employer=account.employer, removed_at=FRIDAY)
    with pytest.raises(PaymentError, match="may not pay the bills of group"):
        _pay(cast.groupadmin, (sibling, account, "1.00"))
    with pytest.raises(PaymentError, match="not one of this employer's"):
        payments.payment_submit(
            employer=account.employer,
            lines=[PaymentLine(other_employer, account, Decimal("1.00"))],
            pay_on=TODAY,
            idempotency_key="x",
            by=cast.employer,
            today=TODAY,
        )
    for wrong in (foreign_account, removed):
        with pytest.raises(PaymentError, match="is not one of your payment accounts"):
            _pay(cast.employer, (bill, wrong, "1.00"))
    assert Payment.objects.count() == 0


def test_paying_today_submits_to_the_gateway_and_emails_a_receipt(
    cast, bill, account, clock, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission, _ = _pay(cast.employer, (bill, account, "250.00"))
    payment = submission.payments.get()
    assert payment.status == Payment.Status.SUBMITTED
    assert payment.gateway_reference.startswith("SBX-")
    [mail] = mailoutbox
    assert mail.to == [cast.employer.email]
    number = payments.confirmation_number(submission)
    assert number in mail.subject and number in mail.body and "$250.00" in mail.body
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html" and "OWN-2611" in html
    assert AuditEvent.objects.filter(
        user=cast.employer, object_type="billing.Payment", object_id=str(payment.pk)
    ).exists()
    assert Activity.objects.filter(recipient=cast.employer, summary__contains=number).exists()


# -- the sandbox's schedule ---------------------------------------------------------------------


def _submitted(cast, bill, account, amount, clock, key):
    submission, _ = _pay(cast.employer, (bill, account, amount), key=key)
    assert payments.payments_submit_due(today=TODAY) == 1
    return submission.payments.get()


def test_the_sandbox_settles_a_payment_one_business_day_after_submission(
    cast, bill, account, clock
):
    payment = _submitted(cast, bill, account, "400.00", clock, "s1")
    # Submitted on a Friday: still pending over the weekend, settled on Monday.
    for day in (27, 28, 29):
        clock.move_to(datetime.datetime(2026, 11, day, 20, tzinfo=datetime.UTC))
        payments.payments_outcomes_check(today=datetime.date(2026, 11, day))
        payment.refresh_from_db()
        assert payment.status == Payment.Status.SUBMITTED
    clock.move_to(datetime.datetime(2026, 11, 30, 20, tzinfo=datetime.UTC))
    counts = payments.payments_outcomes_check(today=datetime.date(2026, 11, 30))
    payment.refresh_from_db()
    assert counts["settled"] == 1
    assert payment.status == Payment.Status.SETTLED
    assert payment.settled_on == datetime.date(2026, 11, 30)


@pytest.mark.parametrize("amount, last4", [("400.13", "6789"), ("400.00", "0000")])
def test_the_sandbox_returns_an_amount_ending_13_or_an_account_ending_0000(
    cast, bill, account, clock, mailoutbox, django_capture_on_commit_callbacks, amount, last4
):
    account.account_last4 = last4
    account.save()
    payment = _submitted(cast, bill, account, amount, clock, "r1")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payments.payments_outcomes_check(today=datetime.date(2026, 11, 30))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.RETURNED
    assert payment.return_reason == SandboxGateway.RETURN_REASON == "R01 Insufficient funds"
    assert payment.returned_on == datetime.date(2026, 11, 30)
    [mail] = mailoutbox
    assert mail.to == [cast.employer.email]
    assert "R01 Insufficient funds" in mail.body and "returned" in mail.subject
    assert "R01 Insufficient funds" in mail.alternatives[0][0]
    # The returned amount may be paid again.
    _pay(cast.employer, (bill, account, "1000.00"), key="again")


def test_a_scheduled_payment_goes_to_the_gateway_on_its_day_only(cast, bill, account, clock):
    _pay(cast.employer, (bill, account, "10.00"), pay_on=TODAY + datetime.timedelta(days=3))
    assert payments.payments_submit_due(today=TODAY) == 0
    assert payments.payments_submit_due(today=TODAY + datetime.timedelta(days=3)) == 1
    # Run again: nothing is sent twice.
    assert payments.payments_submit_due(today=TODAY + datetime.timedelta(days=3)) == 0


def test_a_cancelled_payment_is_never_sent_and_its_amount_may_be_paid_again(
    cast, bill, account, clock
):
    later = TODAY + datetime.timedelta(days=3)
    submission, _ = _pay(cast.employer, (bill, account, "1000.00"), pay_on=later)
    [cancelled] = payments.scheduled_payment_cancel(
        submission=submission, by=cast.groupadmin, today=TODAY
    )
    assert cancelled.status == submission.payments.get().status == Payment.Status.CANCELLED
    assert payments.payments_submit_due(today=later) == 0
    # Again: nothing left to cancel, nothing changed.
    with pytest.raises(PaymentError, match="can no longer be cancelled"):
        payments.scheduled_payment_cancel(submission=submission, by=cast.employer, today=TODAY)
    _pay(cast.employer, (bill, account, "1000.00"), key="again")


def test_a_payment_is_not_cancelled_on_its_day_or_by_someone_who_may_not_pay(
    cast, bill, account, clock
):
    later = TODAY + datetime.timedelta(days=3)
    submission, _ = _pay(cast.employer, (bill, account, "10.00"), pay_on=later)
    with pytest.raises(PaymentError, match="can no longer be cancelled"):
        payments.scheduled_payment_cancel(submission=submission, by=cast.employer, today=later)
    with pytest.raises(PaymentError, match="You may not cancel payments of group"):
        payments.scheduled_payment_cancel(submission=submission, by=cast.employer2, today=TODAY)
    assert submission.payments.get().status == Payment.Status.SCHEDULED


# -- recurring payments -------------------------------------------------------------------------


def _recurring(cast, account, **fields):
    return payments.recurring_payment_create(
        group=cast.employer_groups[0],
        account=account,
        day_of_month=fields.pop("day_of_month", 5),
        amount_kind=fields.pop("amount_kind", "balance_due"),
        starts_on=fields.pop("starts_on", datetime.date(2026, 11, 1)),
        by=cast.groupadmin,
        **fields,
    )


def test_one_active_recurring_payment_per_group(cast, account):
    first = _recurring(cast, account)
    with pytest.raises(PaymentError, match="already has a recurring payment"):
        _recurring(cast, account, day_of_month=9)
    payments.recurring_payment_cancel(recurring=first, by=cast.groupadmin)
    _recurring(cast, account, day_of_month=9)
    assert RecurringPayment.objects.filter(cancelled_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"day_of_month": 29}, "from 1 to 28"),
        ({"amount_kind": "fixed"}, "fixed amount"),
        ({"amount_kind": "fixed", "fixed_amount": Decimal("-5")}, "fixed amount"),
        ({"amount_kind": "all"}, "balance due or a fixed amount"),
    ],
)
def test_a_bad_recurring_payment_is_refused(cast, account, fields, message):
    with pytest.raises(PaymentError, match=message):
        _recurring(cast, account, **fields)
    assert not RecurringPayment.objects.exists()


def test_the_recurring_task_pays_each_month_once_however_often_it_runs(
    cast, bill, account, django_capture_on_commit_callbacks
):
    recurring = _recurring(cast, account, day_of_month=5)
    # Before the day: nothing.
    assert payments.recurring_payments_make(today=datetime.date(2026, 11, 4)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert payments.recurring_payments_make(today=datetime.date(2026, 11, 5)) == 1
        # The same day again, and the days after: nothing more.
        assert payments.recurring_payments_make(today=datetime.date(2026, 11, 5)) == 0
        assert payments.recurring_payments_make(today=datetime.date(2026, 11, 20)) == 0
        # Even with last_paid_period lost, the month's key finds the payment already made.
        RecurringPayment.objects.filter(pk=recurring.pk).update(last_paid_period=None)
        payments.recurring_payment_make(recurring=recurring, today=datetime.date(2026, 11, 6))
    [payment] = Payment.objects.all()
    assert payment.recurring == recurring and payment.amount == Decimal("1000.00")
    assert payment.submission.idempotency_key == f"recurring:{recurring.pk}:2026-11"
    assert payment.submission.submitted_by is None
    # Next month, next month's bill.
    december = InvoiceFactory(
        group=bill.group,
        period_start=datetime.date(2026, 12, 1),
        period_end=datetime.date(2026, 12, 31),
        current_amount=Decimal("300.00"),
    )
    assert payments.recurring_payments_make(today=datetime.date(2026, 12, 7)) == 1
    assert Payment.objects.get(invoice=december).amount == Decimal("300.00")


def test_a_fixed_recurring_amount_is_capped_by_what_the_bills_may_take(cast, bill, account):
    PaymentFactory(group=bill.group, invoice=bill, amount=Decimal("900.00"))
    _recurring(cast, account, amount_kind="fixed", fixed_amount=Decimal("250.00"))
    payments.recurring_payments_make(today=datetime.date(2026, 11, 5))
    assert Payment.objects.get(recurring__isnull=False).amount == Decimal("100.00")


def test_a_cancelled_recurring_payment_or_one_starting_later_pays_nothing(cast, bill, account):
    recurring = _recurring(cast, account, starts_on=datetime.date(2026, 11, 10))
    assert payments.recurring_payments_make(today=datetime.date(2026, 11, 12)) == 0
    payments.recurring_payment_cancel(recurring=recurring, by=cast.employer)
    assert payments.recurring_payments_make(today=datetime.date(2026, 12, 12)) == 0
    assert not Payment.objects.exists()


def test_the_beat_schedule_runs_the_payment_tasks_daily(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"billing.tasks.recurring_payments_make", "billing.tasks.payments_process"} <= tasks


def test_the_admin_shows_an_account_but_never_its_token(admin_client, account):
    page = admin_client.get(f"/admin/billing/paymentaccount/{account.pk}/change/").text
    assert "Operating" in page and account.routing_number in page
    assert account.account_token not in page
    assert admin_client.get("/admin/billing/paymentaccount/add/").status_code == 403
    listing = admin_client.get("/admin/billing/paymentsubmission/")
    assert listing.status_code == 200


def test_the_demo_sets_up_accounts_and_recurring_payments_through_the_services(cast):
    from types import SimpleNamespace

    from billing.demo_payments import payments_demo

    employer = cast.employer_groups[0].parent.employer
    second_bill = InvoiceFactory(group=cast.employer_groups[1], current_amount=Decimal("400.00"))
    world = SimpleNamespace(
        tenants=SimpleNamespace(employer=employer, employer_groups=cast.employer_groups),
        as_of=TODAY,
    )
    payments_demo(
        world, {"employer@demo.test": cast.employer, "groupadmin@demo.test": cast.groupadmin}
    )
    assert set(PaymentAccount.objects.values_list("nickname", "account_last4")) == {
        ("Operating account", "4321"),
        ("Payroll reserve", "7788"),
    }
    assert set(RecurringPayment.objects.values_list("group", "amount_kind", "created_by")) == {
        (cast.employer_groups[0].pk, "balance_due", cast.employer.pk),
        (cast.employer_groups[2].pk, "fixed", cast.groupadmin.pk),
    }
    # And a payment scheduled for later on the second suffix's open bill, still cancellable.
    [scheduled] = Payment.objects.filter(status=Payment.Status.SCHEDULED)
    assert scheduled.invoice == second_bill and scheduled.amount == Decimal("100.00")
    assert scheduled.received_on == TODAY + datetime.timedelta(days=10)
    assert payments.cancellable([scheduled], today=TODAY)
