"""Reads for employer reports, scoped to who asks: the groups they may report on, their own
report definitions, and the report jobs those made."""

from django.shortcuts import get_object_or_404

from employers.access import function_groups, visible_groups
from employers.models import ReportDefinition
from employers.reporting.catalogue import STANDARD
from portal.jobs.models import ReportJob

# Every report kind's job kind starts with this (see kinds.py).
JOB_KIND_PREFIX = "employer_report_"


def report_groups_for(user, kind=None):
    """The groups `user` may report on: those where they hold run_reports (an administrator
    with the reports function; a broker office the employer granted it), and, for a `kind`,
    where they may also see its data (rosters, bills or payments).

    A broker's office sees rosters by being broker of record (not by an employer's grant), so
    its roster check is the office's own view_roster.
    """
    from brokers.access import BROKER_ROLES
    from brokers.selectors import office_groups

    groups = function_groups(user, "run_reports")
    if kind is None:
        return groups
    perm = STANDARD[kind].data_perm
    if perm == "view_roster":
        data = (
            office_groups(user, perm) if user.role in BROKER_ROLES else visible_groups(user, perm)
        )
    else:
        data = function_groups(user, perm)
    return groups.filter(pk__in=data.values("pk"))


def report_employers_for(user):
    """The employers (ids) of the groups the user may report on."""
    return report_groups_for(user).values("parent__employer_id")


def report_definitions_for(user):
    """The user's own report definitions, of employers whose groups they may still report on
    (a broker whose grant was revoked sees none of that employer's)."""
    return ReportDefinition.objects.filter(
        owner=user, employer_id__in=report_employers_for(user)
    ).order_by("name", "pk")


def get_report_definition_for(user, pk):
    """One of the user's own definitions; 404 for anyone else's, as for one that doesn't exist."""
    return get_object_or_404(report_definitions_for(user), pk=pk)


def report_jobs_for(user, definition=None):
    """The user's employer report jobs, newest first (those of one definition if given)."""
    jobs = ReportJob.objects.filter(requester=user, kind__startswith=JOB_KIND_PREFIX)
    if definition is not None:
        jobs = jobs.filter(parameters__definition=definition.pk)
    return jobs.order_by("-created_at", "-pk")


def due_report_definitions(today):
    """The scheduled definitions whose date has come (ids), for celery beat."""
    return ReportDefinition.objects.filter(next_run_on__lte=today).order_by("next_run_on", "pk")
