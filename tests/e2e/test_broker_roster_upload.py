"""A broker uploads a roster on the employer's behalf, in a real browser: broker@, whose office
employer@ granted perform_enrollment on a group, goes from Group Billing & Enrollment to the
group's Roster upload, uploads a small roster and sees it enrolled; the enrollment records both
parties. Every page is checked with axe-core."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enrollment.models import EnrollmentEvent, Member
from portal.jobs.models import ReportJob
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e

HEADER = (
    "relationship,employee_ssn,ssn,first_name,last_name,dob,gender,plan_code,hire_date,"
    "effective_date"
)


def test_a_broker_uploads_a_roster_for_a_granted_group_and_sees_it_enrolled(
    live_cast, page, axe_source
):
    group = live_cast.employer_groups[0]
    employer = group.parent.employer
    group.plans.add(f.PlanFactory(code="GOLD500"))
    start = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    hired = (start - datetime.timedelta(days=90)).strftime("%m/%d/%Y")
    lines = [
        f"subscriber,123-45-6789,,Ada,Lovelace,1985-12-10,F,GOLD500,{hired},{start:%m/%d/%Y}",
        "child,123-45-6789,,Byron,Lovelace,2015-03-04,,,,",
    ]
    log_in(page, "broker@demo.test")

    # From Group Billing & Enrollment to the group's Roster upload.
    page.goto("/brokers/eligibility/group-billing-enrollment/")
    expect(page.get_by_role("heading", level=2, name="Group Billing & Enrollment")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name=f"Upload a roster to {group.number}").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Upload a roster"))).to_be_visible()
    expect(page.get_by_text(f"on behalf of {employer.name} (broker ")).to_be_visible()
    assert_accessible(page, axe_source)

    # The roster: an employee and their child, enrolled by the job (run in-process here).
    page.get_by_label("Roster file (.xlsx or .csv)").set_input_files(
        {
            "name": "roster.csv",
            "mimeType": "text/csv",
            "buffer": "\n".join([HEADER, *lines]).encode(),
        }
    )
    page.get_by_role("button", name="Check and enroll").click()
    expect(page.get_by_role("status")).to_have_text("Done: 2 members enrolled.")
    assert "/brokers/enrollment/roster/jobs/" in page.url
    assert_accessible(page, axe_source)

    # The group list, reached from the breadcrumbs, is the broker's.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Roster upload"
    ).click()
    expect(page.get_by_role("link", name=group.number)).to_be_visible()
    expect(page.get_by_role("link", name=live_cast.employer_groups[2].number)).to_have_count(0)
    assert_accessible(page, axe_source)

    ada = Member.objects.get(group=group, first_name="Ada", last_name="Lovelace")
    assert [m.first_name for m in ada.dependents.all()] == ["Byron"]
    events = EnrollmentEvent.objects.filter(member__in=[ada, *ada.dependents.all()])
    assert {e.by for e in events} == {live_cast.broker}
    assert all(e.on_behalf_of.startswith(f"{employer.name} (broker ") for e in events)
    assert ReportJob.objects.get(kind="employer_roster_upload").requester == live_cast.broker
