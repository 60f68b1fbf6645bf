"""A report job as its requester sees it: the progress bar follows the job without a reload,
turns into a download link when the file is ready, and the download is the file."""

import hashlib

import pytest
from playwright.sync_api import expect

from portal.jobs.models import ReportJob
from portal.jobs.tasks import run_report_job
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e


def test_my_reports_starts_empty_and_says_so(live_cast, page, axe_source):
    log_in(page, "broker@demo.test")
    page.get_by_role("link", name="My reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.get_by_text("You have not asked for any reports yet.")).to_be_visible()
    assert_accessible(page, axe_source)


def test_progress_updates_in_place_and_becomes_a_download(live_cast, page, axe_source, tmp_path):
    group = live_cast.employer_groups[0]
    job = ReportJob.objects.create(
        requester=live_cast.broker, kind="group_roster_xlsx", parameters={"group": group.pk}
    )
    log_in(page, "broker@demo.test")
    page.goto(f"/jobs/{job.pk}/")
    progress = page.locator("progress#job-progress")
    assert progress.get_attribute("value") == "0"
    assert_accessible(page, axe_source)

    # The page polls: a change on the server shows up without a reload.
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, progress=40)
    # (expect() polls from Playwright's side; wait_for_function would need eval, which the CSP forbids.)
    expect(progress).to_have_attribute("value", "40")

    # Back to queued so that the real task claims it, as a worker would pick up a new job.
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.QUEUED)
    run_report_job.apply(args=[job.pk]).get()
    link = page.get_by_role("link", name="Download")
    link.wait_for()
    expect(page.get_by_role("status").first).to_have_text("Your report is ready.")
    assert_accessible(page, axe_source)

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    job.refresh_from_db()
    assert saved.name == job.filename
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == job.sha256
