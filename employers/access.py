"""Which groups an employer administrator may see and what they may do there.

Primary and secondary client administrators act on every group of their employer; group
administrators and delegates only on the groups granted to them (guardian, per user).
"""

from guardian.shortcuts import assign_perm

from employers.models import EmployerAdmin
from enrollment.models import Group
from portal.access import with_object_perm
from portal.accounts.decorators import audience_required
from portal.accounts.models import Role

# A view decorator: the employer portal's pages are for employer administrators only (404 else).
employer_portal = audience_required(Role.EMPLOYER_ADMIN)

ALL_GROUP_FUNCTIONS = (
    "view_group",
    "view_roster",
    "perform_enrollment",
    "receive_enrollment_notifications",
    "view_invoice",
    "view_payment_history",
    "view_balance",
    "pay_bill",
    "run_reports",
)
BILLING_FUNCTIONS = ("view_invoice", "view_payment_history", "view_balance")
ENROLLMENT_FUNCTIONS = ("perform_enrollment", "receive_enrollment_notifications")


def admin_for(user):
    if user.role != Role.EMPLOYER_ADMIN:
        return None
    return EmployerAdmin.objects.filter(user=user).select_related("employer").first()


def visible_groups(user, perm="view_group"):
    admin = admin_for(user)
    if admin is None:
        return Group.objects.none()
    groups = Group.objects.filter(parent__employer_id=admin.employer_id)
    if admin.is_client_admin:
        return groups
    return with_object_perm(groups, user, perm)


def grant_admin_groups(admin, groups, perms=ALL_GROUP_FUNCTIONS):
    """Give a group administrator or delegate functions on some of the employer's groups."""
    for group in groups:
        if group.parent.employer_id != admin.employer_id:
            raise ValueError("A group administrator can only be given their own employer's groups.")
        for perm in perms:
            assign_perm(f"enrollment.{perm}", admin.user, group)


class ClientAdminBackend:
    """Primary and secondary client administrators hold every group function on every group of
    their employer, including groups added after they were set up.

    An authorization backend, so that core code asks `user.has_perm("enrollment.view_roster",
    group)` without knowing about employer administrators.
    """

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        app_label, _, codename = perm.partition(".")
        if (
            not isinstance(obj, Group)
            or app_label != "enrollment"
            or codename not in ALL_GROUP_FUNCTIONS
        ):
            return False
        if not hasattr(user_obj, "_client_admin_employer_id"):
            admin = admin_for(user_obj) if user_obj.is_active else None
            user_obj._client_admin_employer_id = (
                admin.employer_id if admin and admin.is_client_admin else None
            )
        employer_id = user_obj._client_admin_employer_id
        return employer_id is not None and obj.parent.employer_id == employer_id
