"""My Account → Create New User and Manage Users, for the office's delegated administrators.

Anyone else of the provider portal gets a 403 that says who manages users; a user of another
organisation answers 404, like one that does not exist. Changes take effect on the user's next
request; disabling signs them out at once. An administrator sees their own user but changes
only their profile email (Update Profile Email), never their own access or status.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.models import UserStatus
from portal.accounts.views import managed_user_action
from portal.lists import chosen_sort, list_template, sortable_columns
from providers import access, user_admin, user_selectors
from providers.access import delegated_admin_required, provider_portal
from providers.user_forms import EmailChangeForm, UserAccessForm, UserCreateForm, UserFilterForm

USERS_PER_PAGE = 25
# The list's columns: heading, sort key (see user_selectors.USER_SORTS).
COLUMNS = [
    ("User Name (Email)", "email"),
    ("Last Name", "last_name"),
    ("First Name", "first_name"),
    ("Kind of User", "kind"),
    ("Tax IDs", None),
    ("Status", "status"),
    ("Create Date", "created"),
]


def _breadcrumbs(*more):
    return [("My Account", reverse("providers:account")), *more]


def _list_crumb():
    return ("Manage Users", reverse("providers:user-list"))


@require_GET
@provider_portal
@delegated_admin_required
def user_list(request):
    """Manage Users: searched, filtered, sorted and paged in the URL; "View All Provider
    Accounts" is the list without a search."""
    form = UserFilterForm(request.GET, tax_ids=access.administered_tax_ids(request.user))
    filters = form.filters()
    sort = chosen_sort(request, user_selectors.USER_SORTS, "email")
    users = user_selectors.provider_users_for(request.user, sort=sort, **filters)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    numbers = user_selectors.tax_id_numbers_of(page.object_list)
    for profile in page.object_list:
        profile.tax_id_numbers = numbers.get(profile.user_id, [])
        profile.status_label = user_selectors.STATUS_LABELS[profile.status_code]
    context = {
        "title": "Manage Users",
        "breadcrumbs": _breadcrumbs(),
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(COLUMNS, sort),
        "searched": any(filters.values()),
        "statuses": UserStatus,
    }
    # The search form and the sort and page links swap just the results when htmx is there.
    template = list_template(request, "providers/users/user_list.html", "user-results")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@provider_portal
@delegated_admin_required
def user_create(request):
    """Create New User: an end user (the administrator themselves too, to see patients) or
    another delegated administrator."""
    form = UserCreateForm(
        request.POST or None, tax_ids=user_selectors.organization_tax_ids(request.user)
    )
    if form.is_valid():
        try:
            created = user_admin.provider_user_create(
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                is_delegated_admin=form.cleaned_data["kind"] == "admin",
                **form.access(),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{created.user.display_name} was created. Their user name and a temporary "
                "password were sent to them in two separate emails.",
            )
            return redirect("providers:user-detail", pk=created.user_id)
    return render(
        request,
        "providers/users/user_create.html",
        {"title": "Create New User", "breadcrumbs": _breadcrumbs(_list_crumb()), "form": form},
    )


@require_http_methods(["GET", "POST"])
@provider_portal
@delegated_admin_required
def user_detail(request, pk):
    """View / Edit User: who they are, their access (end users), and the actions their status
    allows."""
    target = user_selectors.get_provider_user_for(request.user, pk)
    is_self = target.user_id == request.user.pk
    if request.method == "POST" and (is_self or target.is_delegated_admin):
        raise PermissionDenied
    form = None
    if not target.is_delegated_admin:
        held = user_selectors.access_of(target)
        # Bound on any POST: unticking everything posts nothing, and is still an answer.
        form = UserAccessForm(
            request.POST if request.method == "POST" else None,
            tax_ids=user_selectors.organization_tax_ids(request.user),
            initial=UserAccessForm.initial_for(held),
        )
        if form.is_valid():
            try:
                user_admin.provider_user_access_change(
                    profile=target, **form.access(), by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"The access of {target.user.display_name} was updated; it applies from "
                    "their next page.",
                )
                return redirect("providers:user-detail", pk=target.user_id)
    return render(
        request,
        "providers/users/user_detail.html",
        {
            "title": target.user.display_name,
            "breadcrumbs": _breadcrumbs(_list_crumb()),
            "target": target,
            "target_user": target.user,
            "status_label": user_selectors.STATUS_LABELS[target.status_code],
            "form": form,
            "is_self": is_self,
            "statuses": UserStatus,
        },
    )


def _user_action(request, pk, action, done):
    """Run `action` on the organisation's user `pk` (404 otherwise); say how it went."""
    target = user_selectors.get_provider_user_for(request.user, pk)
    return managed_user_action(
        request,
        user=target.user,
        action=lambda: action(target),
        done=done,
        list_url_name="providers:user-list",
        detail_url_name="providers:user-detail",
    )


@require_POST
@provider_portal
@delegated_admin_required
def user_disable(request, pk):
    return _user_action(
        request,
        pk,
        lambda profile: user_admin.provider_user_disable(profile=profile, by=request.user),
        "{name} was disabled and signed out.",
    )


@require_POST
@provider_portal
@delegated_admin_required
def user_enable(request, pk):
    return _user_action(
        request,
        pk,
        lambda profile: user_admin.provider_user_enable(profile=profile, by=request.user),
        "{name} was enabled.",
    )


@require_POST
@provider_portal
@delegated_admin_required
def user_sign_in_resend(request, pk):
    return _user_action(
        request,
        pk,
        lambda profile: user_admin.provider_user_sign_in_resend(profile=profile, by=request.user),
        "{name} was sent their user name and a new temporary password, in two emails; the "
        "earlier temporary password no longer works.",
    )


@require_POST
@provider_portal
@delegated_admin_required
def user_password_reset(request, pk):
    return _user_action(
        request,
        pk,
        lambda profile: user_admin.provider_user_password_reset(
            profile=profile, by=request.user, request=request
        ),
        "{name} was sent a password reset email.",
    )


@require_http_methods(["GET", "POST"])
@provider_portal
@delegated_admin_required
def profile_email_update(request):
    """Update Profile Email: the delegated administrator's own address, which is also their
    user name."""
    profile = access.provider_user_for(request.user)
    form = EmailChangeForm(request.POST or None)
    if form.is_valid():
        try:
            user_admin.provider_admin_email_change(
                profile=profile,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Your email address was changed. Sign in with it from now on; the next time "
                "you do, we will ask you to confirm it from a link we email there.",
            )
            return redirect("providers:account")
    return render(
        request,
        "providers/users/profile_email.html",
        {"title": "Update Profile Email", "breadcrumbs": _breadcrumbs(), "form": form},
    )
