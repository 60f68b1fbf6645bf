"""Pay My Bill in a real browser: groupadmin@ sees only their suffix's bills, filters them by
status, sorts them, and opens one with the employees and dependents it bills. Every state passes
axe."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import (
    DependentFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    MemberFactory,
    PaymentFactory,
)

pytestmark = pytest.mark.e2e


def test_bills_list_and_a_bill_with_its_roster(live_cast, page, axe_source):
    own = live_cast.employer_groups[0]
    today = timezone.localdate()
    old = InvoiceFactory(
        group=own,
        number="OWN-2610",
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        issued_on=today - datetime.timedelta(days=60),
        due_date=today - datetime.timedelta(days=30),
    )
    PaymentFactory(group=own, invoice=old, amount=old.balance_due)
    current = InvoiceFactory(
        group=own,
        number="OWN-2611",
        issued_on=today - datetime.timedelta(days=5),
        due_date=today + datetime.timedelta(days=20),
        current_amount=Decimal("1237.50"),
    )
    employee = MemberFactory(group=own, first_name="Ada", last_name="Lovelace")
    child = DependentFactory(subscriber=employee, first_name="Byron", last_name="Lovelace")
    InvoiceLineFactory(
        invoice=current, member=employee, plan=employee.plan, tier="FAM", amount=Decimal("1237.50")
    )
    InvoiceLineFactory(
        invoice=current, member=child, plan=employee.plan, tier="FAM", amount=Decimal("0.00")
    )
    InvoiceFactory(group=live_cast.employer_groups[1], number="SIBLING-2611")
    log_in(page, "groupadmin@demo.test")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pay My Bill").click()
    expect(page.get_by_role("heading", level=1, name="Pay My Bill")).to_be_visible()
    expect(page.get_by_text("2 bills found, displaying all.")).to_be_visible()
    expect(page.get_by_role("link", name="SIBLING-2611")).to_have_count(0)
    assert_accessible(page, axe_source)

    page.get_by_label("Status").select_option(label="Paid")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 bill found, displaying all.")).to_be_visible()
    expect(page.get_by_role("link", name="OWN-2610")).to_be_visible()
    assert "status=paid" in page.url
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Clear").click()
    page.get_by_role("link", name="Due date").click()
    expect(page.locator('th[aria-sort="ascending"]')).to_have_text("Due date")
    expect(page.get_by_role("row").nth(1)).to_contain_text("OWN-2610")
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="OWN-2611").click()
    expect(page.get_by_role("heading", level=1, name="Invoice OWN-2611")).to_be_visible()
    roster = page.get_by_role("table", name="Premium for each employee and dependent")
    expect(roster.get_by_role("row")).to_have_count(3)
    expect(roster).to_contain_text("Lovelace, Ada")
    expect(roster).to_contain_text("Lovelace, Byron")
    expect(roster).to_contain_text("$1,237.50")
    expect(page.get_by_text("Open", exact=True)).to_be_visible()
    assert_accessible(page, axe_source)
