"""A broker works the employer's tools on its behalf, in a real browser: broker@, granted
perform-enrollment on a group, enrolls a member from Group Billing & Enrollment and the event
records both parties; granted pay_bill, pays one of the group's bills from the employer's saved
account. Every page is checked with axe-core."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import PaymentSubmission
from employers.services import broker_access_grant
from enrollment.models import EnrollmentEvent, Member
from portal.dates import add_months
from tests.cast import BILLING_AND_ENROLLMENT
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import InvoiceFactory, PaymentAccountFactory, PlanFactory

pytestmark = pytest.mark.e2e


def test_a_broker_granted_perform_enrollment_enrolls_a_member_and_the_event_records_both_parties(
    live_cast, page, axe_source
):
    group = live_cast.employer_groups[0]
    employer = group.parent.employer
    group.plans.add(PlanFactory(name="Silver PPO 2500/40"))
    today = timezone.localdate()
    log_in(page, "broker@demo.test")

    # From Group Billing & Enrollment to the group's Manage Enrollment.
    page.goto("/brokers/eligibility/group-billing-enrollment/")
    expect(page.get_by_role("heading", level=2, name="Group Billing & Enrollment")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name=f"Manage enrollment of {group.number}").click()
    expect(page.get_by_role("heading", level=1, name="Manage Enrollment")).to_be_visible()
    expect(page.get_by_text("Every change you make is recorded as made by you")).to_be_visible()
    assert_accessible(page, axe_source)

    # Enroll an employee: on whose behalf is said, not typed.
    page.get_by_role("link", name=f"Enroll in {group.number}").click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("Enroll an Employee"))
    ).to_be_visible()
    on_behalf = page.get_by_label("On behalf of")
    expect(on_behalf).to_be_disabled()
    expect(on_behalf).to_have_value(re.compile(rf"^{re.escape(employer.name)} \(broker "))
    assert_accessible(page, axe_source)
    coverage = page.get_by_role("group", name="Coverage")
    coverage.get_by_label("Plan:", exact=True).select_option(label="PPO - Silver PPO 2500/40")
    coverage.get_by_label("Date of hire").fill((today - datetime.timedelta(days=40)).isoformat())
    coverage.get_by_label("Coverage effective date").fill(add_months(today, 1).isoformat())
    employee = page.get_by_role("group", name="Employee")
    employee.get_by_label("First name").fill("Teodora")
    employee.get_by_label("Last name").fill("Lindqvist")
    employee.get_by_label("Date of birth").fill("1988-03-14")
    contact = page.get_by_role("group", name="Address and contact")
    contact.get_by_label("Street address").fill("7 Birch Lane")
    contact.get_by_label("City").fill("Fresno")
    contact.get_by_label("State").fill("CA")
    contact.get_by_label("ZIP code").fill("93701")
    page.get_by_role("button", name="Enroll").click()

    # The member's page, in the broker portal, names both parties in the history.
    expect(page.get_by_text("Teodora Lindqvist was enrolled.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="LINDQVIST, TEODORA")).to_be_visible()
    assert "/brokers/enrollment/members/" in page.url
    broker = live_cast.broker.display_name
    expect(
        page.get_by_role("cell", name=re.compile(rf"{re.escape(broker)} for {employer.name}"))
    ).to_be_visible()
    assert_accessible(page, axe_source)
    subscriber = Member.objects.get(last_name="Lindqvist")
    event = EnrollmentEvent.objects.get(member=subscriber)
    assert event.by == live_cast.broker
    assert event.on_behalf_of.startswith(f"{employer.name} (broker ")

    # A change page and the cancellation's review, in the broker's layout.
    page.get_by_role("link", name="Change PCP").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Change PCP"))).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Back without changing anything").click()
    page.get_by_role("link", name="Cancel Coverage").click()
    page.get_by_label("Last day of coverage").fill(add_months(today, 2).isoformat())
    page.get_by_role("button", name="Review Cancellation").click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("Review Cancellation"))
    ).to_be_visible()
    assert_accessible(page, axe_source)


def test_a_broker_granted_pay_bill_pays_from_the_employers_account(live_cast, page, axe_source):
    group = live_cast.employer_groups[0]
    employer = group.parent.employer
    broker_access_grant(
        group=group,
        broker=live_cast.broker.broker,
        functions=[*BILLING_AND_ENROLLMENT, "pay_bill"],
        by=live_cast.employer,
    )
    bill = InvoiceFactory(group=group, number="CYP-2612", current_amount=Decimal("640.00"))
    PaymentAccountFactory(employer=employer, nickname="Operating", created_by=live_cast.employer)
    log_in(page, "broker@demo.test")

    page.goto("/brokers/eligibility/group-billing-enrollment/")
    page.get_by_role("link", name=f"Pay a bill of {group.number}").click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile("Make a Payment for"))
    ).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("textbox", name=re.compile("Amount")).fill("140.00")
    page.get_by_role("button", name="Submit Payment").click()

    expect(page.get_by_role("heading", level=2, name="Payment Confirmation")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"^{re.escape(employer.name)} \(broker "))).to_be_visible()
    assert_accessible(page, axe_source)
    submission = PaymentSubmission.objects.get()
    assert submission.submitted_by == live_cast.broker
    assert submission.payments.get().invoice == bill

    page.goto(f"/brokers/billing/groups/{group.pk}/accounts/")
    expect(page.get_by_role("heading", level=2, name="Payment Accounts")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Operating")).to_be_visible()
    assert_accessible(page, axe_source)
