from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.jobs.registry import title_for


def report_storage():
    return storages["reports"]


def default_expiry():
    return timezone.now() + timedelta(days=settings.REPORT_RETENTION_DAYS)


class ReportJob(models.Model):
    """One requested export or report: what, for whom, how far along, and the file it made."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=60)
    parameters = models.JSONField(default=dict, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(storage=report_storage, upload_to="%Y/%m/", blank=True, max_length=200)
    filename = models.CharField(
        max_length=150, blank=True, help_text="The name the download is saved as."
    )
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    error = models.CharField(
        max_length=300, blank=True, help_text="What the requester is told if it failed."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=default_expiry, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="reportjob_progress_0_100"),
        ]
        indexes = [models.Index(fields=["requester", "-created_at"])]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def title(self):
        return title_for(self.kind)

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)
