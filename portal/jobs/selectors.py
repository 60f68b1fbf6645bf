"""Reads of report jobs, scoped to the user: a job is only ever its requester's."""

from django.shortcuts import get_object_or_404

from portal.jobs.models import ReportJob


def report_jobs_for(user):
    """The user's own report jobs, newest first."""
    return ReportJob.objects.filter(requester=user).order_by("-created_at", "-pk")


def get_report_job_for(user, pk):
    """One of the user's own report jobs; 404 for anyone else's, as for one that doesn't exist."""
    return get_object_or_404(ReportJob, pk=pk, requester=user)
