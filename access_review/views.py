"""The access review's admin pages: find a group or a user, then who can reach it / what they
can reach. Served under /admin/ through the admin's own login (admin_site.admin_view)."""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from access_review.access import can_review_access
from access_review.selectors import group_reach, ops_with_group_access, user_reach
from enrollment.models import Group
from portal.accounts.models import User

# A user review lists at most this many rows on the page; the export has them all.
ROWS_SHOWN = 500


def review_view(view):
    """Admin login first (staff only), then the security role's permission (403 without)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not can_review_access(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(require_GET(checked))


def _context(request, title, **context):
    return {
        **admin.site.each_context(request),
        "title": title,
        "index_url": reverse("access_review:index"),
        **context,
    }


@review_view
def review_index(request):
    """Look a group up by its number, or a user by their email address."""
    number = request.GET.get("group", "").strip()
    email = request.GET.get("email", "").strip()
    not_found = ""
    if number:
        group = Group.objects.filter(number=number).first()
        if group is not None:
            return redirect("access_review:group-review", pk=group.pk)
        not_found = f"No group has the number “{number}”."
    elif email:
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            return redirect("access_review:user-review", pk=user.pk)
        not_found = f"No user has the email address “{email}”."
    context = _context(request, "Access review", number=number, email=email, not_found=not_found)
    return render(request, "admin/access_review/index.html", context)


@review_view
def group_review(request, pk):
    group = get_object_or_404(Group.objects.select_related("parent__employer"), pk=pk)
    reaches = group_reach(group)
    context = _context(
        request,
        f"Who can reach group {group.number}",
        group=group,
        reaches=reaches,
        user_count=len({reach.user.pk for reach in reaches}),
        ops=ops_with_group_access(),
        export_kind="access_review_group",
    )
    return render(request, "admin/access_review/group_review.html", context)


@review_view
def user_review(request, pk):
    reviewed = get_object_or_404(User, pk=pk)
    reaches = user_reach(reviewed)
    context = _context(
        request,
        f"What {reviewed.email} can reach",
        reviewed=reviewed,
        reaches=reaches[:ROWS_SHOWN],
        total=len(reaches),
        capped=len(reaches) > ROWS_SHOWN,
        admin_roles=list(
            reviewed.groups.filter(name__startswith="Ops").values_list("name", flat=True)
        )
        if reviewed.is_staff
        else [],
        export_kind="access_review_user",
    )
    return render(request, "admin/access_review/user_review.html", context)
