"""Manage Enrollment in a real browser: employer@ enrolls an employee with a spouse and a child,
finds them by SSN, updates their information, changes their PCP, cancels the family through the
review (typing the last name), reinstates them, and moves them to COBRA without the child. Every
page is checked with axe-core."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enrollment.models import Member
from portal.dates import add_months
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import PlanFactory

pytestmark = pytest.mark.e2e


def test_a_family_is_enrolled_updated_cancelled_reinstated_and_moved_to_cobra(
    live_cast, page, axe_source
):
    group = live_cast.employer_groups[0]
    group.plans.add(PlanFactory(name="Silver PPO 2500/40"), PlanFactory(name="Gold PPO 1000/25"))
    today = timezone.localdate()
    effective = add_months(today, 1)
    log_in(page, "employer@demo.test")

    # Manage Enrollment: the search, and where to enroll.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Manage Enrollment"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Manage Enrollment")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name=f"Enroll in {group.number}").click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("Enroll an Employee"))
    ).to_be_visible()
    assert_accessible(page, axe_source)

    # Enroll: the employee, a spouse and a child.
    coverage = page.get_by_role("group", name="Coverage")
    coverage.get_by_label("Plan:", exact=True).select_option(label="PPO - Gold PPO 1000/25")
    coverage.get_by_label("Date of hire").fill((today - datetime.timedelta(days=40)).isoformat())
    coverage.get_by_label("Coverage effective date").fill(effective.isoformat())
    employee = page.get_by_role("group", name="Employee")
    employee.get_by_label("First name").fill("Marisol")
    employee.get_by_label("Last name").fill("Okonkwo")
    employee.get_by_label("Date of birth").fill("1984-07-09")
    employee.get_by_label("SSN").fill("512-34-7788")
    contact = page.get_by_role("group", name="Address and contact")
    contact.get_by_label("Street address").fill("18 Alder Way")
    contact.get_by_label("City").fill("Sacramento")
    contact.get_by_label("State").fill("CA")
    contact.get_by_label("ZIP code").fill("95814")
    spouse = page.get_by_role("group", name=re.compile("Dependent 1"))
    spouse.get_by_label("Relationship").select_option(label="Spouse")
    spouse.get_by_label("First name").fill("Chidi")
    spouse.get_by_label("Last name").fill("Okonkwo")
    spouse.get_by_label("Date of birth").fill("1983-02-11")
    child = page.get_by_role("group", name=re.compile("Dependent 2"))
    child.get_by_label("Relationship").select_option(label="Child")
    child.get_by_label("First name").fill("Ada")
    child.get_by_label("Last name").fill("Okonkwo")
    child.get_by_label("Date of birth").fill("2015-10-01")
    page.get_by_role("button", name="Enroll").click()

    expect(page.get_by_text("Marisol Okonkwo was enrolled with 2 dependent(s).")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="OKONKWO, MARISOL")).to_be_visible()
    family = page.get_by_role("region", name="Family and coverage")
    expect(family.get_by_role("row")).to_have_count(4)
    assert_accessible(page, axe_source)
    member_url = page.url

    # Found by SSN (through its digest), the results swapped in place.
    page.goto("/employers/enrollment/")
    search = page.get_by_role("search", name="Search employees")
    search.get_by_label("SSN").fill("512347788")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"ssn=512347788"))
    expect(page.get_by_text("1 employee found, displaying all.")).to_be_visible()
    page.get_by_role("columnheader", name="Name").get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=-name"))
    expect(page.locator("th[aria-sort=descending]")).to_have_text("Name")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Okonkwo, Marisol").click()

    # Update information.
    page.get_by_role("link", name="Update Information").click()
    assert_accessible(page, axe_source)
    page.get_by_label("Language (spoken)").fill("Igbo")
    page.get_by_label("Marital status").select_option(label="Married")
    page.get_by_role("button", name="Save Changes").click()
    expect(page.get_by_text("Marisol Okonkwo was updated.")).to_be_visible()
    expect(
        page.get_by_role("region", name="History").get_by_text("Information changed")
    ).to_be_visible()

    # Change PCP; a bad NPI is refused first.
    page.get_by_role("link", name="Change PCP").click()
    page.get_by_label("New PCP name").fill("Dr. Lena Hart")
    page.get_by_label("New PCP NPI").fill("12345")
    page.get_by_label("Effective date").fill(today.isoformat())
    page.get_by_role("button", name="Change PCP").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been changed.")
    assert_accessible(page, axe_source)
    page.get_by_label("New PCP NPI").fill("1234567893")
    page.get_by_role("button", name="Change PCP").click()
    expect(page.get_by_text("Marisol's PCP is now Dr. Lena Hart.")).to_be_visible()
    assert_accessible(page, axe_source)

    # Cancel: the review names the family, and wants the last name typed.
    end = effective + datetime.timedelta(days=27)
    page.get_by_role("link", name="Cancel Coverage").click()
    assert_accessible(page, axe_source)
    page.get_by_label("Last day of coverage").fill(end.isoformat())
    page.get_by_label("Reason").select_option(label="Employment ended")
    page.get_by_role("button", name="Review Cancellation").click()
    expect(page.get_by_text("3 people lose coverage after")).to_be_visible()
    for name in ("Marisol Okonkwo", "Chidi Okonkwo", "Ada Okonkwo"):
        expect(page.get_by_role("cell", name=name)).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Type the employee's last name to confirm").fill("Okonkwa")
    page.get_by_role("button", name="Cancel Coverage").click()
    expect(page.get_by_text("Type Okonkwo exactly")).to_be_visible()
    assert Member.objects.filter(last_name="Okonkwo", status="cancelled").count() == 0
    assert_accessible(page, axe_source)
    page.get_by_label("Type the employee's last name to confirm").fill("Okonkwo")
    page.get_by_role("button", name="Cancel Coverage").click()
    expect(page.get_by_text(re.compile("Coverage ends on .* for Marisol Okonkwo"))).to_be_visible()
    assert Member.objects.filter(last_name="Okonkwo", status="cancelled").count() == 3
    assert_accessible(page, axe_source)

    # Reinstate: everything as it was, nothing to type.
    page.get_by_role("link", name="Reinstate Coverage").click()
    expect(page.get_by_role("cell", name="Ada Okonkwo")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Reinstate Coverage").click()
    expect(
        page.get_by_text(re.compile("Coverage was reinstated for Marisol Okonkwo"))
    ).to_be_visible()
    assert Member.objects.filter(last_name="Okonkwo", status="active").count() == 3
    assert Member.objects.get(first_name="Marisol").pcp_name == "Dr. Lena Hart"

    # The other change pages pass axe too: Change Plan, Add a Dependent, a dependent's page.
    page.goto(member_url)
    page.get_by_role("link", name="Change Plan").click()
    expect(page.get_by_label("New plan:", exact=True)).to_contain_text("Silver PPO 2500/40")
    assert_accessible(page, axe_source)
    page.goto(member_url)
    page.get_by_role("link", name="Add a Dependent").click()
    assert_accessible(page, axe_source)
    page.goto(member_url)
    page.get_by_role("region", name="Family and coverage").get_by_role(
        "link", name="Ada Okonkwo"
    ).click()
    expect(page.get_by_role("heading", level=1, name="OKONKWO, ADA")).to_be_visible()
    assert_accessible(page, axe_source)

    # COBRA: the employee and spouse continue; the child's coverage ends.
    page.goto(member_url)
    page.get_by_role("link", name="Transition to COBRA").click()
    assert_accessible(page, axe_source)
    page.get_by_label("Qualifying event:", exact=True).select_option(label="End of employment")
    page.get_by_label("Date of the qualifying event").fill(end.isoformat())
    page.get_by_label("Last day of employer coverage").fill(end.isoformat())
    page.get_by_role("group", name="Who continues on COBRA").get_by_label(
        re.compile("Ada")
    ).uncheck()
    page.get_by_role("button", name="Move to COBRA").click()
    expect(
        page.get_by_text(re.compile("COBRA continuation starts on .* for 2 member"))
    ).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="COBRA")).to_have_count(1)
    history = page.get_by_role("region", name="History")
    for kind in (
        "Enrolled",
        "Information changed",
        "PCP changed",
        "Cancelled",
        "Reinstated",
        "Moved to COBRA",
    ):
        expect(history.get_by_role("cell", name=kind, exact=True)).to_be_visible()
    assert_accessible(page, axe_source)
    statuses = dict(Member.objects.filter(last_name="Okonkwo").values_list("first_name", "status"))
    assert statuses == {"Marisol": "cobra", "Chidi": "cobra", "Ada": "cancelled"}


def test_a_group_administrator_sees_and_changes_only_their_suffix(live_cast, page, axe_source):
    own = live_cast.members[live_cast.employer_groups[0].number]
    sibling = live_cast.members[live_cast.employer_groups[1].number]
    log_in(page, "groupadmin@demo.test")

    page.goto("/employers/enrollment/")
    expect(page.get_by_text("1 employee found, displaying all.")).to_be_visible()
    expect(page.get_by_role("link", name=f"{own.last_name}, {own.first_name}")).to_be_visible()
    expect(
        page.get_by_role(
            "link", name=re.compile(f"Enroll in {live_cast.employer_groups[0].number}")
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Enroll in .*0002"))).to_have_count(0)
    assert_accessible(page, axe_source)
    assert page.goto(f"/employers/enrollment/members/{sibling.pk}/").status == 404
    assert page.goto(f"/employers/enrollment/members/{sibling.pk}/cancel/").status == 404
    assert page.goto(f"/employers/enrollment/members/{own.pk}/cancel/").ok
