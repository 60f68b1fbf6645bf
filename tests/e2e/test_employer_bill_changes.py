"""Changes asked from a bill, in a real browser: groupadmin@ reports that an employee left and sees
them pending on the bill, asks for a different amount and follows its status; employer@ turns
paper billing off. Every page passes axe."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import AmountChangeRequest, BillingPreferences
from enrollment.models import Coverage
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import CoverageFactory, InvoiceFactory, MemberFactory, RosterLineFactory

pytestmark = pytest.mark.e2e


def _open_bill(page, number):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pay My Bill").click()
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=f"Invoice {number}")).to_be_visible()


def test_report_a_leaver_and_request_a_different_amount_from_the_bill(live_cast, page, axe_source):
    # given this month's bill of groupadmin@'s suffix, billing Ada Lovelace
    own = live_cast.employer_groups[0]
    today = timezone.localdate()
    bill = InvoiceFactory(
        group=own,
        number="OWN-NOW",
        period_start=today.replace(day=1),
        period_end=today.replace(day=28),
        issued_on=today - datetime.timedelta(days=5),
        due_date=today + datetime.timedelta(days=20),
        current_amount=Decimal("612.00"),
    )
    ada = MemberFactory(group=own, first_name="Ada", last_name="Lovelace", member_id="M00000777")
    CoverageFactory(member=ada, tier=Coverage.Tier.EMPLOYEE)
    RosterLineFactory(invoice=bill, member=ada, amount=Decimal("612.00"))
    left_on = min(today - datetime.timedelta(days=1), today.replace(day=27))
    log_in(page, "groupadmin@demo.test")
    _open_bill(page, "OWN-NOW")
    changes = page.get_by_role("region", name="Changes to this bill")
    expect(changes).to_contain_text("No change to the people on this bill has been reported")
    assert_accessible(page, axe_source)

    # when they report that Ada left
    changes.get_by_role("link", name="Report a change").click()
    expect(page.get_by_role("heading", level=1, name="Report a change")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Employee or dependent").select_option(
        label="Lovelace, Ada (M00000777, Subscriber)"
    )
    page.get_by_label("Last day of coverage").fill(left_on.isoformat())
    page.get_by_label("Reason").select_option(label="Employment ended")
    page.get_by_role("button", name="Review the change").click()
    expect(page.get_by_role("alert")).to_contain_text("1 person loses coverage after")
    expect(page.get_by_role("table", name="Who loses coverage, and when")).to_contain_text(
        "Ada Lovelace"
    )
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Confirm the change").click()

    # then the bill shows Ada pending
    expect(page.get_by_role("heading", level=1, name="Invoice OWN-NOW")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"Coverage ends on {left_on:%m/%d/%Y}")
    expect(changes).to_contain_text(
        f"Lovelace, Ada (M00000777): Pending: ends {left_on:%m/%d/%Y} — credited on the next bill"
    )
    assert_accessible(page, axe_source)

    # when they ask for a different amount, first without a reason
    changes.get_by_role("link", name="Request a different amount").click()
    expect(page.get_by_role("heading", level=1, name="Request a different amount")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Amount you expect to pay").fill("408.00")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been changed.")
    assert not AmountChangeRequest.objects.exists()
    assert_accessible(page, axe_source)
    page.get_by_label("Why the amount should change").fill("Ada left; we pay for the days covered.")
    page.get_by_role("button", name="Send the request").click()

    # then the bill and the list of requests say it is pending verification
    expect(changes).to_contain_text(
        "Your request for $408.00 as the amount due is pending verification"
    )
    requests = changes.get_by_role("table", name="Requests to change this bill's amount")
    expect(requests).to_contain_text("Pending verification")
    expect(changes.get_by_role("link", name="Request a different amount")).to_have_count(0)
    changes.get_by_role("link", name="All amount change requests").click()
    expect(page.get_by_role("heading", level=1, name="Amount change requests")).to_be_visible()
    expect(page.get_by_text("1 request found, displaying all.")).to_be_visible()
    expect(page.get_by_role("row").nth(1)).to_contain_text("OWN-NOW")
    expect(page.get_by_role("row").nth(1)).to_contain_text("$408.00")
    assert_accessible(page, axe_source)
    page.get_by_label("Status").select_option(label="Approved")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("0 requests found.")).to_be_visible()
    assert_accessible(page, axe_source)


def test_a_client_admin_turns_paper_billing_off_and_emails_bills(live_cast, page, axe_source):
    InvoiceFactory(group=live_cast.employer_groups[0], number="OWN-2611")
    log_in(page, "employer@demo.test")
    _open_bill(page, "OWN-2611")
    page.get_by_role("link", name="Billing preferences").click()
    expect(page.get_by_role("heading", level=1, name="Billing preferences")).to_be_visible()
    expect(page.get_by_label("Mail paper bills")).to_be_checked()
    assert_accessible(page, axe_source)

    # Bills by email without an address is refused, and nothing is saved.
    page.get_by_label("Mail paper bills").uncheck()
    page.get_by_label("Email bills").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been changed.")
    expect(page.get_by_text("Enter the address to email bills to")).to_be_visible()
    assert not BillingPreferences.objects.exists()
    assert_accessible(page, axe_source)

    page.get_by_label("Email address for bills").fill("ap@cypress.test")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_contain_text("Billing preferences saved.")
    expect(page.get_by_label("Mail paper bills")).not_to_be_checked()
    expect(page.get_by_label("Email address for bills")).to_have_value("ap@cypress.test")
    assert_accessible(page, axe_source)
    stored = BillingPreferences.objects.get()
    assert (stored.paper_billing, stored.bills_by_email) == (False, True)
