"""Manage Broker Access (My Accounts -> Manage Accounts & Reports): the Summary of Broker Access,
each broker's Access Privileges (Edit, Save, accept the terms, Submit), revoking, and the
history of every change.

Who: as the seed's guide has it, the employer's client administrators (primary and secondary)
manage broker access. Group administrators and delegates see the summary for the groups they
may see, and nothing more: the other pages answer 403 to them. A broker who is not the current
broker of record of one of the user's groups answers 404, like one that does not exist.

A change takes effect on the broker's next request: permissions are read afresh every request.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from employers import access, services
from employers import broker_access_selectors as selectors
from employers.access import employer_portal
from employers.forms.broker_access import BrokerAccessForm, HistoryFilterForm
from portal.lists import chosen_sort, list_template, sortable_columns

CHANGES_PER_PAGE = 25
RECENT_CHANGES = 5
# The history's columns: heading, sort key (see broker_access_selectors.CHANGE_SORTS).
HISTORY_COLUMNS = [
    ("When", "at"),
    ("Broker", "broker"),
    ("Change", "kind"),
    ("Groups and functions", None),
    ("By", None),
    ("Terms accepted", None),
]
TITLE = "Manage Broker Access"


def _acting_admin(request):
    admin = access.admin_for(request.user)
    if admin is None:
        raise Http404
    return admin


def client_admins_only(view):
    """Managing broker access is for the employer's client administrators (403 for others)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _acting_admin(request).is_client_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _breadcrumbs(*more):
    return [
        ("Manage Accounts & Reports", reverse("employers:accounts-reports")),
        (TITLE, reverse("employers:broker-access")),
        *more,
    ]


def _broker_name(broker):
    return f"{broker.first_name} {broker.last_name}"


def _labelled(broker_access):
    """Each group of a summary with its functions in words, billing and enrollment apart."""
    for row in broker_access.groups:
        row.billing = [
            label
            for name, label in services.BROKER_BILLING_FUNCTIONS.items()
            if name in row.functions
        ]
        row.enrollment = [
            label
            for name, label in services.BROKER_ENROLLMENT_FUNCTIONS.items()
            if name in row.functions
        ]
    return broker_access


def _with_differences(changes):
    for change in changes:
        change.differences = services.broker_access_differences(
            before=change.before, after=change.after
        )
    return changes


@require_GET
@employer_portal
def broker_access_summary(request):
    """Summary of Broker Access: every broker of record of the user's groups, the groups each
    may reach and what they may do there."""
    admin = _acting_admin(request)
    brokers = [_labelled(summary) for summary in selectors.brokers_of_record_for(request.user)]
    return render(
        request,
        "employers/broker_access/broker_access_summary.html",
        {
            "title": TITLE,
            "breadcrumbs": _breadcrumbs()[:1],
            "brokers": brokers,
            "can_manage": admin.is_client_admin,
        },
    )


@require_GET
@employer_portal
@client_admins_only
def broker_access_detail(request, pk):
    """Access Privileges: what one broker may do on each group of theirs, with Edit, Revoke and
    the latest changes."""
    broker_access = _labelled(selectors.get_broker_of_record_for(request.user, pk))
    changes = selectors.broker_access_changes_for(request.user, broker=broker_access.broker)
    return render(
        request,
        "employers/broker_access/broker_access_detail.html",
        {
            "title": f"Access Privileges: {_broker_name(broker_access.broker)}",
            "breadcrumbs": _breadcrumbs(),
            "broker_access": broker_access,
            "billing_functions": services.BROKER_BILLING_FUNCTIONS,
            "enrollment_functions": services.BROKER_ENROLLMENT_FUNCTIONS,
            "changes": _with_differences(list(changes[:RECENT_CHANGES])),
        },
    )


@require_http_methods(["GET", "POST"])
@employer_portal
@client_admins_only
def broker_access_edit(request, pk):
    """Edit, then Save: a review of what changes, where the administrator accepts the terms
    and conditions and Submits. The choices travel in the review's hidden fields and are
    checked again on Submit; nothing is written before."""
    broker_access = selectors.get_broker_of_record_for(request.user, pk)
    broker = broker_access.broker
    groups = [row.group for row in broker_access.groups]
    context = {
        "title": f"Edit Access Privileges: {_broker_name(broker)}",
        "breadcrumbs": _breadcrumbs(
            (_broker_name(broker), reverse("employers:broker-access-detail", args=[broker.pk]))
        ),
        "broker": broker,
    }
    step = request.POST.get("step", "")
    if request.method == "GET":
        form = BrokerAccessForm(groups=groups, initial=BrokerAccessForm.initial_for(broker_access))
        return _edit_page(request, form, context)
    form = BrokerAccessForm(request.POST, groups=groups)
    if step not in ("save", "submit") or not form.is_valid():
        return _edit_page(request, form, context)
    before = {row.group.number: row.functions for row in broker_access.groups if row.functions}
    after = {group.number: fns for group, fns in form.functions_by_group().items() if fns}
    differences = services.broker_access_differences(before=before, after=after, groups=groups)
    if not differences:
        form.add_error(None, "You have not changed anything. Tick or clear a box, then Save.")
        return _edit_page(request, form, context)
    if step == "submit" and form.require_terms():
        try:
            services.broker_access_set(
                broker=broker,
                employer=_acting_admin(request).employer,
                functions_by_group=form.functions_by_group(),
                terms_accepted=True,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return _edit_page(request, form, context)
        messages.success(
            request,
            f"{_broker_name(broker)}'s access was saved. They have been told, and it applies "
            "from their next page.",
        )
        return redirect("employers:broker-access-detail", pk=broker.pk)
    context.update(
        title=f"Review Access Privileges: {_broker_name(broker)}",
        form=form,
        differences=differences,
        revoking=not after,
    )
    return render(request, "employers/broker_access/broker_access_review.html", context)


def _edit_page(request, form, context):
    return render(
        request,
        "employers/broker_access/broker_access_edit.html",
        {
            **context,
            "form": form,
            "rows": form.rows(),
            "billing_functions": services.BROKER_BILLING_FUNCTIONS,
            "enrollment_functions": services.BROKER_ENROLLMENT_FUNCTIONS,
        },
    )


@require_POST
@employer_portal
@client_admins_only
def broker_access_revoke(request, pk):
    """Revoke everything the employer granted the broker, on every group. They stay broker of
    record, so they still see the groups of their book."""
    broker = selectors.get_broker_of_record_for(request.user, pk).broker
    try:
        change = services.broker_access_revoke(
            broker=broker, employer=_acting_admin(request).employer, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if change is None:
            messages.info(request, f"{_broker_name(broker)} had no access to revoke.")
        else:
            messages.success(
                request,
                f"{_broker_name(broker)}'s access was revoked. They have been told, and it "
                "applies from their next page.",
            )
    return redirect("employers:broker-access-detail", pk=broker.pk)


@require_GET
@employer_portal
@client_admins_only
def broker_access_history(request):
    """Every change to the employer's broker access: who, what, when, terms accepted; filtered
    by broker, sorted and paged in the URL."""
    brokers = list(selectors.brokers_in_history_for(request.user))
    form = HistoryFilterForm(request.GET, brokers=brokers)
    chosen = form.cleaned_data.get("broker") if form.is_valid() else ""
    broker = next((b for b in brokers if str(b.pk) == chosen), None)
    sort = chosen_sort(request, selectors.CHANGE_SORTS, "-at")
    changes = selectors.broker_access_changes_for(request.user, broker=broker, sort=sort)
    page = Paginator(changes, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _with_differences(list(page.object_list))
    context = {
        "title": "Broker Access History",
        "breadcrumbs": _breadcrumbs(),
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(HISTORY_COLUMNS, sort),
        "filtered": broker is not None,
    }
    template = list_template(
        request, "employers/broker_access/broker_access_history.html", "change-results"
    )
    return render(request, template, context)
