"""Manage Accounts: the broker's office staff users, and their general agency's view.

The broker, and staff the broker gave the Manage Accounts tool, manage the office's staff
users. Staff managers are kept from raising themselves: they cannot change their own user and
can grant only the tools they hold. Only the broker decides what the upline sees; staff
managers see that page read-only.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brokers import access, selectors, services
from brokers.access import Tool, broker_portal, tool_required
from brokers.forms.staff import StaffCreateForm, StaffFilterForm, StaffToolsForm, UplineAccessForm
from portal.accounts.models import Role, UserStatus
from portal.accounts.views import managed_user_action
from portal.lists import chosen_sort, list_template, sortable_columns

STAFF_PER_PAGE = 25
# The list's columns: heading, sort key (see selectors.STAFF_SORTS).
COLUMNS = [
    ("Email", "email"),
    ("Last Name", "last_name"),
    ("First Name", "first_name"),
    ("Status", "status"),
    ("Create Date", "created"),
]
manage_accounts = tool_required(Tool.MANAGE_ACCOUNTS)


def _breadcrumbs(*more):
    return [("My Account", reverse("brokers:account")), *more]


def _list_crumb():
    return ("Manage Accounts", reverse("brokers:staff-list"))


def _office_broker(request):
    broker = access.broker_for(request.user)
    if broker is None:
        raise Http404
    return broker


def _staff_user_to_change(request, pk):
    """The office's staff user `pk` (404 otherwise), who must not be the acting user."""
    staff_user = selectors.get_staff_user_for(request.user, pk)
    if staff_user.pk == request.user.pk:
        raise PermissionDenied
    return staff_user


@require_GET
@broker_portal
@manage_accounts
def staff_list(request):
    form = StaffFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = chosen_sort(request, selectors.STAFF_SORTS, "email")
    users = selectors.staff_users_for(request.user, sort=sort, **filters)
    page = Paginator(users, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": "Manage Accounts",
        "breadcrumbs": _breadcrumbs(),
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(COLUMNS, sort),
        "searched": any(filters.values()),
        "statuses": UserStatus,
        "can_change_upline": request.user.role == Role.BROKER,
    }
    # The search form and the sort and page links swap just the results when htmx is there.
    template = list_template(request, "brokers/staff/staff_list.html", "staff-results")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@broker_portal
@manage_accounts
def staff_create(request):
    broker = _office_broker(request)
    grantable = services.tools_grantable_by(request.user)
    form = StaffCreateForm(
        request.POST or None,
        grantable=grantable,
        initial={"tools": [t for t in services.DEFAULT_STAFF_TOOLS if t in grantable]},
    )
    if form.is_valid():
        staff_user = services.office_staff_invite(
            broker=broker, by=request.user, **form.cleaned_data
        )
        messages.success(
            request, f"{staff_user.display_name} was created and sent a registration email."
        )
        return redirect("brokers:staff-detail", pk=staff_user.pk)
    return render(
        request,
        "brokers/staff/staff_create.html",
        {"title": "Create User", "breadcrumbs": _breadcrumbs(_list_crumb()), "form": form},
    )


@require_http_methods(["GET", "POST"])
@broker_portal
@manage_accounts
def staff_detail(request, pk):
    """View / Update User: names and tools, and the actions the user's status allows."""
    staff_user = selectors.get_staff_user_for(request.user, pk)
    is_self = staff_user.pk == request.user.pk
    if request.method == "POST" and is_self:
        raise PermissionDenied
    grantable = services.tools_grantable_by(request.user)
    form = StaffToolsForm(
        request.POST or None,
        grantable=grantable,
        initial={
            "first_name": staff_user.first_name,
            "last_name": staff_user.last_name,
            "tools": sorted(selectors.staff_tools_of(staff_user)),
        },
    )
    if form.is_valid():
        services.office_staff_update(user=staff_user, by=request.user, **form.cleaned_data)
        messages.success(request, f"{staff_user.display_name} was updated.")
        return redirect("brokers:staff-detail", pk=staff_user.pk)
    return render(
        request,
        "brokers/staff/staff_detail.html",
        {
            "title": staff_user.display_name,
            "breadcrumbs": _breadcrumbs(_list_crumb()),
            "staff_user": staff_user,
            "form": form,
            "is_self": is_self,
            "statuses": UserStatus,
        },
    )


def _staff_action(request, pk, action, done):
    """Run `action` on the office's staff user `pk`, say how it went, and go back."""
    staff_user = _staff_user_to_change(request, pk)
    return managed_user_action(
        request,
        user=staff_user,
        action=lambda: action(staff_user),
        done=done,
        list_url_name="brokers:staff-list",
        detail_url_name="brokers:staff-detail",
    )


@require_POST
@broker_portal
@manage_accounts
def staff_disable(request, pk):
    return _staff_action(
        request,
        pk,
        lambda user: services.office_staff_disable(user=user, by=request.user),
        "{name} was disabled and signed out.",
    )


@require_POST
@broker_portal
@manage_accounts
def staff_enable(request, pk):
    return _staff_action(
        request,
        pk,
        lambda user: services.office_staff_enable(user=user, by=request.user),
        "{name} was enabled.",
    )


@require_POST
@broker_portal
@manage_accounts
def staff_password_reset(request, pk):
    return _staff_action(
        request,
        pk,
        lambda user: services.office_staff_password_reset(
            user=user, by=request.user, request=request
        ),
        "{name} was sent a password reset email.",
    )


@require_POST
@broker_portal
@manage_accounts
def staff_registration_resend(request, pk):
    return _staff_action(
        request,
        pk,
        lambda user: services.office_staff_registration_resend(user=user, by=request.user),
        "{name} was sent a new registration email; the earlier link no longer works.",
    )


@require_http_methods(["GET", "POST"])
@broker_portal
@manage_accounts
def upline_access(request):
    """What the general agency (upline) may see of the book; only the broker changes it."""
    broker = _office_broker(request)
    can_change = request.user.role == Role.BROKER
    current = selectors.upline_access_for(request.user)
    form = UplineAccessForm(
        request.POST or None, initial={"rosters_allowed": bool(current and current.rosters_allowed)}
    )
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if request.POST.get("action") == "stop":
            services.upline_access_revoke(broker=broker, by=request.user)
            messages.success(request, "Your general agency no longer sees your groups.")
            return redirect("brokers:upline-access")
        if form.is_valid():
            try:
                services.upline_access_grant(
                    broker=broker,
                    rosters_allowed=form.cleaned_data["rosters_allowed"],
                    by=request.user,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Your general agency can now view your groups.")
            return redirect("brokers:upline-access")
    return render(
        request,
        "brokers/staff/upline_access.html",
        {
            "title": "Upline Access",
            "breadcrumbs": _breadcrumbs(_list_crumb()),
            "broker": broker,
            "upline_agency": broker.agency.upline,
            "current": current,
            "can_change": can_change,
            "form": form,
        },
    )
