"""A real Celery worker is killed in the middle of a report job, and the job still completes,
exactly once.

How the job comes back: the task is acks_late, so the killed worker's message stays in Redis's
"unacked" set. kombu's Redis transport puts such a message back on its queue once it is older
than the visibility timeout, during the sweeps a worker makes at start-up and then periodically
(every unacked_restore_interval x unacked_restore_throttle seconds: 100 s by default, 1 s in
tests/jobs/worker_settings.py). The second worker picks it up, finds the job "running" with a
stale heartbeat, claims it as attempt 2 and finishes it.

Needs Redis and PostgreSQL (the worker is another process, so it must share a real database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/pytest tests/jobs -m celery_worker

Every run uses its own queue. The low visibility timeout applies to Redis's shared "unacked"
set, so do not point this test at a Redis that real workers use.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from guardian.shortcuts import assign_perm
from redis import Redis

from portal.audit.models import AuditEvent
from portal.celery import app as celery_app
from portal.jobs import services
from portal.jobs.models import ReportJob
from tests import factories as f
from tests.jobs import slow_report

REDIS_URL = os.environ.get("REDIS_URL", "")
MEMBERS = 40
VISIBILITY_TIMEOUT = 5
CELERY = str(Path(sys.executable).with_name("celery"))

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not REDIS_URL, reason="needs a Redis broker: set REDIS_URL"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the worker process needs a shared database: set DATABASE_URL to PostgreSQL",
    ),
]


def database_url():
    """The URL of the test database this test process is using, for the worker."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, *, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


class Workers:
    """Starts Celery workers on one queue, each in its own process group, and stops them all."""

    def __init__(self, *, queue, var_dir, log_dir):
        self.queue = queue
        self.log_dir = log_dir
        self.processes = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.jobs.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": REDIS_URL,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "PORTAL_VAR_DIR": str(var_dir),
        }

    def start(self):
        number = len(self.processes) + 1
        # Closed in stop_all(), once the worker has exited.
        log = open(self.log_dir / f"worker{number}.log", "wb")
        process = subprocess.Popen(
            [
                CELERY,
                *"-A portal worker --pool=solo --concurrency=1 --loglevel=INFO".split(),
                *"--without-gossip --without-mingle --without-heartbeat".split(),
                *["-Q", self.queue, "-n", f"{self.queue}-{number}@%h"],
                *["--include", slow_report.__name__],
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log = log
        self.processes.append(process)
        return process

    def kill(self, process):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill(process)
            process.log.close()

    def logs(self):
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.log_dir.glob("worker*.log"))
        )


@pytest.fixture
def queue(settings):
    """A queue of this test's own, that report tasks are sent to and workers listen on."""
    name = f"test-jobs-{uuid.uuid4().hex[:12]}"
    redis = Redis.from_url(REDIS_URL)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous_routes = celery_app.conf.task_routes
    celery_app.conf.update(task_routes={"portal.jobs.tasks.run_report_job": {"queue": name}})
    yield name
    celery_app.conf.update(task_routes=previous_routes)
    redis.delete(*redis.keys(f"*{name}*") or [name])


@pytest.mark.django_db(transaction=True)
def test_killed_worker_mid_job_still_completes_exactly_once(queue, tmp_path, report_storage):
    # given a group roster slow enough to be caught half-way
    group = f.GroupFactory()
    f.MemberFactory.create_batch(MEMBERS, group=group)
    broker = f.UserFactory()
    assign_perm("enrollment.view_roster", broker, group)
    assert celery_app.conf.task_always_eager is False
    # The worker's reports folder ($PORTAL_VAR_DIR/reports) is the one this test reads.
    assert report_storage.location == str(tmp_path / "reports")
    workers = Workers(queue=queue, var_dir=tmp_path, log_dir=tmp_path)
    try:
        first = workers.start()
        job = services.report_job_request(
            user=broker, kind=slow_report.SlowRosterReport.kind, parameters={"group": group.pk}
        )

        # when the worker is killed half-way through
        wait_for(
            lambda: ReportJob.objects.filter(pk=job.pk, progress__gte=10).exists(),
            timeout=30,
            what="the first worker to make progress",
        )
        workers.kill(first)
        killed = ReportJob.objects.get(pk=job.pk)
        assert (killed.status, killed.attempts) == ("running", 1)
        assert killed.progress < 100

        # and another worker comes up
        workers.start()
        wait_for(
            lambda: ReportJob.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(),
            timeout=45,
            what="the second worker to finish the job",
        )
    except AssertionError:
        workers.stop_all()
        print(workers.logs())
        raise
    finally:
        workers.stop_all()

    # then it completed exactly once, on the second attempt
    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts, job.error) == ("done", 100, 2, "")
    assert job.file.name.endswith(f"-{job.pk}-2.xlsx")
    data = Path(job.file.path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == job.sha256
    stored = [path for path in (tmp_path / "reports").rglob("*") if path.is_file()]
    assert stored == [Path(job.file.path)]
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, path=f"/jobs/{job.pk}/")
    assert exports.filter(object_type="enrollment.Group").count() == 1
    assert exports.filter(object_type="enrollment.Member").count() == MEMBERS
    assert services.report_job_claim(job_id=job.pk) is None
