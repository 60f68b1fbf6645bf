"""Manage Broker Access in a real browser: employer@ grants broker@ View invoice on one suffix
(Edit, Save, the review, the terms refused then accepted, Submit), broker@ is told (Recent
Activity, email) and works that suffix's bill; employer@ revokes, and broker@'s next request for
the bill answers 404. groupadmin@ sees only their suffix's summary. axe on every page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from brokers import access
from employers import services
from employers.models import BrokerAccessGrant
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def broker_page(browser, live_server):
    """A second browser, for broker@, beside employer@'s `page`."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_grant_notify_work_revoke(live_cast, page, broker_page, axe_source):
    # given: broker@ starts with nothing from this employer, and suffix [2] has a bill
    broker = access.broker_for(live_cast.broker)
    group = live_cast.employer_groups[2]
    employer = group.parent.employer
    services.broker_access_revoke(broker=broker, employer=employer, by=live_cast.employer)
    invoice = InvoiceFactory(group=group, number="BRK-2611")
    mail.outbox.clear()
    name = f"{broker.first_name} {broker.last_name}"

    # The employer finds Manage Broker Access under Manage Accounts & Reports.
    log_in(page, "employer@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Manage Accounts & Reports"
    ).click()
    page.get_by_role("link", name="Summary of Broker Access").click()
    expect(page.get_by_role("heading", level=1, name="Manage Broker Access")).to_be_visible()
    card = page.get_by_role("region", name=name)
    expect(card.get_by_text("No group access assigned.")).to_be_visible()
    assert_accessible(page, axe_source)

    card.get_by_role("link", name="Manage access & preferences").click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("Access Privileges"))
    ).to_be_visible()
    assert_accessible(page, axe_source)

    # Edit: View invoice on suffix [2] only; Save shows the review, nothing changed yet.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label(f"View invoice, group {group.number}").check()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Nothing has changed yet.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=group.number)).to_contain_text("View invoice")
    assert_accessible(page, axe_source)

    # Submit without the terms: refused, plainly.
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("I accept the terms and conditions")
    assert_accessible(page, axe_source)
    assert not BrokerAccessGrant.objects.filter(broker=broker).exists()

    page.get_by_label("I accept the terms and conditions").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("access was saved")).to_be_visible()
    billing = page.get_by_role("table", name="Billing functions, group by group")
    expect(billing.get_by_role("row").filter(has_text=group.number)).to_contain_text("Yes")
    assert_accessible(page, axe_source)

    # The broker is told: an email, and Recent Activity on their dashboard.
    assert [message.to for message in mail.outbox] == [[live_cast.broker.email]]
    log_in(broker_page, "broker@demo.test")
    expect(
        broker_page.get_by_role("region", name="Recent Activity").get_by_text(
            f"{employer.name} gave you billing and enrollment access on group {group.number}."
        )
    ).to_be_visible()
    broker_page.get_by_role("link", name="Group Billing & Enrollment").first.click()
    expect(broker_page.get_by_text("1 group found, displaying all.")).to_be_visible()
    row = broker_page.get_by_role("row").filter(has_text=group.number)
    expect(row).to_contain_text("View invoice")
    assert_accessible(broker_page, axe_source)
    row.get_by_role("link", name=re.compile("^Bills")).click()
    broker_page.get_by_role("link", name="BRK-2611", exact=True).click()
    expect(broker_page.get_by_role("heading", level=1, name="Invoice BRK-2611")).to_be_visible()
    bill = f"/brokers/billing/invoices/{invoice.pk}/"
    assert broker_page.url.endswith(bill)

    # The employer revokes; the broker's next request for the bill answers 404.
    page.get_by_role("button", name="Revoke All Access").click()
    expect(page.get_by_text("access was revoked")).to_be_visible()
    assert broker_page.goto(bill).status == 404
    broker_page.goto("/brokers/eligibility/group-billing-enrollment/")
    expect(
        broker_page.get_by_text("No employer has delegated billing or enrollment")
    ).to_be_visible()
    assert_accessible(broker_page, axe_source)

    # The history keeps both changes, who made them and whether the terms were accepted.
    page.get_by_role("link", name=f"All changes for {name}").click()
    expect(page.get_by_text("3 changes found, displaying all.")).to_be_visible()
    expect(page.get_by_role("cell", name="Access revoked")).to_have_count(2)
    granted = page.get_by_role("row").filter(has=page.get_by_role("cell", name="Access granted"))
    expect(granted).to_contain_text(f"Group {group.number}: no access → View invoice")
    expect(granted).to_contain_text(live_cast.employer.display_name)
    expect(granted).to_contain_text("Yes, ")
    assert_accessible(page, axe_source)


def test_group_admin_sees_their_suffix_only(live_cast, page, axe_source):
    log_in(page, "groupadmin@demo.test")
    page.goto("/employers/accounts-reports/")
    page.get_by_role("link", name="Summary of Broker Access").click()
    expect(page.get_by_text(live_cast.employer_groups[0].number).first).to_be_visible()
    expect(page.get_by_text(live_cast.employer_groups[1].number)).to_have_count(0)
    expect(page.get_by_role("link", name="Manage access & preferences")).to_have_count(0)
    assert_accessible(page, axe_source)
