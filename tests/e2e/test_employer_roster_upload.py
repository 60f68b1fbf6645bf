"""The roster upload in a real browser: a file with problems gives the report on the page and
as a download and enrolls nothing; the corrected file is enrolled by its job. Every page state
is checked with axe-core."""

import csv
import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enrollment.models import Member
from portal.jobs.models import ReportJob
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e

HEADER = (
    "relationship,employee_ssn,ssn,first_name,last_name,dob,gender,plan_code,hire_date,"
    "effective_date"
)


def roster(*lines):
    return {
        "name": "roster.csv",
        "mimeType": "text/csv",
        "buffer": "\n".join([HEADER, *lines]).encode(),
    }


def test_a_roster_with_problems_then_a_clean_one(live_cast, page, axe_source, tmp_path):
    group = live_cast.employer_groups[0]
    group.plans.add(f.PlanFactory(code="GOLD500"))
    today = timezone.localdate()
    start = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    day = start.strftime("%m/%d/%Y")
    hired = (start - datetime.timedelta(days=90)).strftime("%m/%d/%Y")
    employee = f"subscriber,123-45-6789,,Ada,Lovelace,1985-12-10,F,GOLD500,{hired},{day}"
    members_before = Member.objects.count()
    log_in(page, "employer@demo.test")

    page.goto("/employers/enrollment/roster/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster upload")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name=group.number).click()
    expect(page.get_by_role("link", name="CSV template")).to_be_visible()
    assert_accessible(page, axe_source)

    # A file with problems: a bad plan and a child whose employee is nowhere.
    page.get_by_label("Roster file (.xlsx or .csv)").set_input_files(
        roster(
            employee.replace("GOLD500", "BRONZE"),
            "child,567-89-0123,,Lost,Child,2016-01-01,,,,",
        )
    )
    page.get_by_role("button", name="Check and enroll").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was enrolled: roster.csv has 2")
    table = page.get_by_role("table", name="Problems by row")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table).to_contain_text("does not offer plan BRONZE")
    assert_accessible(page, axe_source)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the list of problems (CSV)").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    rows = list(csv.reader(saved.open(encoding="utf-8")))
    assert [row[:2] for row in rows] == [
        ["Row", "Column"],
        ["2", "plan_code"],
        ["3", "employee_ssn"],
    ]
    assert Member.objects.count() == members_before

    # A hostile file is refused on the upload page itself.
    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Roster file (.xlsx or .csv)").set_input_files(
        {"name": "roster.xlsx", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n"}
    )
    page.get_by_role("button", name="Check and enroll").click()
    expect(page.get_by_role("alert")).to_contain_text("The file is a PDF document")
    assert_accessible(page, axe_source)

    # The corrected file: enrolled by its job (run in-process here), then the outcome.
    page.get_by_label("Roster file (.xlsx or .csv)").set_input_files(
        roster(employee, "child,123-45-6789,,Byron,Lovelace,2015-03-04,,,,")
    )
    page.get_by_role("button", name="Check and enroll").click()
    expect(page.get_by_role("status")).to_have_text("Done: 2 members enrolled.")
    assert_accessible(page, axe_source)
    ada = Member.objects.get(group=group, first_name="Ada", last_name="Lovelace")
    assert [m.first_name for m in ada.dependents.all()] == ["Byron"]
    assert ReportJob.objects.get(kind="employer_roster_upload").status == "done"


def test_the_job_page_follows_the_job_without_a_reload(live_cast, page, axe_source):
    group = live_cast.employer_groups[0]
    job = ReportJob.objects.create(
        requester=live_cast.employer,
        kind="employer_roster_upload",
        parameters={"group": group.pk, "upload": "", "filename": "big-roster.xlsx"},
    )
    log_in(page, "employer@demo.test")
    page.goto(f"/employers/enrollment/roster/jobs/{job.pk}/")
    progress = page.locator("progress#job-progress")
    assert progress.get_attribute("value") == "0"
    assert_accessible(page, axe_source)

    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, progress=40)
    expect(progress).to_have_attribute("value", "40")

    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.FAILED, error="Nothing was enrolled. Row 7: a test failure."
    )
    expect(page.get_by_role("alert")).to_have_text("Nothing was enrolled. Row 7: a test failure.")
    assert_accessible(page, axe_source)
