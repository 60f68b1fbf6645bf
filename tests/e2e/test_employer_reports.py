"""Employer reports in a real browser: employer@ defines a custom report, runs it, watches its
progress, is notified (email and Recent Activity) and downloads the XLSX (read back with
openpyxl); then makes it weekly and beat fires it on its day with a frozen clock. A broker
granted reports reaches the same pages in the broker portal. axe on every page."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from employers.models import ReportDefinition
from employers.reporting import tasks as report_tasks
from employers.services import broker_access_grant
from portal.activity.models import Activity
from portal.jobs.models import ReportJob
from portal.jobs.tasks import run_report_job
from tests.cast import BILLING_AND_ENROLLMENT
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def queued(monkeypatch):
    """Jobs and notifications wait to be run by the test, as they would for a worker, so that
    the page shows the job queued and running."""
    notify = []
    monkeypatch.setattr(run_report_job, "delay", lambda *args, **kwargs: None)
    monkeypatch.setattr(report_tasks.report_ready_notify, "delay", notify.append)
    return notify


def test_define_run_follow_notify_download_then_recur(
    live_cast, page, axe_source, queued, tmp_path
):
    member = live_cast.members[live_cast.employer_groups[0].number]
    log_in(page, "employer@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Manage Accounts & Reports"
    ).click()
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.get_by_text("You have not set up any reports yet.")).to_be_visible()
    assert_accessible(page, axe_source)

    # Define a custom report: the default columns plus date of birth, active members only.
    page.get_by_role("link", name="Set up a custom report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up a report: Custom report")
    assert_accessible(page, axe_source)
    page.get_by_label("Report name").fill("Active members")
    page.get_by_label("Date of birth").check()
    page.get_by_label("Active", exact=True).check()
    page.get_by_label("Sort by").select_option(label="Last name")
    # A period before the two years a report may reach back: explained, nothing saved.
    page.get_by_label("Filter by date").select_option(label="Coverage started")
    page.get_by_label("Period").select_option(label="Dates I choose")
    page.get_by_label("First day").fill("01/01/2020")
    page.get_by_label("Last day").fill("01/31/2020")
    page.get_by_label("Email me when each report is ready").check()
    page.get_by_role("button", name="Save and run now").click()
    expect(page.get_by_role("alert")).to_contain_text("Reports reach back two years at most")
    assert not ReportDefinition.objects.exists()
    assert_accessible(page, axe_source)
    page.get_by_label("Filter by date").select_option(label="No date filter")
    page.get_by_label("Period").select_option(label="—")
    page.get_by_role("button", name="Save and run now").click()

    # The job's page: queued, then running, without a reload.
    expect(page.get_by_role("heading", level=1)).to_have_text("Custom report")
    progress = page.locator("progress#job-progress")
    expect(progress).to_have_attribute("value", "0")
    assert_accessible(page, axe_source)
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, progress=40)
    expect(progress).to_have_attribute("value", "40")
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.QUEUED)
    run_report_job.apply(args=[job.pk]).get()
    assert queued == [job.pk]
    report_tasks.report_ready_notify.apply(args=[job.pk]).get()
    link = page.get_by_role("link", name="Download")
    link.wait_for()
    expect(page.get_by_role("status").first).to_have_text("Your report is ready.")
    assert_accessible(page, axe_source)

    # Notified by email and in Recent Activity.
    assert [m.subject for m in mail.outbox if "Active members" in m.subject] == [
        f'{settings.CARRIER["short_name"]}: your report "Active members" is ready'
    ]
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    sheet = openpyxl.load_workbook(io.BytesIO(saved.read_bytes())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Group number",
        "Member ID",
        "Last name",
        "First name",
        "Date of birth",
        "Status",
    ]
    row = next(r for r in rows if r[1] == member.member_id)
    assert row[2:4] == [member.last_name, member.first_name] and row[5] == "Active"
    # (The employer dashboard shows no Recent Activity yet; the line is kept for it.)
    assert Activity.objects.filter(
        recipient=live_cast.employer, summary="Your custom report is ready to download."
    ).exists()

    # Make it weekly, on Mondays.
    page.goto("/employers/accounts-reports/reports/")
    page.get_by_role("link", name="Active members", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Active members")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Edit").click()
    assert_accessible(page, axe_source)
    page.get_by_label("Every week").check()
    page.get_by_label("Weekly, on").select_option(label="Monday")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed")).to_be_visible()
    definition = ReportDefinition.objects.get()
    monday = definition.next_run_on
    assert monday.weekday() == 0

    # Beat, with the clock frozen on that Monday, fires it once however often it runs.
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with time_machine.travel(datetime.datetime.combine(monday, datetime.time(7), tz), tick=False):
        report_tasks.run_due_report_definitions.apply().get()
        report_tasks.run_due_report_definitions.apply().get()
    assert ReportJob.objects.count() == 2
    recurring = ReportJob.objects.exclude(pk=job.pk).get()
    assert recurring.parameters["run_on"] == monday.isoformat()
    page.reload()
    expect(
        page.get_by_role("table", name="Files of this report, newest first").get_by_role("row")
    ).to_have_count(3)
    assert_accessible(page, axe_source)


def test_a_broker_granted_reports_uses_the_same_pages(live_cast, page, axe_source):
    group = live_cast.employer_groups[0]
    broker_access_grant(
        group=group,
        broker=live_cast.broker.broker,
        functions=[*BILLING_AND_ENROLLMENT, "run_reports"],
        by=live_cast.employer,
    )
    log_in(page, "broker@demo.test")
    page.goto("/brokers/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Enrollment roster").click()
    expect(page.get_by_label(group.number)).to_be_visible()
    expect(page.get_by_label(live_cast.employer_groups[1].number)).to_have_count(0)
    assert_accessible(page, axe_source)
