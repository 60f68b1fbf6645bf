import datetime
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import remove_perm

from portal.audit.models import AuditEvent
from portal.jobs import services
from portal.jobs.models import ReportJob
from portal.jobs.registry import XLSX
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_job(broker, roster_group, report_storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_job_request(
            user=broker, kind="group_roster_xlsx", parameters={"group": roster_group.pk}
        )
    job.refresh_from_db()
    assert job.status == "done"
    return job


@pytest.fixture
def running_job(broker, roster_group):
    return f.ReportJobFactory(
        requester=broker,
        parameters={"group": roster_group.pk},
        status="running",
        progress=40,
        attempts=1,
        heartbeat_at=timezone.now(),
    )


def downloads(job):
    return AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, object_id=str(job.pk))


def test_detail_page_polls_while_the_job_runs(client, broker, running_job):
    client.force_login(broker)

    response = client.get(reverse("jobs:job-detail", args=[running_job.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Subscriber list</h1>" in content
    assert f'hx-get="{reverse("jobs:job-status", args=[running_job.pk])}"' in content
    assert 'hx-trigger="every 1s"' in content
    assert '<progress id="job-progress" max="100" value="40">' in content
    assert 'role="status"' in content


def test_status_partial_polls_while_running_and_stops_when_done(client, broker, running_job):
    client.force_login(broker)
    url = reverse("jobs:job-status", args=[running_job.pk])

    running = client.get(url, headers={"HX-Request": "true"}).content.decode()
    ReportJob.objects.filter(pk=running_job.pk).update(
        status="done", progress=100, file="2026/11/r.xlsx", filename="r.xlsx"
    )
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert running.lstrip().startswith('<section id="job-status"')
    assert "<html" not in running
    assert 'hx-trigger="every 1s"' in running and 'value="40"' in running
    assert "hx-trigger" not in done and "hx-get" not in done
    assert "<progress" not in done
    assert "Your report is ready." in done
    assert reverse("jobs:job-download", args=[running_job.pk]) in done


def test_failed_job_shows_its_message_and_stops_polling(client, broker, running_job):
    client.force_login(broker)
    services.report_job_fail(job_id=running_job.pk, message=services.FAILED_MESSAGE)

    content = client.get(reverse("jobs:job-status", args=[running_job.pk])).content.decode()

    assert "hx-trigger" not in content
    assert 'role="alert"' in content and "could not be produced" in content


def test_requester_downloads_the_file_and_it_is_audited(client, broker, done_job):
    client.force_login(broker)

    response = client.get(reverse("jobs:job-download", args=[done_job.pk]))

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="{done_job.filename}"'
    assert response["Cache-Control"] == "private, no-store"
    assert hashlib.sha256(body).hexdigest() == done_job.sha256
    event = downloads(done_job).get()
    assert (event.user, event.object_type, event.path) == (
        broker,
        "jobs.ReportJob",
        f"/jobs/{done_job.pk}/download",
    )


@pytest.mark.parametrize("name", ["job-detail", "job-status", "job-download"])
def test_outsider_gets_404(client, outsider, done_job, name):
    client.force_login(outsider)

    response = client.get(reverse(f"jobs:{name}", args=[done_job.pk]))

    assert response.status_code == 404
    assert not downloads(done_job).exists()


def test_requester_who_lost_access_cannot_download(client, broker, roster_group, done_job):
    remove_perm("enrollment.view_roster", broker, roster_group)
    client.force_login(broker)

    response = client.get(reverse("jobs:job-download", args=[done_job.pk]))

    assert response.status_code == 404
    assert not downloads(done_job).exists()


def test_expired_file_gets_a_clear_message(client, broker, done_job):
    ReportJob.objects.filter(pk=done_job.pk).update(expires_at=timezone.now())
    client.force_login(broker)

    response = client.get(reverse("jobs:job-download", args=[done_job.pk]))

    assert response.status_code == 410
    assert "This report has expired" in response.content.decode()
    assert not downloads(done_job).exists()


def test_purged_file_gets_a_clear_message(client, broker, done_job):
    ReportJob.objects.filter(pk=done_job.pk).update(expires_at=timezone.now())
    services.report_jobs_purge_expired()
    ReportJob.objects.filter(pk=done_job.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    client.force_login(broker)

    response = client.get(reverse("jobs:job-download", args=[done_job.pk]))

    assert response.status_code == 410
    assert "This report has expired" in response.content.decode()


def test_missing_file_gets_a_clear_message(client, broker, done_job, report_storage):
    report_storage.delete(done_job.file.name)
    client.force_login(broker)

    response = client.get(reverse("jobs:job-download", args=[done_job.pk]))

    assert response.status_code == 404
    assert "This report file is not available" in response.content.decode()


def test_unfinished_job_cannot_be_downloaded(client, broker, running_job):
    client.force_login(broker)

    response = client.get(reverse("jobs:job-download", args=[running_job.pk]))

    assert response.status_code == 404
    assert "It is still being prepared." in response.content.decode()


def test_job_list_shows_only_the_users_own_jobs_newest_first(client, broker, outsider):
    older = f.ReportJobFactory(requester=broker)
    newer = f.ReportJobFactory(requester=broker)
    f.ReportJobFactory(requester=outsider)
    client.force_login(broker)

    response = client.get(reverse("jobs:job-list"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [newer, older]


def test_job_list_is_paginated(client, broker, django_assert_max_num_queries):
    for _ in range(30):
        f.ReportJobFactory(requester=broker)
    client.force_login(broker)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("jobs:job-list"), {"page": 2})

    assert len(response.context["page"].object_list) == 5
    assert "Page 2 of 2" in response.content.decode()


def test_request_a_roster_export(
    client, broker, roster_group, report_storage, django_capture_on_commit_callbacks
):
    client.force_login(broker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("jobs:job-create"), {"kind": "group_roster_xlsx", "group": roster_group.pk}
        )

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    assert (job.requester, job.status) == (broker, "done")


def test_request_for_a_group_the_user_cannot_see_is_404(client, outsider, roster_group):
    client.force_login(outsider)

    response = client.post(
        reverse("jobs:job-create"), {"kind": "group_roster_xlsx", "group": roster_group.pk}
    )

    assert response.status_code == 404
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"kind": "group_roster_xlsx"}, 400),
        ({"kind": "group_roster_xlsx", "group": "x"}, 400),
        ({"kind": "group_roster_xlsx", "group": "999999"}, 404),
        ({"kind": "nope", "group": "1"}, 404),
    ],
)
def test_bad_report_requests_are_refused(client, broker, data, status):
    client.force_login(broker)

    response = client.post(reverse("jobs:job-create"), data)

    assert response.status_code == status
    assert not ReportJob.objects.exists()


def test_report_request_must_be_a_post(client, broker):
    client.force_login(broker)

    assert client.get(reverse("jobs:job-create")).status_code == 405


def test_anonymous_user_is_sent_to_login(client, done_job):
    response = client.get(reverse("jobs:job-download", args=[done_job.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
