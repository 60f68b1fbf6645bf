import datetime
import hashlib
import os

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from guardian.shortcuts import remove_perm
from openpyxl import load_workbook

from enrollment.reports import GroupRosterReport
from portal.audit.models import AuditEvent
from portal.jobs import services
from portal.jobs.models import ReportJob
from portal.jobs.tasks import LOST_ACCESS_MESSAGE, JobProgress, JobSuperseded, run_report_job
from tests import factories as f

pytestmark = pytest.mark.django_db


def request_roster(user, group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_job_request(
            user=user, kind="group_roster_xlsx", parameters={"group": str(group.pk)}
        )
    job.refresh_from_db()
    return job


def exports(job):
    return AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, path=f"/jobs/{job.pk}/")


def test_roster_job_runs_end_to_end(
    broker, roster_group, report_storage, django_capture_on_commit_callbacks
):
    # when
    job = request_roster(broker, roster_group, django_capture_on_commit_callbacks)

    # then the job is done, once, with a file whose digest is recorded
    assert (job.status, job.progress, job.attempts, job.error) == ("done", 100, 1, "")
    assert job.parameters == {"group": roster_group.pk}
    assert job.filename.startswith(f"subscriber-list-{roster_group.number}-")
    with job.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == job.sha256
    assert job.finished_at is not None and job.heartbeat_at is not None

    # and the workbook lists each family together, without SSNs, formulas kept as text
    sheet = load_workbook(job.file.path, read_only=True).active
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0] == tuple(GroupRosterReport.headers)
    assert [row[0] for row in rows[1:]] == ["M000000003", "M000000001", "M000000002"]
    assert rows[2][:4] == ("M000000001", "Avila", "Rosa", "Subscriber")
    assert rows[3][3] == "Child"
    assert rows[2][6] == "PPO123 Silver PPO 2500"
    assert rows[1][1] == '=HYPERLINK("http://evil.example")'
    assert b"6789" not in data

    # and the export is audited: the group and each member, once
    audited = sorted(exports(job).values_list("object_type", "object_id"))
    member_ids = [
        str(pk) for pk in roster_group.members.order_by("pk").values_list("pk", flat=True)
    ]
    assert audited == [("enrollment.Group", str(roster_group.pk))] + [
        ("enrollment.Member", pk) for pk in member_ids
    ]
    assert set(exports(job).values_list("user", flat=True)) == {broker.pk}


def test_request_needs_roster_permission(outsider, roster_group):
    with pytest.raises(PermissionDenied):
        services.report_job_request(
            user=outsider, kind="group_roster_xlsx", parameters={"group": roster_group.pk}
        )
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("parameters", [{}, {"group": "abc"}, {"group": None}, {"group": "-1"}])
def test_request_with_unusable_parameters_is_refused(broker, parameters):
    with pytest.raises(ValueError):
        services.report_job_request(user=broker, kind="group_roster_xlsx", parameters=parameters)


def test_request_for_unknown_kind_is_refused(broker):
    with pytest.raises(LookupError):
        services.report_job_request(user=broker, kind="no_such_report", parameters={})


def test_double_click_returns_the_pending_job(broker, roster_group):
    # given a request whose task has not run yet (no on_commit in a test transaction)
    first = services.report_job_request(
        user=broker, kind="group_roster_xlsx", parameters={"group": roster_group.pk}
    )

    # when the same request comes again
    second = services.report_job_request(
        user=broker, kind="group_roster_xlsx", parameters={"group": str(roster_group.pk)}
    )

    # then
    assert second == first
    assert ReportJob.objects.count() == 1


def test_second_delivery_of_a_finished_job_does_nothing(
    broker, roster_group, report_storage, django_capture_on_commit_callbacks
):
    job = request_roster(broker, roster_group, django_capture_on_commit_callbacks)
    audit_rows = exports(job).count()

    run_report_job.delay(job.pk)

    again = ReportJob.objects.get(pk=job.pk)
    assert (again.status, again.attempts, again.sha256, again.file.name) == (
        "done",
        1,
        job.sha256,
        job.file.name,
    )
    assert exports(job).count() == audit_rows
    assert len(os.listdir(os.path.dirname(job.file.path))) == 1


def test_delivery_while_another_worker_runs_the_job_does_nothing(broker, roster_group):
    now = timezone.now()
    job = f.ReportJobFactory(
        requester=broker,
        parameters={"group": roster_group.pk},
        status="running",
        attempts=1,
        heartbeat_at=now,
        started_at=now,
    )

    run_report_job.delay(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)
    assert not exports(job).exists()


def test_running_job_with_a_stale_heartbeat_is_taken_over(broker, roster_group, report_storage):
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    job = f.ReportJobFactory(
        requester=broker,
        parameters={"group": roster_group.pk},
        status="running",
        attempts=1,
        progress=40,
        heartbeat_at=long_ago,
        started_at=long_ago,
    )

    run_report_job.delay(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == ("done", 2, 100)
    assert job.file.name.endswith(f"-{job.pk}-2.xlsx")


def test_attempt_that_was_taken_over_cannot_finish(broker, roster_group):
    job = f.ReportJobFactory(requester=broker, parameters={"group": roster_group.pk})
    first = services.report_job_claim(job_id=job.pk)
    # another delivery takes the job over, as after a stale heartbeat
    ReportJob.objects.filter(pk=job.pk).update(attempts=2)

    with pytest.raises(JobSuperseded):
        JobProgress(job.pk, first)(1, 10)
    finished = services.report_job_finish(
        job=job, attempt=first, stored_name="x.xlsx", sha256="0" * 64, filename="x", exported={}
    )

    job.refresh_from_db()
    assert finished is False
    assert (job.status, job.file.name) == ("running", "")


def test_job_that_wore_out_its_attempts_fails(broker, roster_group):
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    job = f.ReportJobFactory(
        requester=broker,
        parameters={"group": roster_group.pk},
        status="running",
        attempts=services.MAX_ATTEMPTS,
        heartbeat_at=long_ago,
    )

    run_report_job.delay(job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", services.GAVE_UP_MESSAGE)


def test_failure_tells_the_user_in_plain_words(
    broker, roster_group, monkeypatch, django_capture_on_commit_callbacks
):
    def explode(self, job, out, progress):
        raise RuntimeError("Avila 123-45-6789 Traceback")

    monkeypatch.setattr(GroupRosterReport, "generate", explode)

    job = request_roster(broker, roster_group, django_capture_on_commit_callbacks)

    assert (job.status, job.error) == ("failed", services.FAILED_MESSAGE)
    assert job.finished_at is not None
    assert not exports(job).exists()


def test_access_revoked_before_the_job_runs_fails_it(broker, roster_group):
    job = services.report_job_request(
        user=broker, kind="group_roster_xlsx", parameters={"group": roster_group.pk}
    )
    remove_perm("enrollment.view_roster", broker, roster_group)
    broker = type(broker).objects.get(pk=broker.pk)  # no cached permissions

    with pytest.raises(Exception, match="no longer have access"):
        run_report_job.delay(job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", LOST_ACCESS_MESSAGE)


def test_purge_deletes_expired_files_and_old_jobs(broker, report_storage):
    # given
    now = timezone.now()
    fresh = f.ReportJobFactory(requester=broker, status="done", file="2026/11/fresh.xlsx")
    expired = f.ReportJobFactory(
        requester=broker, status="done", file="2026/11/expired.xlsx", expires_at=now
    )
    ancient = f.ReportJobFactory(
        requester=broker,
        status="done",
        file="2026/11/ancient.xlsx",
        expires_at=now - datetime.timedelta(days=90),
    )
    stuck = f.ReportJobFactory(requester=broker, status="running", expires_at=now)
    for name in ["fresh", "expired", "ancient", "stray", "new-stray"]:
        report_storage.save(f"2026/11/{name}.xlsx", __import__("io").BytesIO(b"x"))
    old = (now - datetime.timedelta(days=60)).timestamp()
    os.utime(report_storage.path("2026/11/stray.xlsx"), (old, old))

    # when
    files, jobs = services.report_jobs_purge_expired()

    # then
    assert (files, jobs) == (3, 1)
    assert sorted(report_storage.listdir("2026/11")[1]) == ["fresh.xlsx", "new-stray.xlsx"]
    fresh.refresh_from_db()
    expired.refresh_from_db()
    stuck.refresh_from_db()
    assert fresh.file.name == "2026/11/fresh.xlsx"
    assert expired.file.name == ""
    assert stuck.status == "failed"
    assert not ReportJob.objects.filter(pk=ancient.pk).exists()
