"""Transactions: Authorization Status by member ID, SSN, name and date of birth, or number.

A POST, like eligibility: an SSN, a name and a date of birth stay out of URLs. Only the
authorizations of the Tax IDs the user holds check_authorizations on are found, and every
search and detail is audited.
"""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from providers import selectors
from providers.access import function_required, provider_portal
from providers.forms import AuthorizationSearchForm
from providers.models import Authorization

authorizations_function = function_required("check_authorizations")


def _crumbs():
    return [("Transactions", reverse("providers:transactions"))]


@require_http_methods(["GET", "POST"])
@provider_portal
@authorizations_function
def authorization_search(request):
    context = {"title": "Authorization Status", "breadcrumbs": _crumbs(), "searched": False}
    form = AuthorizationSearchForm(request.POST if request.method == "POST" else None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        found = selectors.authorizations_for(request.user, **form.search())
        too_many = len(found) > selectors.AUTHORIZATION_LIMIT
        found = found[: selectors.AUTHORIZATION_LIMIT]
        audit_record(
            request=request,
            action=AuditEvent.Action.SEARCH,
            objects=found,
            object_type=Authorization._meta.label,
        )
        context.update(
            searched=True,
            by=form.cleaned_data["by"],
            authorizations=found,
            too_many=too_many,
            limit=selectors.AUTHORIZATION_LIMIT,
        )
    return render(request, "providers/authorization_search.html", context)


@require_GET
@provider_portal
@authorizations_function
def authorization_detail(request, pk):
    authorization = selectors.get_authorization_for(request.user, pk)
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[authorization])
    return render(
        request,
        "providers/authorization_detail.html",
        {
            "title": f"Authorization {authorization.number}",
            "breadcrumbs": [
                *_crumbs(),
                ("Authorization Status", reverse("providers:authorization-search")),
            ],
            "authorization": authorization,
        },
    )
