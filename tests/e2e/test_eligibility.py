"""Eligibility, Status & Activity in a real browser: the dashboard's Quick Eligibility Check
answers in place, the lookup page finds a member and says plainly when it does not, the IFP
applications filter, the delegated groups, and the chart's table. axe-core on every state."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from brokers import access
from enrollment.models import IFPApplication
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e


def test_quick_check_answers_in_place_and_the_chart_has_a_table(live_cast, page, axe_source):
    member = live_cast.members[live_cast.employer_groups[0].number]
    f.CoverageFactory(member=member, start_date=datetime.date(2024, 1, 1))
    log_in(page, "broker@demo.test")
    page.goto("/brokers/")
    expect(page.get_by_role("heading", name="Quick Eligibility Check")).to_be_visible()
    assert_accessible(page, axe_source)

    # The chart is an image with a name, and its numbers are a table behind a disclosure.
    assert page.get_by_role(
        "img", name=re.compile("Your book over the last 12 months")
    ).is_visible()
    page.get_by_text("The numbers as a table").click()
    table = page.get_by_role(
        "table", name="Active subscribers in your book on the first of each month"
    )
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(13)
    assert_accessible(page, axe_source)

    # A last name without a date of birth: the error sits on the field, in place.
    url = page.url
    page.get_by_label("Member ID or last name").fill(member.last_name)
    page.get_by_role("button", name="Check Eligibility").click()
    error = page.get_by_text("Enter the date of birth to search by last name.")
    error.wait_for()
    assert page.url == url
    assert page.get_by_label("Date of birth").get_attribute("aria-invalid") == "true"
    assert_accessible(page, axe_source)

    page.get_by_label("Date of birth").fill(member.dob.strftime("%m/%d/%Y"))
    page.get_by_role("button", name="Check Eligibility").click()
    answer = page.locator("#quick-check-answer")
    answer.get_by_role("heading", name="1 member found").wait_for()
    assert page.url == url  # answered in place, by htmx
    row = answer.get_by_role("row").filter(has_text=member.member_id)
    expect(row.get_by_role("cell", name="Active")).to_be_visible()
    expect(page.get_by_text("Enter the date of birth to search by last name.")).to_be_hidden()
    assert_accessible(page, axe_source)

    # Someone in another broker's book: no match, nothing of theirs shown.
    outsider = live_cast.members[live_cast.other_employer_group.number]
    page.get_by_label("Member ID or last name").fill(outsider.member_id)
    page.get_by_label("Date of birth").fill("")
    page.get_by_role("button", name="Check Eligibility").click()
    answer.get_by_role("heading", name="No match").wait_for()
    assert outsider.first_name not in answer.inner_text()
    assert_accessible(page, axe_source)


def test_eligibility_lookup_hit_miss_and_bad_date(live_cast, page, axe_source):
    member = live_cast.members[live_cast.employer_groups[1].number]
    log_in(page, "staff@demo.test")
    page.goto("/brokers/eligibility/")
    assert (
        page.get_by_role("link", name="Eligibility Lookup").get_attribute("aria-current") == "page"
    )
    assert_accessible(page, axe_source)

    page.get_by_label("Member ID or last name").fill(member.last_name[:3])
    page.get_by_label("Date of birth").fill("02/30/1980")
    page.get_by_role("button", name="Check Eligibility").click()
    expect(page.get_by_text("Enter the date of birth as mm/dd/yyyy")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_label("Date of birth").fill(member.dob.strftime("%m/%d/%Y"))
    page.get_by_role("button", name="Check Eligibility").click()
    expect(page.get_by_role("heading", name=re.compile(r"\d+ members? found"))).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=member.member_id)).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_label("Member ID or last name").fill("Nobodyhere")
    page.get_by_role("button", name="Check Eligibility").click()
    expect(page.get_by_role("heading", name="No match")).to_be_visible()
    assert_accessible(page, axe_source)


def test_applications_filter_and_delegated_groups(live_cast, page, axe_source):
    code = access.broker_for(live_cast.broker).codes.get().code
    f.IFPApplicationFactory(
        broker_code=code,
        last_name="Pendingsworth",
        status=IFPApplication.Status.PENDING_INFORMATION,
        missing_information="Proof of residency",
    )
    f.IFPApplicationFactory(
        broker_code=code, last_name="Effectuado", status=IFPApplication.Status.EFFECTUATED
    )
    log_in(page, "broker@demo.test")
    page.goto("/brokers/eligibility/")
    page.get_by_role("link", name="Application Status").click()
    expect(page.get_by_text("2 applications found, displaying all.")).to_be_visible()
    expect(page.get_by_text(code).first).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_label("Status", exact=True).select_option(label="Pending information")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("1 application found, displaying all.").wait_for()
    assert "status=pending_info" in page.url
    expect(page.get_by_role("cell", name="Proof of residency")).to_be_visible()
    expect(page.get_by_text("Effectuado")).to_be_hidden()
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Group Billing & Enrollment").first.click()
    expect(page.get_by_role("heading", name="Group Billing & Enrollment")).to_be_visible()
    group = live_cast.employer_groups[0]
    row = page.get_by_role("row").filter(has_text=group.number)
    expect(row.get_by_text("Perform enrollment")).to_be_visible()
    assert_accessible(page, axe_source)
    row.get_by_role("link", name=group.name).click()
    assert f"/brokers/groups/{group.pk}/" in page.url
