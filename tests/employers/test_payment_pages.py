"""Pay My Bill's payment pages: who reaches what (own suffix 200, a sibling suffix without
pay_bill or another employer 404, no pay_bill at all 403, other audiences 404), what a form
refuses (nothing changed, a clear message), a payment form sent twice paying once, and the
list pages' query counts staying flat as rows grow."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Payment, PaymentAccount, PaymentSubmission, RecurringPayment
from employers import access
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from tests.factories import (
    EmployerAdminFactory,
    InvoiceFactory,
    PaymentAccountFactory,
    PaymentFactory,
    RecurringPaymentFactory,
)

MAKE = reverse("employers:payment-make")
ACCOUNTS = reverse("employers:payment-account-list")
ACCOUNT_ADD = reverse("employers:payment-account-add")
RECURRING = reverse("employers:recurring-payment-list")
RECURRING_NEW = reverse("employers:recurring-payment-create")


def _url(name, obj):
    return reverse(f"employers:{name}", args=[obj.pk])


@pytest.fixture
def scene(cast):
    """groupadmin@ pays suffix 0001 only; employer@ pays all three; employer2@ is elsewhere."""
    own, sibling = cast.employer_groups[0], cast.employer_groups[1]
    employer = own.parent.employer
    other_employer = cast.other_employer_group.parent.employer
    s = {
        "own_bill": InvoiceFactory(group=own, number="OWN-2611", current_amount=Decimal("800.00")),
        "sibling_bill": InvoiceFactory(group=sibling, number="SIB-2611"),
        "other_bill": InvoiceFactory(group=cast.other_employer_group, number="OTH-2611"),
        "account": PaymentAccountFactory(
            employer=employer, nickname="Operating", created_by=cast.employer
        ),
        "other_account": PaymentAccountFactory(employer=other_employer, nickname="Theirs"),
    }
    s["own_recurring"] = RecurringPaymentFactory(
        group=own, account=s["account"], created_by=cast.employer
    )
    s["sibling_recurring"] = RecurringPaymentFactory(
        group=sibling, account=s["account"], created_by=cast.employer
    )
    s["other_recurring"] = RecurringPaymentFactory(
        group=cast.other_employer_group, account=s["other_account"]
    )
    return s


def _paid(cast, scene, group_key="own_bill"):
    """A submission paying one bill, made as employer@ through the page."""
    bill = scene[group_key]
    return _submit_payment(cast.employer, bill, scene["account"], "10.00", key=f"seed-{bill.pk}")


def _submit_payment(user, bill, account, amount, key):
    from billing import payments

    submission, _ = payments.payment_submit(
        employer=bill.group.parent.employer,
        lines=[payments.PaymentLine(bill, account, Decimal(amount))],
        pay_on=timezone.localdate() + datetime.timedelta(days=3),
        idempotency_key=key,
        by=user,
    )
    return submission


def test_groupadmin_reaches_their_suffix_and_nothing_else(client, cast, scene):
    own_submission = _paid(cast, scene)
    sibling_submission = _paid(cast, scene, "sibling_bill")
    client.force_login(cast.groupadmin)
    for url in (MAKE, ACCOUNTS, ACCOUNT_ADD, RECURRING, RECURRING_NEW):
        assert client.get(url).status_code == 200, url
    assert client.get(_url("payment-account-rename", scene["account"])).status_code == 200
    assert client.get(_url("payment-account-remove", scene["account"])).status_code == 200
    assert client.get(_url("recurring-payment-cancel", scene["own_recurring"])).status_code == 200
    assert client.get(_url("payment-confirmation", own_submission)).status_code == 200
    assert client.get(_url("payment-cancel", own_submission)).status_code == 200
    # The sibling suffix (no pay_bill there) and the other employer: as if they did not exist.
    for url in (
        _url("recurring-payment-cancel", scene["sibling_recurring"]),
        _url("recurring-payment-cancel", scene["other_recurring"]),
        _url("payment-account-rename", scene["other_account"]),
        _url("payment-account-remove", scene["other_account"]),
        _url("payment-confirmation", sibling_submission),
        _url("payment-cancel", sibling_submission),
    ):
        assert client.get(url).status_code == 404, url
        if not url.endswith(f"/pay/{sibling_submission.pk}/"):  # the confirmation is GET only
            assert client.post(url, {"nickname": "Mine now"}).status_code == 404, url
    # Only their own suffix's bill is offered.
    rows = client.get(MAKE).context["rows"]
    assert [invoice.number for invoice, *_ in rows] == ["OWN-2611"]
    assert [r.group for r in client.get(RECURRING).context["recurring_payments"]] == [
        cast.employer_groups[0]
    ]
    assert not RecurringPayment.objects.filter(cancelled_at__isnull=False).exists()
    assert PaymentAccount.objects.get(pk=scene["other_account"].pk).nickname == "Theirs"
    assert not Payment.objects.filter(status=Payment.Status.CANCELLED).exists()


def test_employer_sees_all_their_suffixes_and_employer2_none_of_them(client, cast, scene):
    client.force_login(cast.employer)
    numbers = {invoice.number for invoice, *_ in client.get(MAKE).context["rows"]}
    assert numbers == {"OWN-2611", "SIB-2611"}
    client.force_login(cast.employer2)
    assert client.get(_url("payment-account-rename", scene["account"])).status_code == 404
    assert [a.nickname for a in client.get(ACCOUNTS).context["accounts"]] == ["Theirs"]


def test_an_administrator_without_pay_bill_gets_403(client, cast, scene):
    group = cast.employer_groups[0]
    viewer = EmployerAdminFactory(employer=group.parent.employer, level="group_admin")
    access.grant_admin_groups(viewer, [group], perms=("view_group", "view_invoice"))
    client.force_login(viewer.user)
    for url in (MAKE, ACCOUNTS, ACCOUNT_ADD, RECURRING, RECURRING_NEW):
        assert client.get(url).status_code == 403, url
    assert client.get(_url("payment-account-rename", scene["account"])).status_code == 403


@pytest.mark.parametrize("role", ["broker", "staff", "provider", "ops"])
def test_other_audiences_get_404(client, cast, scene, role):
    client.force_login(cast.users[role])
    for url in (MAKE, ACCOUNTS, RECURRING, _url("payment-account-rename", scene["account"])):
        assert client.get(url).status_code == 404, url


# -- accounts -----------------------------------------------------------------------------------

GOOD_ACCOUNT = {
    "nickname": "Payroll",
    "holder_name": "Cypress Manufacturing",
    "account_type": "checking",
    "routing_number": "021000021",
    "account_number": "987654321",
    "account_number_confirm": "987654321",
}


def test_adding_an_account_keeps_only_its_last_four_digits(client, cast, scene):
    client.force_login(cast.groupadmin)
    response = client.post(ACCOUNT_ADD, GOOD_ACCOUNT, follow=True)
    assert "Payment account “Payroll (…4321)” was added." in response.text
    account = PaymentAccount.objects.get(nickname="Payroll")
    assert account.account_last4 == "4321" and "987654321" not in account.account_token
    assert "987654321" not in response.text
    assert account.created_by == cast.groupadmin


@pytest.mark.parametrize(
    "change, message",
    [
        ({"routing_number": "021000022"}, "That routing number is not valid"),
        ({"account_number_confirm": "987654320"}, "The two account numbers differ."),
        ({"account_number": "98x"}, "4 to 17 digits"),
        ({"nickname": "operating"}, "You already have an account called “operating”"),
        ({"account_type": "bitcoin"}, "Select a valid choice"),
    ],
)
def test_a_bad_account_is_refused_with_a_clear_message(client, cast, scene, change, message):
    client.force_login(cast.groupadmin)
    response = client.post(ACCOUNT_ADD, {**GOOD_ACCOUNT, **change})
    assert response.status_code == 200
    assert message in response.text
    assert "Nothing has been paid or changed." in response.text
    assert PaymentAccount.objects.count() == 2


def test_rename_and_remove_say_what_happens(client, cast, scene):
    client.force_login(cast.employer)
    account = scene["account"]
    client.post(_url("payment-account-rename", account), {"nickname": "Main"})
    account.refresh_from_db()
    assert account.nickname == "Main"
    page = client.get(_url("payment-account-remove", account)).text
    assert "Its 2 recurring payments will be <strong>cancelled</strong>" in page
    response = client.post(_url("payment-account-remove", account), follow=True)
    assert "2 recurring payment(s) from it were cancelled." in response.text
    assert not RecurringPayment.objects.filter(account=account, cancelled_at__isnull=True).exists()
    assert client.get(_url("payment-account-rename", account)).status_code == 404


# -- Make a Payment -----------------------------------------------------------------------------


def _form(client):
    return client.get(MAKE).context["form"]


def test_paying_part_of_a_bill_then_sending_the_form_again_pays_once(client, cast, scene):
    client.force_login(cast.groupadmin)
    form = _form(client)
    bill, account = scene["own_bill"], scene["account"]
    data = {
        "request_key": form["request_key"].initial,
        "pay_on": timezone.localdate().isoformat(),
        f"amount_{bill.pk}": "300.00",
        f"account_{bill.pk}": str(account.pk),
    }
    first = client.post(MAKE, data)
    submission = PaymentSubmission.objects.get()
    assert first.url == _url("payment-confirmation", submission)
    again = client.post(MAKE, data, follow=True)
    assert again.redirect_chain[-1][0] == _url("payment-confirmation", submission)
    assert "This payment was already submitted; nothing more was paid." in again.text
    assert Payment.objects.filter(submission__isnull=False).count() == 1
    page = client.get(_url("payment-confirmation", submission)).text
    assert f"PMT-{submission.pk:08d}" in page and "$300.00" in page
    # What is left of the bill is what the page offers now.
    [(invoice, *_)] = client.get(MAKE).context["rows"]
    assert invoice.payable == Decimal("500.00")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"amount": "800.01"}, "At most $800.00 may be paid on this bill."),
        ({"amount": "-5"}, "Ensure this value is greater than or equal to 0.01."),
        ({"amount": "12.345"}, "Ensure that there are no more than 2 decimal places."),
        ({"amount": ""}, "Enter an amount for at least one bill."),
        ({"account": "999999"}, "Select a valid choice"),
        ({"pay_on": "2020-01-01"}, "Choose a day from"),
        ({"pay_on": "soon"}, "Enter a valid date."),
        ({"request_key": ""}, "This form has expired. Open Make a Payment again."),
    ],
)
def test_bad_payment_input_pays_nothing(client, cast, scene, change, message):
    client.force_login(cast.groupadmin)
    bill = scene["own_bill"]
    data = {
        "request_key": "k-bad",
        "pay_on": timezone.localdate().isoformat(),
        f"amount_{bill.pk}": change.get("amount", "100.00"),
        f"account_{bill.pk}": change.get("account", str(scene["account"].pk)),
    }
    data.update({k: v for k, v in change.items() if k in ("pay_on", "request_key")})
    response = client.post(MAKE, data)
    assert response.status_code == 200
    assert message in response.text
    assert not PaymentSubmission.objects.exists()


def test_a_bill_of_a_sibling_suffix_cannot_be_slipped_into_the_form(client, cast, scene):
    client.force_login(cast.groupadmin)
    sibling = scene["sibling_bill"]
    response = client.post(
        MAKE,
        {
            "request_key": "k-sneak",
            "pay_on": timezone.localdate().isoformat(),
            f"amount_{sibling.pk}": "100.00",
            f"account_{sibling.pk}": str(scene["account"].pk),
        },
    )
    assert "is not one you may pay" in response.text
    assert not PaymentSubmission.objects.exists()


def test_a_bill_paid_in_full_meanwhile_is_explained(client, cast, scene):
    client.force_login(cast.groupadmin)
    bill = scene["own_bill"]
    data = {
        "request_key": _form(client)["request_key"].initial,
        "pay_on": timezone.localdate().isoformat(),
        f"amount_{bill.pk}": "100.00",
        f"account_{bill.pk}": str(scene["account"].pk),
    }
    PaymentFactory(group=bill.group, invoice=bill, amount=bill.balance_due)
    response = client.post(MAKE, data)
    assert "has nothing left to pay now" in response.text
    assert not PaymentSubmission.objects.exists()


def test_a_fully_paid_bill_and_no_accounts_are_said_plainly(client, cast, scene):
    client.force_login(cast.groupadmin)
    PaymentFactory(group=scene["own_bill"].group, invoice=scene["own_bill"], amount=Decimal("800"))
    assert "None of the bills you may pay has anything left to pay." in client.get(MAKE).text
    client.force_login(cast.employer2)
    PaymentAccount.objects.filter(pk=scene["other_account"].pk).update(removed_at=timezone.now())
    assert "first <a href" in client.get(MAKE).text


# -- recurring payments -------------------------------------------------------------------------


def test_set_up_and_cancel_a_recurring_payment(client, cast, scene):
    client.force_login(cast.employer)
    third = cast.employer_groups[2]
    bad = client.post(
        RECURRING_NEW,
        {
            "group": third.pk,
            "account": scene["account"].pk,
            "day_of_month": 5,
            "amount_kind": "fixed",
        },
    )
    assert "Enter the fixed amount." in bad.text
    taken = client.post(
        RECURRING_NEW,
        {
            "group": cast.employer_groups[0].pk,
            "account": scene["account"].pk,
            "day_of_month": 5,
            "amount_kind": "balance_due",
        },
    )
    assert "already has a recurring payment" in taken.text
    response = client.post(
        RECURRING_NEW,
        {
            "group": third.pk,
            "account": scene["account"].pk,
            "day_of_month": 12,
            "amount_kind": "fixed",
            "fixed_amount": "250.00",
        },
        follow=True,
    )
    assert f"Group {third.number} will be paid on day 12 of each month." in response.text
    recurring = RecurringPayment.objects.get(group=third)
    assert recurring.fixed_amount == Decimal("250.00")
    assert "$250.00" in client.get(RECURRING).text
    client.post(_url("recurring-payment-cancel", recurring))
    recurring.refresh_from_db()
    assert recurring.cancelled_by == cast.employer


def test_groupadmin_cannot_set_up_a_recurring_payment_for_a_sibling(client, cast, scene):
    client.force_login(cast.groupadmin)
    response = client.post(
        RECURRING_NEW,
        {
            "group": cast.employer_groups[2].pk,
            "account": scene["account"].pk,
            "day_of_month": 5,
            "amount_kind": "balance_due",
        },
    )
    assert "Select a valid choice" in response.text
    assert not RecurringPayment.objects.filter(group=cast.employer_groups[2]).exists()


# -- query counts -------------------------------------------------------------------------------


def test_the_pages_cost_the_same_queries_for_few_rows_or_many(
    client, cast, scene, django_assert_max_num_queries
):
    client.force_login(cast.employer)
    for url in (MAKE, ACCOUNTS, RECURRING):
        client.get(url)
    counts = {}
    for url in (MAKE, ACCOUNTS, RECURRING):
        with django_assert_max_num_queries(12) as few:
            client.get(url)
        counts[url] = len(few)
    employer = scene["account"].employer
    for n in range(15):
        PaymentAccountFactory(employer=employer, nickname=f"Account {n:02d}")
        period = datetime.date(2025, 1 + n % 12, 1) if n < 12 else datetime.date(2024, n - 11, 1)
        bill = InvoiceFactory(
            group=cast.employer_groups[n % 3],
            period_start=period,
            period_end=period.replace(day=28),
        )
        PaymentFactory(group=bill.group, invoice=bill, amount=Decimal("5.00"))
    RecurringPaymentFactory(group=cast.employer_groups[2], account=scene["account"])
    for url in (MAKE, ACCOUNTS, RECURRING):
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url)
        assert response.status_code == 200
    assert len(client.get(MAKE).context["rows"]) == 17
    assert len(client.get(ACCOUNTS).context["accounts"]) == 16


# -- Cancel a scheduled payment -----------------------------------------------------------------


def test_cancel_a_scheduled_payment_frees_the_bill_and_tells_the_payer(
    client, cast, scene, mailoutbox, django_capture_on_commit_callbacks
):
    submission = _paid(cast, scene)
    number = f"PMT-{submission.pk:08d}"
    mailoutbox.clear()
    client.force_login(cast.groupadmin)
    confirmation = client.get(_url("payment-confirmation", submission)).text
    assert _url("payment-cancel", submission) in confirmation
    question = client.get(_url("payment-cancel", submission)).text
    assert "$10.00 scheduled for" in question and "Nothing has changed yet." in question

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("payment-cancel", submission), follow=True)

    assert f"Payment {number} was cancelled; nothing will be paid." in response.text
    assert submission.payments.get().status == Payment.Status.CANCELLED
    assert "Cancelled" in response.text and _url("payment-cancel", submission) not in response.text
    # The bill may take its whole amount again.
    [(invoice, *_)] = client.get(MAKE).context["rows"]
    assert invoice.payable == Decimal("800.00")
    # The one who cancelled and the one who scheduled it hear of it, by email and in Recent
    # Activity; the audit log has the change under the one who cancelled.
    [mail] = mailoutbox
    assert sorted(mail.to) == sorted([cast.employer.email, cast.groupadmin.email])
    assert number in mail.subject and "$10.00" in mail.body
    assert cast.groupadmin.display_name in mail.body and number in mail.alternatives[0][0]
    for user in (cast.employer, cast.groupadmin):
        assert Activity.objects.filter(
            recipient=user, summary__contains=f"{number}, cancelled"
        ).exists()
    assert AuditEvent.objects.filter(
        user=cast.groupadmin, object_type="billing.Payment", action=AuditEvent.Action.CHANGE
    ).exists()


def test_a_payment_due_today_or_made_can_no_longer_be_cancelled(client, cast, scene):
    submission = _paid(cast, scene)
    submission.payments.update(received_on=timezone.localdate())
    client.force_login(cast.employer)
    assert (
        _url("payment-cancel", submission)
        not in client.get(_url("payment-confirmation", submission)).text
    )
    for response in (
        client.get(_url("payment-cancel", submission), follow=True),
        client.post(_url("payment-cancel", submission), follow=True),
    ):
        assert "This payment can no longer be cancelled" in response.text
    assert submission.payments.get().status == Payment.Status.SCHEDULED
