from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.jobs import registry
from portal.jobs.models import ReportJob
from portal.jobs.selectors import get_report_job_for, report_jobs_for
from portal.jobs.services import report_job_request

# Report pages sit inside whichever portal the user came from, with its navigation.
AUDIENCE_BASES = {
    Role.BROKER: "brokers/base.html",
    Role.BROKER_STAFF: "brokers/base.html",
    Role.EMPLOYER_ADMIN: "employers/base.html",
    Role.PROVIDER_USER: "providers/base.html",
}
JOBS_PER_PAGE = 25


def _page_context(request, **context):
    return {"base_template": AUDIENCE_BASES.get(request.user.role, "base.html"), **context}


def _breadcrumbs():
    return [("Reports", reverse("jobs:job-list"))]


@require_GET
def job_list(request):
    page = Paginator(report_jobs_for(request.user), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", _page_context(request, title="Reports", page=page))


@require_POST
def job_create(request):
    """Request a report; the form names its `kind` and the report's own parameters."""
    try:
        job = report_job_request(
            user=request.user, kind=request.POST.get("kind", ""), parameters=request.POST
        )
    except (LookupError, PermissionDenied):
        # An unknown report and one about a group the user can't see look the same.
        raise Http404("No such report.") from None
    except ValueError:
        return HttpResponseBadRequest("The report request was incomplete.")
    return redirect("jobs:job-detail", pk=job.pk)


@require_GET
def job_detail(request, pk):
    job = get_report_job_for(request.user, pk)
    context = _page_context(request, title=job.title, breadcrumbs=_breadcrumbs(), job=job)
    return render(request, "jobs/job_detail.html", context)


@require_GET
def job_status(request, pk):
    """The status block that the detail page polls while the job is queued or running."""
    job = get_report_job_for(request.user, pk)
    return render(request, "jobs/job_detail.html#status", {"job": job})


@require_GET
def job_download(request, pk):
    """Hand the requester their file, after checking they may still see what is in it."""
    job = get_report_job_for(request.user, pk)
    try:
        report = registry.get_report(job.kind, job.parameters)
    except LookupError:
        raise Http404("No such report.") from None
    if not report.is_available_to(request.user):
        raise Http404("No such report.")

    if job.status != ReportJob.Status.DONE:
        return _unavailable(request, job, status=404, reason="not_ready")
    if job.is_expired or not job.file:
        return _unavailable(request, job, status=410, reason="expired")
    try:
        handle = job.file.storage.open(job.file.name, "rb")
    except FileNotFoundError:
        return _unavailable(request, job, status=404, reason="missing")

    audit_record(request=request, action=AuditEvent.Action.DOWNLOAD, objects=[job])
    response = FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=report.content_type
    )
    # Member data: not to be kept by the browser's or any proxy's cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _unavailable(request, job, *, status, reason):
    context = _page_context(
        request, title=job.title, breadcrumbs=_breadcrumbs(), job=job, reason=reason
    )
    return render(request, "jobs/job_download.html", context, status=status)
