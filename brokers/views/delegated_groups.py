"""Group Billing & Enrollment (a tab of Eligibility, Status & Activity): the groups whose
employers delegated billing or enrollment functions to the broker's office, what each allows,
and the links to work them on the employer's behalf.

A group shows while the employer's grant has functions and the group is still in the office's
book (brokers.selectors.delegated_groups_for); the employer grants, changes and revokes in
Manage Broker Access, and a change shows on the office's next request.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from brokers import selectors
from brokers.access import Tool, broker_portal, tool_required
from employers.services import BROKER_BILLING_FUNCTIONS, BROKER_ENROLLMENT_FUNCTIONS
from portal.lists import chosen_sort, list_template, sortable_columns

GROUPS_PER_PAGE = 25
# The list's sort keys as they appear in its URLs, each ending in a unique column.
SORTS = {
    "name": ("group__parent__name", "group__name", "pk"),
    "number": ("group__number", "pk"),
    "changed": ("updated_at", "pk"),
}
# Heading, sort key.
COLUMNS = [
    ("Group", "name"),
    ("Group number", "number"),
    ("Billing functions", None),
    ("Enrollment functions", None),
    ("Last changed", "changed"),
]


def _allowed(grant):
    """What the grant allows, in the words of the employer's Access Privileges page."""
    grant.billing = [
        label for name, label in BROKER_BILLING_FUNCTIONS.items() if name in grant.functions
    ]
    grant.enrollment = [
        label for name, label in BROKER_ENROLLMENT_FUNCTIONS.items() if name in grant.functions
    ]
    # Where the broker works the group's bills (the employer's views, under brokers:).
    grant.bills = "view_invoice" in grant.functions
    grant.payment_history = "view_payment_history" in grant.functions
    return grant


@require_GET
@broker_portal
@tool_required(Tool.ELIGIBILITY)
def delegated_group_list(request):
    """The office's delegated groups, sorted and paged in the URL."""
    sort = chosen_sort(request, SORTS, "name")
    descending = "-" if sort.startswith("-") else ""
    grants = (
        selectors.delegated_groups_for(request.user)
        .exclude(functions=[])
        .order_by(*(f"{descending}{column}" for column in SORTS[sort.removeprefix("-")]))
    )
    page = Paginator(grants, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = [_allowed(grant) for grant in page.object_list]
    context = {
        "title": "Group Billing & Enrollment",
        "breadcrumbs": [("Eligibility, Status & Activity", reverse("brokers:eligibility"))],
        "tab": "groups",
        "page": page,
        "sort": sort,
        "columns": sortable_columns(COLUMNS, sort),
    }
    template = list_template(request, "brokers/delegated_groups.html", "delegated-results")
    return render(request, template, context)
