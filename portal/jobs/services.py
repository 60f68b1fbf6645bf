"""Writes for report jobs: request one, and the state changes its task makes as it runs.

Every change of a job's state is a conditional UPDATE, so that two deliveries of the same task
message (a worker killed mid-job, Redis redelivering after its visibility timeout) can never
both finish the job: the one that claimed it last holds `attempts` as its token, and only that
attempt's writes match.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from portal.activity.services import activity_record
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record_for_user
from portal.jobs import registry
from portal.jobs.models import ReportJob

# A worker that died for the third time on the same job is not going to do better a fourth time
# (a report too big for its memory, say); the job fails instead of taking workers down forever.
MAX_ATTEMPTS = 3
# Expired jobs lose their file at once, and stay listed as expired for this long.
EXPIRED_JOBS_KEPT_FOR = timedelta(days=30)
# Export audit rows are inserted this many at a time (see report_job_finish).
AUDIT_ROWS_PER_INSERT = 5000

FAILED_MESSAGE = (
    "The report could not be produced. Please try again; if it keeps failing, call support."
)
GAVE_UP_MESSAGE = "The report could not be produced after several attempts. Please call support."

Status = ReportJob.Status


def stale_after():
    """How long a running job may go without a heartbeat before its worker is presumed dead.

    Long enough for the slowest step that cannot report progress (rendering a long PDF).
    """
    return timedelta(seconds=getattr(settings, "REPORT_JOB_STALE_SECONDS", 300))


def report_job_request(*, user, kind, parameters):
    """Create a report job for `user` and queue its task once the transaction commits.

    Raises LookupError for an unknown kind, ValueError for unusable parameters and
    PermissionDenied if the user may not have this report.

    Idempotent in the way a double click needs: while the user already has the same report
    (kind and parameters) queued or running, that job is returned rather than a second one
    created. Two requests that race each other can still both create a job; both then run,
    which costs a little work and nothing else.
    """
    # The tasks module imports this one.
    from portal.jobs.tasks import run_report_job

    report_class = registry.get_report_class(kind)
    parameters = report_class.clean_parameters(parameters)
    if not report_class(parameters).is_available_to(user):
        raise PermissionDenied
    with transaction.atomic():
        pending = ReportJob.objects.filter(
            requester=user,
            kind=kind,
            parameters=parameters,
            status__in=[Status.QUEUED, Status.RUNNING],
        ).first()
        if pending is not None:
            return pending
        job = ReportJob.objects.create(requester=user, kind=kind, parameters=parameters)
        # robust: a broker that is down must not turn the user's request into an error page.
        # The job then stays queued, and asking again queues it afresh.
        transaction.on_commit(lambda: run_report_job.delay(job.pk), robust=True)
    return job


def report_job_claim(*, job_id):
    """Take the job for this delivery of its task. Returns the attempt number, or None.

    A queued job is claimed; so is a running one whose heartbeat has gone stale, because the
    worker that had it is gone. A job that is done, failed, or being worked on right now is left
    alone. A job that has worn out its attempts is marked failed.
    """
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(
        status=Status.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    with transaction.atomic():
        claimed = ReportJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
            status=Status.RUNNING,
            attempts=F("attempts") + 1,
            progress=0,
            started_at=now,
            heartbeat_at=now,
        )
        if claimed:
            # Our UPDATE holds the row lock until commit, so this reads our own attempt.
            return ReportJob.objects.values_list("attempts", flat=True).get(pk=job_id)
    ReportJob.objects.filter(claimable, pk=job_id, attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, error=GAVE_UP_MESSAGE, finished_at=now
    )
    return None


def report_job_heartbeat(*, job_id, attempt, progress):
    """Record progress (0-99) and that the worker is alive. False if another attempt took over."""
    return bool(
        ReportJob.objects.filter(pk=job_id, status=Status.RUNNING, attempts=attempt).update(
            progress=min(progress, 99), heartbeat_at=timezone.now()
        )
    )


def report_job_finish(*, job, attempt, stored_name, sha256, filename, exported):
    """Mark the job done with its file, exactly once, audit what it exported, and tell the
    requester in their Recent Activity that it is ready.

    `exported` maps an object type label to the ids written. Returns False if this attempt no
    longer holds the job (another delivery took it over); the caller then discards its file.
    """
    now = timezone.now()
    with transaction.atomic():
        finished = ReportJob.objects.filter(
            pk=job.pk, status=Status.RUNNING, attempts=attempt
        ).update(
            status=Status.DONE,
            progress=100,
            file=stored_name,
            filename=filename,
            sha256=sha256,
            error="",
            heartbeat_at=now,
            finished_at=now,
        )
        if finished:
            path = reverse("jobs:job-detail", args=[job.pk])
            for object_type, ids in exported.items():
                # In slices: a parent group's export names 100k members, and one bulk insert
                # of them all held ~130 MB of unsaved rows at once.
                for start in range(0, len(ids), AUDIT_ROWS_PER_INSERT):
                    audit_record_for_user(
                        user=job.requester,
                        action=AuditEvent.Action.EXPORT,
                        object_type=object_type,
                        object_ids=ids[start : start + AUDIT_ROWS_PER_INSERT],
                        path=path,
                    )
            # In the same transaction as the status change, so a redelivered task that finds
            # the job done adds no second line.
            activity_record(
                recipients=[job.requester],
                summary=f"Your {_in_sentence(job.title)} is ready to download.",
                link=path,
            )
    return bool(finished)


def _in_sentence(title):
    """ "Subscriber list" as it reads mid-sentence; "PDF statement" stays as it is."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def report_job_fail(*, job_id, message, attempt=None):
    """Mark an unfinished job failed with a message for the requester (plain words, no PHI)."""
    jobs = ReportJob.objects.filter(pk=job_id, status__in=[Status.QUEUED, Status.RUNNING])
    if attempt is not None:
        jobs = jobs.filter(attempts=attempt)
    return bool(jobs.update(status=Status.FAILED, error=message[:300], finished_at=timezone.now()))


def report_jobs_purge_expired(*, now=None):
    """Delete the files of expired jobs, and the jobs themselves once they have been expired for
    a while. Also deletes stray files no job points at (from an attempt that was cut short).

    Returns (files deleted, jobs deleted).
    """
    now = now or timezone.now()
    storage = ReportJob._meta.get_field("file").storage
    files = 0
    for job in ReportJob.objects.filter(expires_at__lte=now).exclude(file="").only("pk", "file"):
        storage.delete(job.file.name)
        ReportJob.objects.filter(pk=job.pk).update(file="")
        files += 1
    # An unfinished job that reached its expiry will never be wanted again.
    ReportJob.objects.filter(
        expires_at__lte=now, status__in=[Status.QUEUED, Status.RUNNING]
    ).update(status=Status.FAILED, error=FAILED_MESSAGE, finished_at=now)
    jobs, _ = ReportJob.objects.filter(expires_at__lte=now - EXPIRED_JOBS_KEPT_FOR).delete()
    files += _purge_stray_files(storage, now=now)
    return files, jobs


def _purge_stray_files(storage, *, now):
    """Delete files older than the retention period that no job refers to."""
    cutoff = now - timedelta(days=settings.REPORT_RETENTION_DAYS)
    old = [name for name in _stored_files(storage) if storage.get_modified_time(name) < cutoff]
    referenced = set(ReportJob.objects.filter(file__in=old).values_list("file", flat=True))
    stray = [name for name in old if name not in referenced]
    for name in stray:
        storage.delete(name)
    return len(stray)


def _stored_files(storage, folder=""):
    if not storage.exists(folder):
        return
    folders, names = storage.listdir(folder)
    for name in names:
        yield f"{folder}{name}"
    for name in folders:
        yield from _stored_files(storage, f"{folder}{name}/")
