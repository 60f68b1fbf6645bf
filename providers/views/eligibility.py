"""Patient Info: member eligibility by member ID, SSN, or name and date of birth.

The search is a POST: an SSN, a name and a date of birth are PHI and stay out of URLs, browser
history and access logs. Any member of the carrier may be found (providers check coverage
before care), by users holding check_eligibility on a Tax ID; every search is audited with the
members it found, and every member page with the members it shows.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from enrollment.models import Member
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from providers import selectors
from providers.access import function_required, provider_portal
from providers.forms import MemberSearchForm

TITLE = "Patient Info"
eligibility_function = function_required("check_eligibility")


@require_http_methods(["GET", "POST"])
@provider_portal
@eligibility_function
def eligibility_search(request):
    """The search form, and after a POST the members that match, each with their eligibility."""
    context = {"title": TITLE, "searched": False}
    if request.method == "GET":
        context["form"] = MemberSearchForm()
        return render(request, "providers/eligibility_search.html", context)
    form = MemberSearchForm(request.POST)
    context["form"] = form
    if form.is_valid():
        found = selectors.eligibility_members(**form.search())
        too_many = len(found) > selectors.MEMBER_MATCH_LIMIT
        found = found[: selectors.MEMBER_MATCH_LIMIT]
        audit_record(
            request=request,
            action=AuditEvent.Action.SEARCH,
            objects=found,
            object_type=Member._meta.label,
        )
        today = timezone.localdate()
        context.update(
            searched=True,
            by=form.cleaned_data["by"],
            results=[eligibility_row(member, today) for member in found],
            too_many=too_many,
            limit=selectors.MEMBER_MATCH_LIMIT,
        )
    return render(request, "providers/eligibility_search.html", context)


@require_GET
@provider_portal
@eligibility_function
def member_detail(request, pk):
    """A member's eligibility, and everyone on their policy to choose from."""
    member, family = selectors.member_and_policy_for(request.user, pk)
    today = timezone.localdate()
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=family)
    return render(
        request,
        "providers/member_detail.html",
        {
            "title": f"{member.first_name} {member.last_name}",
            "breadcrumbs": [(TITLE, reverse("providers:patient-info"))],
            "row": eligibility_row(member, today),
            "policy": [eligibility_row(m, today) for m in family],
        },
    )


def eligibility_row(member, today):
    """What an answer shows of a member: coverage status, plan, dates, PCP."""
    start, end = member.coverage_start, member.coverage_end
    if start is None:
        coverage = "No coverage on file"
    elif start > today:
        coverage = "Not yet effective"
    elif end is not None and end < today:
        coverage = "Terminated"
    else:
        coverage = "Covered today"
    return {
        "member": member,
        "status": member.get_status_display(),
        "coverage": coverage,
        "covered": coverage == "Covered today",
        "plan_code": member.coverage_plan_code or (member.plan.code if member.plan else ""),
        "plan": member.coverage_plan or (member.plan.name if member.plan else ""),
        "effective": start,
        "term": end,
    }
