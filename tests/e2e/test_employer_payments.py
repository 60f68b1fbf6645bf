"""Payments in a real browser: groupadmin@ adds a payment account (after a mistyped routing
number), pays part of a bill, sends the same payment twice (a double click) and thrice (the same
request again) and finds one payment, sets up a recurring payment, and sees the
payments settle once the sandbox gateway's daily tasks have run. Every page passes axe."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing import payments
from billing.models import Payment, PaymentSubmission
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import InvoiceFactory, PaymentAccountFactory

pytestmark = pytest.mark.e2e
# Labels that other labels on their page begin with ("Account number again", "Group Documents").
ACCOUNT_NUMBER = re.compile(r"^Account number:?$")
GROUP = re.compile(r"^Group:?$")


def _next_day_of_month(today, day):
    """The first date on or after `today` that falls on `day` of its month."""
    if today.day <= day:
        return today.replace(day=day)
    following = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return following.replace(day=day)


def test_accounts_payments_recurring_and_settlement(live_cast, page, axe_source):
    own = live_cast.employer_groups[0]
    today = timezone.localdate()
    bill = InvoiceFactory(
        group=own,
        number="OWN-2612",
        period_start=datetime.date(2026, 12, 1),
        period_end=datetime.date(2026, 12, 31),
        issued_on=today - datetime.timedelta(days=5),
        due_date=today + datetime.timedelta(days=20),
        current_amount=Decimal("800.00"),
    )
    InvoiceFactory(group=live_cast.employer_groups[1], number="SIBLING-2612")
    log_in(page, "groupadmin@demo.test")

    # A payment account, after a routing number that fails its checksum.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pay My Bill").click()
    page.get_by_role("link", name="Payment Accounts").click()
    expect(page.get_by_role("heading", level=2, name="Payment Accounts")).to_be_visible()
    expect(page.get_by_text("No payment account yet.")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Add a Payment Account").click()
    page.get_by_label("Nickname").fill("Operating")
    page.get_by_label("Name on the account").fill("Cypress Manufacturing")
    page.get_by_label("Checking").check()
    page.get_by_label("Routing number").fill("021000022")
    page.get_by_label(ACCOUNT_NUMBER).fill("987654321")
    page.get_by_label("Account number again").fill("987654321")
    page.get_by_role("button", name="Add Account").click()
    expect(page.get_by_text("That routing number is not valid").first).to_be_visible()
    expect(page.get_by_text("Nothing has been paid or changed.")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Routing number").fill("021000021")
    page.get_by_label(ACCOUNT_NUMBER).fill("987654321")
    page.get_by_label("Account number again").fill("987654321")
    page.get_by_role("button", name="Add Account").click()
    expect(page.get_by_text("Payment account “Operating (…4321)” was added.")).to_be_visible()
    accounts = page.get_by_role("table", name="Payment accounts")
    expect(accounts).to_contain_text("ending 4321")
    expect(accounts).not_to_contain_text("987654321")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Rename Operating").click()
    expect(page.get_by_label("New nickname")).to_have_value("Operating")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Cancel").click()

    # Pay part of the bill: only groupadmin@'s suffix is offered.
    page.get_by_role("link", name="Make a Payment").click()
    expect(page.get_by_role("heading", level=2, name="Make a Payment")).to_be_visible()
    bills = page.get_by_role("table", name="Bills you may pay")
    expect(bills).to_contain_text("OWN-2612")
    expect(bills).not_to_contain_text("SIBLING-2612")
    assert_accessible(page, axe_source)
    page.get_by_label("Amount to pay on OWN-2612").fill("900.00")
    page.get_by_role("button", name="Submit Payment").click()
    expect(page.get_by_text("At most $800.00 may be paid on this bill.")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Amount to pay on OWN-2612").fill("300.00")
    page.get_by_label("Pay OWN-2612 from").select_option(label="Operating (…4321)")
    page.get_by_role("button", name="Submit Payment").click()
    expect(page.get_by_role("heading", level=2, name="Payment Confirmation")).to_be_visible()
    expect(page.get_by_role("heading", name="Confirmation number PMT-")).to_be_visible()
    confirmation = page.get_by_role("table", name="Payments in this submission")
    expect(confirmation).to_contain_text("$300.00")
    expect(confirmation).to_contain_text("Submitted")
    assert_accessible(page, axe_source)
    assert Payment.objects.filter(invoice=bill, amount=Decimal("300.00")).count() == 1

    # The same payment twice: a double click sends the form twice, and so does a retry of the
    # very same request (the browser resending it, a proxy retrying it).
    sent = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.post_data) if r.method == "POST" and "/billing/pay/" in r.url else None
        ),
    )
    page.get_by_role("link", name="Make a Payment").click()
    page.get_by_label("Amount to pay on OWN-2612").fill("125.00")
    page.get_by_label("Pay OWN-2612 from").select_option(label="Operating (…4321)")
    page.get_by_role("button", name="Submit Payment").dblclick()
    expect(page.get_by_role("heading", level=2, name="Payment Confirmation")).to_be_visible()
    # Chromium may fold the second click into the first navigation, so the same request is
    # also sent again explicitly: that is what a browser's resend or a proxy's retry does.
    assert sent and all(body == sent[0] for body in sent)
    confirmation_url = page.url
    resent = page.request.post(
        "/employers/billing/pay/",
        data=sent[0],
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resent.ok and resent.url == confirmation_url
    assert "This payment was already submitted; nothing more was paid." in resent.text()
    page.goto(confirmation_url)
    expect(page.get_by_role("table", name="Payments in this submission")).to_contain_text("$125.00")
    assert_accessible(page, axe_source)
    assert Payment.objects.filter(invoice=bill, amount=Decimal("125.00")).count() == 1
    assert PaymentSubmission.objects.count() == 2

    # A recurring payment of the balance due, on a day still to come this month or next.
    day = min(today.day, 28)
    page.get_by_role("link", name="Recurring Payments").click()
    expect(page.get_by_text("No recurring payment is set up")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Set Up a Recurring Payment").click()
    page.get_by_label(GROUP).select_option(str(own.pk))
    page.get_by_label("Pay from").select_option(label="Operating (…4321)")
    page.get_by_label("Day of the month").select_option(str(day))
    page.get_by_label("The balance due").check()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Set Up Recurring Payment").click()
    expect(page.get_by_text(f"will be paid on day {day} of each month")).to_be_visible()
    recurring = page.get_by_role("table", name="Recurring payments")
    expect(recurring).to_contain_text("The balance due")
    expect(recurring).to_contain_text("Not yet")
    assert_accessible(page, axe_source)

    # The sandbox's daily tasks: the recurring payment's day, then a week on for the bank.
    due = _next_day_of_month(today, day)
    assert payments.recurring_payments_make(today=due) == 1
    payments.payments_submit_due(today=due)
    payments.payments_outcomes_check(today=due + datetime.timedelta(days=7))
    page.reload()
    expect(recurring).not_to_contain_text("Not yet")
    page.get_by_role("link", name="Cancel the recurring payment for group").click()
    expect(page.get_by_text("will no longer be paid")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Keep it, go back").click()

    page.get_by_role("link", name="Bills", exact=True).click()
    page.get_by_role("link", name="OWN-2612", exact=True).click()
    paid = page.locator("table.invoice-payments")
    expect(paid.get_by_role("row")).to_have_count(4)
    expect(paid).to_contain_text("$300.00")
    expect(paid).to_contain_text("$125.00")
    expect(paid).to_contain_text("$375.00")
    expect(paid).not_to_contain_text("Submitted")
    expect(paid.get_by_text("Settled")).to_have_count(3)
    assert_accessible(page, axe_source)

    # Removing the account says what stops, and stops it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pay My Bill").click()
    page.get_by_role("link", name="Payment Accounts").click()
    page.get_by_role("link", name="Remove Operating").click()
    expect(page.get_by_text("Its 1 recurring payment will be")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Remove Account").click()
    expect(page.get_by_text("1 recurring payment(s) from it were cancelled.")).to_be_visible()
    expect(page.get_by_text("No payment account yet.")).to_be_visible()


def test_schedule_a_payment_then_cancel_it(live_cast, page, axe_source):
    own = live_cast.employer_groups[0]
    today = timezone.localdate()
    InvoiceFactory(group=own, number="OWN-2612", current_amount=Decimal("800.00"))
    PaymentAccountFactory(
        employer=own.parent.employer, nickname="Operating", created_by=live_cast.employer
    )
    log_in(page, "groupadmin@demo.test")
    page.goto("/employers/billing/pay/")
    page.get_by_label("Amount to pay on OWN-2612").fill("250.00")
    page.get_by_label("Payment date").fill((today + datetime.timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Submit Payment").click()
    expect(page.get_by_role("table", name="Payments in this submission")).to_contain_text(
        "Scheduled"
    )

    page.get_by_role("link", name="Cancel this payment").click()
    expect(page.get_by_text("$250.00 scheduled for")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Cancel Payment").click()
    expect(page.get_by_text("was cancelled; nothing will be paid.")).to_be_visible()
    expect(page.get_by_role("table", name="Payments in this submission")).to_contain_text(
        "Cancelled"
    )
    expect(page.get_by_role("link", name="Cancel this payment")).to_have_count(0)
    assert_accessible(page, axe_source)
    assert Payment.objects.get().status == Payment.Status.CANCELLED
