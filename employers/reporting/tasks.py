"""Celery tasks of employer reports: beat's run of the due report definitions, and the email
that tells a user their report is ready (or could not be made)."""

from celery import shared_task
from django.core.cache import cache
from django.urls import reverse

from employers.reporting import services
from portal.jobs.models import ReportJob
from portal.mail import absolute_url, email_send

# How often the notifier looks for the file again, and for how long (past the jobs' three
# attempts with their stale heartbeats).
NOTIFY_POLL_SECONDS = 20
NOTIFY_MAX_POLLS = 270
NOTIFIED_KEY = "employers:report-notified:{}"


@shared_task
def run_due_report_definitions():
    """Run by celery beat (hourly): every scheduled report due today, once per date."""
    services.report_definitions_run_due()


@shared_task(bind=True, max_retries=NOTIFY_MAX_POLLS)
def report_ready_notify(self, job_id):
    """Email the requester once their report job has finished: ready to download, or failed."""
    job = ReportJob.objects.select_related("requester").filter(pk=job_id).first()
    if job is None:
        return
    if not job.is_finished:
        if self.request.is_eager:
            return
        raise self.retry(countdown=NOTIFY_POLL_SECONDS)
    # A redelivered message must not email twice (acks_late); with Redis the key is shared
    # by every worker.
    if not cache.add(NOTIFIED_KEY.format(job.pk), True, timeout=7 * 24 * 3600):
        return
    ready = job.status == ReportJob.Status.DONE
    email_send(
        to=[job.requester.email],
        template="employer_report_ready" if ready else "employer_report_failed",
        context={
            "name": job.parameters.get("name") or job.title,
            "job": job,
            "link": absolute_url(reverse("jobs:job-detail", args=[job.pk])),
        },
    )
