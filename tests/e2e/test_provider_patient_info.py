"""Patient Info and Transactions in a real browser: eligibility by name + DOB and by member ID,
a member's policy and their plan's Schedule of Benefits (PDF), claim status and a claim's lines, authorization status and detail, and the
plain answers to a mistake and to a function not granted. axe-core on every page and state."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from playwright.sync_api import expect

from providers import benefits
from providers.models import ClaimLine
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e


def test_eligibility_by_name_and_dob_then_member_id_then_the_policy(live_cast, page, axe_source):
    subscriber = live_cast.members[live_cast.employer_groups[0].number]
    dependent = subscriber.dependents.get()
    for member in (subscriber, dependent):
        f.CoverageFactory(member=member, plan=subscriber.plan, start_date=datetime.date(2026, 1, 1))
    log_in(page, "provideruser@demo.test")
    page.get_by_role("link", name="Patient Info").click()
    expect(page.get_by_role("heading", name="Member Eligibility")).to_be_visible()
    assert_accessible(page, axe_source)

    # A name without a date of birth: the summary says what to fix and links to the box.
    page.get_by_role("radio", name="Member name and date of birth").check()
    page.get_by_role("textbox", name="Last name").fill(subscriber.last_name[:3])
    page.get_by_role("button", name="Search").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter the date of birth to search by name.")
    assert page.get_by_role("textbox", name="Date of birth").get_attribute("aria-invalid") == "true"
    assert_accessible(page, axe_source)

    page.get_by_role("textbox", name="Date of birth").fill(subscriber.dob.strftime("%m/%d/%Y"))
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table", name="Eligibility of the members found")
    row = results.get_by_role("row").filter(has_text=subscriber.member_id)
    expect(row).to_contain_text("Covered today")
    expect(row).to_contain_text(subscriber.plan.code)
    assert_accessible(page, axe_source)

    # By member ID, then to the member's page and the others on the policy.
    page.get_by_role("radio", name="Member ID").check()
    page.get_by_role("textbox", name="Member ID").fill(dependent.member_id)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"{dependent.last_name}, {dependent.first_name}").click()
    expect(page.get_by_role("heading", name="Members on this policy")).to_be_visible()
    policy = page.get_by_role("table", name="Members on this policy")
    expect(policy.get_by_role("row")).to_have_count(3)
    assert_accessible(page, axe_source)
    policy.get_by_role("link", name=f"{subscriber.last_name}, {subscriber.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{subscriber.first_name} {subscriber.last_name}"
    )
    assert_accessible(page, axe_source)

    # The plan's Schedule of Benefits, drawn by the (in-process) worker and downloaded.
    with page.expect_download() as download:
        page.get_by_role("link", name="Schedule of Benefits").click()
    assert download.value.suggested_filename == f"Schedule of Benefits {subscriber.plan.code}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    # No match says what to try.
    page.goto("/providers/patients/")
    page.get_by_role("textbox", name="Member ID").fill("NOSUCH123")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No member found")).to_be_visible()
    expect(page.get_by_text("Check it against the member's ID card")).to_be_visible()
    assert_accessible(page, axe_source)

    # Claims Inquiry was not granted to provideruser@: a 403 that says who grants it.
    page.goto("/providers/transactions/")
    assert_accessible(page, axe_source)
    page.goto("/providers/transactions/claims/")
    expect(page.get_by_role("heading", name="Claims Inquiry is not set up for you")).to_be_visible()
    assert_accessible(page, axe_source)


def test_claim_status_and_detail(live_cast, page, axe_source):
    member = live_cast.members[live_cast.other_employer_group.number]
    denied = f.ClaimFactory(
        member=member,
        tax_id=live_cast.other_tax_id,
        status="denied",
        allowed_amount=0,
        paid_amount=0,
        paid_on=None,
        denial_reason="Timely filing limit exceeded",
    )
    paid = f.ClaimFactory(member=member, tax_id=live_cast.other_tax_id, received_on="2026-08-01")
    ClaimLine.objects.create(
        claim=paid,
        line_number=1,
        service_code="99213",
        description="Office visit, established patient",
        service_from=paid.service_from,
        service_to=paid.service_to,
        billed_amount=Decimal("250.00"),
        allowed_amount=Decimal("180.00"),
        paid_amount=Decimal("150.00"),
    )
    log_in(page, "provider2@demo.test")
    page.get_by_role("link", name="Transactions").first.click()
    page.get_by_role("link", name="Claim Status").click()
    assert_accessible(page, axe_source)

    page.get_by_label("Subscriber ID (optional)").fill("bad id!")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("3 to 12 letters and digits")
    assert_accessible(page, axe_source)

    page.get_by_label("Subscriber ID (optional)").fill(member.member_id)
    page.get_by_role("button", name="Search").click()
    table = page.get_by_role("table", name="newest received first")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("row").filter(has_text=denied.number)).to_contain_text(
        "Timely filing limit exceeded"
    )
    assert_accessible(page, axe_source)

    table.get_by_role("link", name=paid.number).click()
    lines = page.get_by_role("table", name=f"Lines of claim {paid.number}")
    expect(lines).to_contain_text("99213")
    expect(lines).to_contain_text("$150.00")
    assert_accessible(page, axe_source)


def test_authorization_status_and_detail(live_cast, page, axe_source):
    member = live_cast.members[live_cast.other_employer_group.number]
    authorization = f.AuthorizationFactory(
        member=member, tax_id=live_cast.other_tax_id, diagnosis_code="M54.50"
    )
    log_in(page, "provider2@demo.test")
    page.goto("/providers/transactions/authorizations/")
    assert_accessible(page, axe_source)

    page.get_by_role("radio", name="Authorization number").check()
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the authorization number.")
    assert_accessible(page, axe_source)

    page.get_by_role("textbox", name="Authorization number").fill(authorization.number)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 authorization found")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name=authorization.number).click()
    expect(page.get_by_text("M54.50")).to_be_visible()
    assert_accessible(page, axe_source)


def test_benefits_waiting_page_offers_the_download_when_drawn(live_cast, page, axe_source):
    member = live_cast.members[live_cast.employer_groups[0].number]
    log_in(page, "provideruser@demo.test")
    # No worker: the drawing stays queued until this test draws it, as the worker would.
    with mock.patch("providers.tasks.benefit_schedule_draw.delay"):
        page.goto(f"/providers/patients/members/{member.pk}/benefits/")
        expect(page.get_by_role("status")).to_contain_text("We are preparing")
        assert_accessible(page, axe_source)
        benefits.schedule_draw(member.plan)
        link = page.get_by_role(
            "link", name=f"Download the Schedule of Benefits for {member.plan.code}"
        )
        expect(link).to_be_visible(timeout=10_000)
        assert_accessible(page, axe_source)
