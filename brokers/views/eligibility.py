"""Eligibility, Status & Activity: eligibility lookup and IFP application status (its third tab,
the groups that delegated billing or enrollment to the broker, is views/delegated_groups.py).

The lookup is a POST: a last name and date of birth are PHI and stay out of URLs, browser
history and access logs. Every search is audited with the members it found.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brokers import access, selectors
from brokers.access import Tool, broker_portal, tool_required
from brokers.forms.eligibility import ApplicationFilterForm, EligibilityForm
from enrollment.models import IFPApplication, Member
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.lists import chosen_sort, list_template, sortable_columns

APPLICATIONS_PER_PAGE = 25
# The application list's columns: heading, sort key (see selectors.IFP_APPLICATION_SORTS).
APPLICATION_COLUMNS = [
    ("Application", "number"),
    ("Applicant", "applicant"),
    ("Plan", "plan"),
    ("Requested effective", "effective"),
    ("Status", "status"),
    ("Received", "received"),
    ("Status date", "changed"),
]
TITLE = "Eligibility, Status & Activity"
eligibility_tool = tool_required(Tool.ELIGIBILITY)


def _section_crumb():
    return (TITLE, reverse("brokers:eligibility"))


@require_http_methods(["GET", "POST"])
@broker_portal
@eligibility_tool
def eligibility(request):
    """Eligibility Lookup: the form, and after a POST the members of the book that match."""
    context = {"title": TITLE, "tab": "lookup"}
    if request.method == "POST":
        context.update(eligibility_search(request, EligibilityForm(request.POST)))
    else:
        context["form"] = EligibilityForm()
    return render(request, "brokers/eligibility/eligibility_lookup.html", context)


@require_POST
@broker_portal
@eligibility_tool
def quick_check(request):
    """The dashboard's Quick Eligibility Check: its form with the answer, swapped in by htmx.

    Without htmx (no script) the full lookup page answers instead.
    """
    form = EligibilityForm(request.POST, auto_id="quick_%s")
    context = {"title": TITLE, "tab": "lookup", "quick": True, **eligibility_search(request, form)}
    if request.htmx:
        context["quick_form"] = context["form"]
        return render(request, "brokers/eligibility/quick_check.html", context)
    context["form"] = EligibilityForm(request.POST)
    context["quick"] = False
    return render(request, "brokers/eligibility/eligibility_lookup.html", context)


def eligibility_search(request, form):
    """Run a valid lookup and audit it; returns the context the result partial needs."""
    if not form.is_valid():
        return {"form": form, "searched": False}
    found = list(
        selectors.eligibility_members_for(
            request.user,
            member_id=form.cleaned_data["member_id"],
            last_name=form.cleaned_data["last_name"],
            dob=form.cleaned_data["dob"],
        )
    )
    too_many = len(found) > selectors.ELIGIBILITY_MATCH_LIMIT
    found = found[: selectors.ELIGIBILITY_MATCH_LIMIT]
    audit_record(
        request=request,
        action=AuditEvent.Action.SEARCH,
        objects=found,
        object_type=Member._meta.label,
    )
    return {
        "form": form,
        "searched": True,
        "results": [_eligibility_row(member) for member in found],
        "too_many": too_many,
        "limit": selectors.ELIGIBILITY_MATCH_LIMIT,
        "by_member_id": bool(form.cleaned_data["member_id"]),
    }


def _eligibility_row(member):
    """What the answer shows of a member: status, plan, dates of their latest coverage, group."""
    return {
        "member": member,
        "status": member.get_status_display(),
        "plan": member.coverage_plan or (member.plan.name if member.plan else ""),
        "effective": member.coverage_start,
        "term": member.coverage_end,
        "group": member.group,
    }


@require_GET
@broker_portal
@eligibility_tool
def application_list(request):
    """IFP application status for the Broker ID the dashboard is viewed for."""
    form = ApplicationFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = chosen_sort(request, selectors.IFP_APPLICATION_SORTS, "-received")
    code = access.acting_broker_code(request)
    applications = selectors.ifp_applications_for(
        request.user, broker_code=code.code if code else None, sort=sort, **filters
    )
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        objects=page.object_list,
        object_type=IFPApplication._meta.label,
    )
    context = {
        "title": "Application Status",
        "breadcrumbs": [_section_crumb()],
        "tab": "applications",
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(APPLICATION_COLUMNS, sort),
        "searched": any(filters.values()),
        "broker_code": code,
        "statuses": IFPApplication.Status,
    }
    template = list_template(
        request, "brokers/eligibility/application_list.html", "application-results"
    )
    return render(request, template, context)
