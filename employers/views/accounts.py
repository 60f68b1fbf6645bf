"""Manage Accounts: Update Account Information, Add New User, and View and Edit Users.

Who may manage whom is decided in employers.access: the primary client administrator manages
everyone else of the employer, the secondary everyone but the primary, a group administrator
the delegates they created, a delegate nobody (403 on the user pages). A user outside the
acting user's reach answers 404, like one that does not exist. Changes take effect on the
user's next request; disabling signs them out at once.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from employers import access, account_selectors, selectors, services
from employers.access import employer_portal
from employers.forms.accounts import AccessForm, AccountForm, UserCreateForm, UserFilterForm
from employers.models import EmployerAdmin
from portal.accounts.models import UserStatus
from portal.accounts.views import managed_user_action
from portal.lists import chosen_sort, list_template, sortable_columns

USERS_PER_PAGE = 25
# The list's columns: heading, sort key (see account_selectors.USER_SORTS).
COLUMNS = [
    ("Email", "email"),
    ("Last Name", "last_name"),
    ("First Name", "first_name"),
    ("Kind of User", "role"),
    ("Groups", None),
    ("Status", "status"),
    ("Create Date", "created"),
]


def _acting_admin(request) -> EmployerAdmin:
    admin = access.admin_for(request.user)
    if admin is None:
        raise Http404
    return admin


def manage_accounts(view):
    """The user pages are for administrators who may set up other users (not delegates)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.can_manage_accounts(_acting_admin(request)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _breadcrumbs(*more):
    return [("Manage Accounts & Reports", reverse("employers:accounts-reports")), *more]


def _list_crumb():
    return ("View and Edit Users", reverse("employers:user-list"))


@require_GET
@employer_portal
def accounts_reports(request):
    """Manage Accounts & Reports: what the administrator may do with accounts, and where the
    reports will be."""
    admin = _acting_admin(request)
    return render(
        request,
        "employers/accounts/accounts_reports.html",
        {
            "title": "Manage Accounts & Reports",
            "admin": admin,
            "can_manage": access.can_manage_accounts(admin),
        },
    )


@require_http_methods(["GET", "POST"])
@employer_portal
def account_update(request):
    """Update Account Information: the administrator's own details."""
    admin = _acting_admin(request)
    form = AccountForm(
        request.POST or None,
        initial={
            "first_name": request.user.first_name,
            "last_name": request.user.last_name,
            "job_title": admin.job_title,
            "phone": admin.phone,
        },
    )
    if form.is_valid():
        services.employer_account_update(admin=admin, **form.cleaned_data)
        messages.success(request, "Your account information was updated.")
        return redirect("employers:account-update")
    return render(
        request,
        "employers/accounts/account_update.html",
        {
            "title": "Update Account Information",
            "breadcrumbs": _breadcrumbs(),
            "admin": admin,
            "form": form,
        },
    )


@require_GET
@employer_portal
@manage_accounts
def user_list(request):
    """View and Edit Users: searched, sorted and paged in the URL."""
    form = UserFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = chosen_sort(request, account_selectors.USER_SORTS, "email")
    admins = account_selectors.admin_users_for(request.user, sort=sort, **filters)
    page = Paginator(admins, USERS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    numbers = account_selectors.group_numbers_of(page.object_list)
    for admin in page.object_list:
        admin.group_numbers = numbers.get(admin.user_id, [])
    context = {
        "title": "View and Edit Users",
        "breadcrumbs": _breadcrumbs(),
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(COLUMNS, sort),
        "searched": any(filters.values()),
        "statuses": UserStatus,
    }
    # The search form and the sort and page links swap just the results when htmx is there.
    template = list_template(request, "employers/accounts/user_list.html", "user-results")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@employer_portal
@manage_accounts
def user_create(request):
    """Add New User: a secondary client administrator, group administrator or delegate."""
    admin = _acting_admin(request)
    levels = access.levels_creatable_by(admin)
    if (
        admin.level == EmployerAdmin.Level.PRIMARY
        and admin.employer.admins.filter(level=EmployerAdmin.Level.SECONDARY).exists()
    ):
        # One secondary client administrator per employer: offer it only while there is none.
        levels = tuple(level for level in levels if level != EmployerAdmin.Level.SECONDARY)
    form = UserCreateForm(
        request.POST or None,
        levels=levels,
        groups=selectors.groups_for(request.user),
        bound=access.access_of(admin),
    )
    if form.is_valid():
        try:
            created = services.employer_user_invite(
                employer=admin.employer,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                level=form.cleaned_data["level"],
                access=form.access(),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{created.user.display_name} was added and sent a registration email.",
            )
            return redirect("employers:user-detail", pk=created.user_id)
    return render(
        request,
        "employers/accounts/user_create.html",
        {"title": "Add New User", "breadcrumbs": _breadcrumbs(_list_crumb()), "form": form},
    )


@require_http_methods(["GET", "POST"])
@employer_portal
@manage_accounts
def user_detail(request, pk):
    """View / Edit User: name, groups, functions and notifications, and the actions the
    user's status allows."""
    actor = _acting_admin(request)
    target = account_selectors.get_admin_user_for(request.user, pk)
    held = access.access_of(target)
    form = AccessForm(
        request.POST or None,
        groups=selectors.groups_for(request.user),
        bound=access.access_bound_for(target, actor),
        with_access=not target.is_client_admin,
        initial=AccessForm.initial_for(target.user, held),
    )
    if form.is_valid():
        try:
            # Name and access change together or not at all.
            with transaction.atomic():
                services.employer_user_name_change(
                    admin=target,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    by=request.user,
                )
                if form.needs_access() and form.access() != held:
                    services.employer_user_access_change(
                        admin=target, access=form.access(), by=request.user
                    )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{target.user.display_name} was updated.")
            return redirect("employers:user-detail", pk=target.user_id)
    return render(
        request,
        "employers/accounts/user_detail.html",
        {
            "title": target.user.display_name,
            "breadcrumbs": _breadcrumbs(_list_crumb()),
            "target": target,
            "target_user": target.user,
            "form": form,
            "statuses": UserStatus,
        },
    )


def _user_action(request, pk, action, done):
    """Run `action` on the manageable administrator whose user is `pk`; say how it went."""
    target = account_selectors.get_admin_user_for(request.user, pk)
    return managed_user_action(
        request,
        user=target.user,
        action=lambda: action(target),
        done=done,
        list_url_name="employers:user-list",
        detail_url_name="employers:user-detail",
    )


@require_POST
@employer_portal
@manage_accounts
def user_disable(request, pk):
    return _user_action(
        request,
        pk,
        lambda admin: services.employer_user_disable(admin=admin, by=request.user),
        "{name} was disabled and signed out.",
    )


@require_POST
@employer_portal
@manage_accounts
def user_enable(request, pk):
    return _user_action(
        request,
        pk,
        lambda admin: services.employer_user_enable(admin=admin, by=request.user),
        "{name} was enabled.",
    )


@require_POST
@employer_portal
@manage_accounts
def user_password_reset(request, pk):
    return _user_action(
        request,
        pk,
        lambda admin: services.employer_user_password_reset(
            admin=admin, by=request.user, request=request
        ),
        "{name} was sent a password reset email.",
    )


@require_POST
@employer_portal
@manage_accounts
def user_registration_resend(request, pk):
    return _user_action(
        request,
        pk,
        lambda admin: services.employer_user_registration_resend(admin=admin, by=request.user),
        "{name} was sent a new registration email; the earlier link no longer works.",
    )
