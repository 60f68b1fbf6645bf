"""Celery tasks that produce report files, and the periodic purge of expired ones.

A report task may be delivered more than once: the broker hands an unacknowledged message to
another worker when the first one dies (acks_late), or when the job outlives Redis's
visibility timeout. The task is therefore idempotent: it claims the job with a conditional
UPDATE, proves it is alive with a heartbeat, and finishes with a conditional UPDATE that only
the attempt holding the job can make (see services.py).
"""

import hashlib
import logging
import tempfile
import time

from celery import Task, shared_task
from django.core.files import File

from portal.jobs import registry, services
from portal.jobs.models import ReportJob

logger = logging.getLogger(__name__)

# Progress is written when the percentage moves, and at least this often as a heartbeat.
HEARTBEAT_SECONDS = 10
LOST_ACCESS_MESSAGE = "You no longer have access to this report, so it was not produced."


class JobSuperseded(Exception):
    """Another delivery of this task took the job over; this attempt's work is not wanted."""


class ReportTask(Task):
    """Base for tasks that take a ReportJob id: acknowledged only once the job is settled.

    With acks_late a worker killed mid-job leaves its message unacknowledged, so the job is
    delivered again; reject_on_worker_lost does the same when a prefork child dies.
    """

    acks_late = True
    reject_on_worker_lost = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        job_id = args[0] if args else kwargs.get("job_id")
        self.fail_job(job_id, exc, attempt=getattr(self.request, "report_attempt", None))

    def fail_job(self, job_id, exc, *, attempt):
        # Only a ReportError's message is meant for users; anything else may hold internals.
        message = str(exc) if isinstance(exc, registry.ReportError) else services.FAILED_MESSAGE
        if services.report_job_fail(job_id=job_id, message=message, attempt=attempt):
            logger.warning(
                "Report job %s failed on attempt %s: %s", job_id, attempt, type(exc).__name__
            )


class JobProgress:
    """The `progress(done, total)` callback given to a report: records the percentage and a
    heartbeat, and stops the report if another attempt has taken the job over."""

    def __init__(self, job_id, attempt):
        self.job_id = job_id
        self.attempt = attempt
        self.percent = None
        self.written_at = 0.0

    def __call__(self, done, total):
        percent = min(99, 100 * done // total) if total else 0
        now = time.monotonic()
        if percent == self.percent and now - self.written_at < HEARTBEAT_SECONDS:
            return
        if not services.report_job_heartbeat(
            job_id=self.job_id, attempt=self.attempt, progress=percent
        ):
            raise JobSuperseded
        self.percent, self.written_at = percent, now


@shared_task(bind=True, base=ReportTask)
def run_report_job(self, job_id):
    """Produce the file for one ReportJob, at most once however often this is delivered."""
    attempt = services.report_job_claim(job_id=job_id)
    if attempt is None:
        _check_again_later(self, job_id)
        return
    self.request.report_attempt = attempt
    try:
        _produce(job_id, attempt)
    except Exception as exc:
        # Celery skips on_failure when it runs tasks eagerly and propagates their errors (the
        # demo, the tests), so the job is marked failed here too.
        self.fail_job(job_id, exc, attempt=attempt)
        raise


def _produce(job_id, attempt):
    job = ReportJob.objects.select_related("requester").get(pk=job_id)
    logger.info("Report job %s (%s) attempt %s started", job.pk, job.kind, attempt)
    report = registry.get_report(job.kind, job.parameters)
    # Access is checked again here: it may have been revoked since the job was requested.
    if not report.is_available_to(job.requester):
        raise registry.ReportError(LOST_ACCESS_MESSAGE)

    storage = ReportJob._meta.get_field("file").storage
    with tempfile.TemporaryFile() as out:
        try:
            exported = report.generate(job, out, JobProgress(job.pk, attempt))
        except JobSuperseded:
            logger.info("Report job %s attempt %s was taken over; stopping", job.pk, attempt)
            return
        out.seek(0)
        sha256 = hashlib.file_digest(out, "sha256").hexdigest()
        out.seek(0)
        name = job.file.field.generate_filename(
            job, f"{job.kind}-{job.pk}-{attempt}.{report.extension}"
        )
        stored_name = storage.save(name, File(out))

    finished = services.report_job_finish(
        job=job,
        attempt=attempt,
        stored_name=stored_name,
        sha256=sha256,
        filename=report.filename(),
        exported=exported,
    )
    if finished:
        logger.info("Report job %s attempt %s done", job.pk, attempt)
    else:
        storage.delete(stored_name)
        logger.info("Report job %s attempt %s was taken over; file discarded", job.pk, attempt)


def _check_again_later(task, job_id):
    """A delivery that found the job busy in another worker looks again once that worker could
    have gone stale: if it dies after this message is acknowledged, no other message would
    bring the job back."""
    running = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).exists()
    if running and not task.request.is_eager:
        # retry() sends the same task to the same queue; it is not counted as a failure.
        raise task.retry(countdown=services.stale_after().total_seconds(), max_retries=None)


@shared_task
def purge_expired_jobs():
    """Run by celery beat: delete expired report files and long-expired jobs."""
    files, jobs = services.report_jobs_purge_expired()
    logger.info("Purged %s report files and %s expired jobs", files, jobs)
