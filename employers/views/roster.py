"""Bulk roster upload: an administrator who may enroll people in a group uploads a file of
employees and dependents; every row is checked first and the problems are listed (and can be
downloaded); a clean file is enrolled by a job, all rows in one transaction or none.

A group outside the administrator's employer answers 404, as one that does not exist; a group
they may see but not enroll in answers 403.

The same views serve the brokers an employer granted perform_enrollment on a group
(/brokers/enrollment/roster/..., see employers.access.employer_or_broker), as Manage
Enrollment does: they see only the granted groups (404 elsewhere), and the job enrolls with the
broker-portal user as `by` and the employer and broker as on whose behalf.
"""

import csv

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from employers import selectors
from employers.access import employer_or_broker, on_behalf_of_text
from employers.forms.roster import RosterUploadForm
from employers.roster_jobs import (
    ROSTER_KIND,
    ROSTER_MAX_BYTES,
    ROSTER_MAX_ROWS,
    roster_job_enrolled,
    roster_upload_store,
)
from enrollment.roster import (
    COLUMN_HELP,
    ROSTER_REQUIRED,
    roster_check,
    roster_template_csv,
    roster_template_xlsx,
)
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.jobs.registry import XLSX
from portal.jobs.selectors import get_report_job_for
from portal.jobs.services import report_job_request

# The last check's problems wait in the session for their page and their CSV download. A file
# can have a problem in every cell; past this many, the report says it stopped counting.
SESSION_KEY = "employers_roster_problems"
PROBLEMS_KEPT = 5000
PROBLEMS_SHOWN = 500


def _url(request, name, *args):
    """A roster upload URL in the portal the page is shown in (the employer's or a broker's)."""
    return reverse(f"{request.portal.namespace}:{name}", args=args)


def _breadcrumbs(request, group=None):
    crumbs = [
        ("Manage Enrollment", _url(request, "enrollment")),
        ("Roster upload", _url(request, "roster")),
    ]
    if group is not None:
        crumbs.append((f"Group {group.number}", _url(request, "roster-upload", group.pk)))
    return crumbs


def _enrollment_groups(user):
    return selectors.enrollment_groups_for(user, "perform_enrollment").order_by("number")


def _enrollment_group(request, pk):
    """The group, if the user may enroll people in it: 404 outside the groups they see (for a
    broker, those whose employer granted the office perform_enrollment), 403 for an
    administrator's group without the enrollment function."""
    group = selectors.get_enrollment_group_for(request.user, pk, "view_group")
    if not selectors.may_perform_enrollment(request.user, group):
        raise PermissionDenied("You may not enroll members in this group.")
    return group


def _render(request, template, context):
    return render(request, template, {"portal": request.portal, **context})


@require_GET
@employer_or_broker
def roster_groups(request):
    """Choose the group (suffix) to upload a roster to."""
    groups = list(_enrollment_groups(request.user))
    # An administrator without the enrollment function is refused, as before; a broker office
    # no employer granted it finds an empty list, as in Manage Enrollment.
    if not groups and request.portal.namespace == "employers":
        raise PermissionDenied("You may not enroll members in any group.")
    context = {
        "title": "Roster upload",
        "breadcrumbs": [("Manage Enrollment", _url(request, "enrollment"))],
        "groups": groups,
    }
    return _render(request, "employers/roster/roster_groups.html", context)


@require_http_methods(["GET", "POST"])
@employer_or_broker
def roster_upload(request, pk):
    """The upload form; a file with problems leads to its report, a clean one to its job."""
    group = _enrollment_group(request, pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        _, problems, found = roster_check(group, form.rows)
        if found:
            # The check looked up members by the file's SSNs, and the problems name them.
            audit_record(request=request, action=AuditEvent.Action.SEARCH, objects=found)
        if problems:
            request.session[SESSION_KEY] = {
                "group": group.pk,
                "filename": upload.name[:100],
                "rows": len(form.rows),
                "count": len(problems),
                "problems": problems[:PROBLEMS_KEPT],
            }
            return redirect(_url(request, "roster-problems", group.pk))
        request.session.pop(SESSION_KEY, None)
        job = report_job_request(
            user=request.user,
            kind=ROSTER_KIND,
            parameters={
                "group": group.pk,
                "upload": roster_upload_store(user=request.user, upload=upload),
                "filename": upload.name,
            },
        )
        return redirect(_url(request, "roster-job", job.pk))
    context = {
        "title": f"Upload a roster to group {group.number}",
        "breadcrumbs": _breadcrumbs(request),
        "group": group,
        "form": form,
        "columns": [(c, text, c in ROSTER_REQUIRED) for c, text in COLUMN_HELP],
        "max_megabytes": ROSTER_MAX_BYTES // (1024 * 1024),
        "max_rows": ROSTER_MAX_ROWS,
        # A broker enrolls for the employer: the page says what the enrollment will record.
        "on_behalf_of": on_behalf_of_text(request.user, group.parent.employer)
        if request.portal.namespace == "brokers"
        else "",
    }
    return _render(request, "employers/roster/roster_upload.html", context)


def _kept_report(request, group):
    report = request.session.get(SESSION_KEY)
    if not report or report.get("group") != group.pk:
        return None
    return report


@require_GET
@employer_or_broker
def roster_problems(request, pk):
    """The last checked file's problems, row by row; nothing of it was enrolled."""
    group = _enrollment_group(request, pk)
    report = _kept_report(request, group)
    context = {
        "title": "Problems in the roster file",
        "breadcrumbs": _breadcrumbs(request, group),
        "group": group,
        "report": report,
        "shown": report["problems"][:PROBLEMS_SHOWN] if report else [],
        "problems_shown": PROBLEMS_SHOWN,
        "problems_kept": PROBLEMS_KEPT,
    }
    return _render(request, "employers/roster/roster_problems.html", context)


@require_GET
@employer_or_broker
def roster_problems_csv(request, pk):
    """The same problems as a CSV file, to work through beside the roster."""
    group = _enrollment_group(request, pk)
    report = _kept_report(request, group)
    if report is None:
        raise Http404("No error report.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-problems-{group.number}.csv"'
    response["Cache-Control"] = "private, no-store"
    # Every cell is ours (row numbers, column names, our messages): nothing from the file is
    # echoed, so nothing in it can become a formula.
    writer = csv.writer(response)
    writer.writerow(["Row", "Column", "Problem"])
    writer.writerows(report["problems"])
    return response


@require_GET
@employer_or_broker
def roster_template(request, pk):
    """The template to fill in: an Excel workbook listing the group's plans, or CSV."""
    group = _enrollment_group(request, pk)
    if request.GET.get("format") == "csv":
        response = HttpResponse(roster_template_csv(), content_type="text/csv; charset=utf-8")
        extension = "csv"
    else:
        plans = group.plans.filter(is_active=True).order_by("code")
        response = HttpResponse(roster_template_xlsx(plans), content_type=XLSX)
        extension = "xlsx"
    response["Content-Disposition"] = (
        f'attachment; filename="roster-template-{group.number}.{extension}"'
    )
    return response


def _roster_job(request, pk):
    job = get_report_job_for(request.user, pk)
    if job.kind != ROSTER_KIND:
        raise Http404("No such upload.")
    # The job is the user's own: its page's path (which portal) is read from the requester.
    job.requester = request.user
    return job


def _job_context(request, job):
    group = (
        selectors.enrollment_groups_for(request.user, "view_group")
        .filter(pk=job.parameters.get("group"))
        .first()
    )
    enrolled = roster_job_enrolled(job).count() if job.status == job.Status.DONE else 0
    return {"job": job, "group": group, "enrolled": enrolled, "portal": request.portal}


@require_GET
@employer_or_broker
def roster_job(request, pk):
    """An upload being enrolled: a progress bar that follows the job, then the outcome."""
    job = _roster_job(request, pk)
    context = _job_context(request, job)
    context.update(title="Roster upload", breadcrumbs=_breadcrumbs(request, context["group"]))
    return render(request, "employers/roster/roster_job.html", context)


@require_GET
@employer_or_broker
def roster_job_status(request, pk):
    """The status block the job page polls while the job is queued or running."""
    job = _roster_job(request, pk)
    return render(request, "employers/roster/roster_job.html#status", _job_context(request, job))
