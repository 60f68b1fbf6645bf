"""Which groups an employer administrator may see and what they may do there.

Primary and secondary client administrators act on every group of their employer; group
administrators and delegates only on the groups granted to them (guardian, per user).
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.shortcuts import assign_perm

from employers.models import EmployerAdmin
from enrollment.models import Group, GroupUserObjectPermission
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
    """The user's EmployerAdmin record (with its employer), or None.

    Kept on the user object, as brokers.access.broker_for keeps the office's broker: a page
    asks in its view, its selectors and its checks, and the answer can't change within one
    request (a change made by an administrator takes effect on the user's next request).
    """
    if not hasattr(user, "_employer_admin"):
        user._employer_admin = (
            EmployerAdmin.objects.filter(user=user).select_related("employer").first()
            if user.role == Role.EMPLOYER_ADMIN
            else None
        )
    return user._employer_admin


def visible_groups(user, perm="view_group"):
    admin = admin_for(user)
    if admin is None:
        return Group.objects.none()
    groups = Group.objects.filter(parent__employer_id=admin.employer_id)
    if admin.is_client_admin:
        return groups
    return with_object_perm(groups, user, perm)


def function_groups(user, perm):
    """The groups on which `user` may use one of the employer functions (view_invoice,
    view_payment_history, ...), whoever is asking: an administrator, on their employer's groups
    (visible_groups); a broker or their office staff, on the groups whose employer granted the
    office that function (brokers.selectors.office_groups, one probe of the office-grant index).
    Anyone else: none.

    For the employer pages brokers reach through grants (see `employer_or_broker`), so that one
    selector serves both.
    """
    from brokers.access import BROKER_ROLES, GRANTABLE_FUNCTIONS
    from brokers.selectors import office_groups

    if user.role == Role.EMPLOYER_ADMIN:
        return visible_groups(user, perm)
    # Only what an employer grants: the office's view_group and view_roster come with being
    # broker of record, not from the employer.
    if user.role in BROKER_ROLES and perm in GRANTABLE_FUNCTIONS:
        return office_groups(user, perm)
    return Group.objects.none()


@dataclass(frozen=True)
class Portal:
    """Whose portal a page shared by employers and brokers is shown in: its layout and the
    namespace of its URL names."""

    namespace: str
    base_template: str


PORTALS = {
    "employers": (Portal("employers", "employers/base.html"), (Role.EMPLOYER_ADMIN,)),
    "brokers": (Portal("brokers", "brokers/base.html"), (Role.BROKER, Role.BROKER_STAFF)),
}
# Office staff reach the groups an employer delegated from Eligibility, Status & Activity's
# Group Billing & Enrollment, so they need the tool their broker ticks for it.
BROKER_STAFF_TOOL = "brokers.use_eligibility"


def employer_or_broker(view):
    """A view decorator for the employer pages a broker also works, on the employer's behalf,
    where the employer granted it: one view for both audiences, scoped by who asks (its
    selectors use `function_groups`).

    The URL's namespace says whose portal the page is in; only that audience is let in (404 for
    anyone else, as on any page of another portal), and office staff need their Eligibility
    tool (403 without, as the broker portal's tools do). The view finds the portal, for its
    layout and links, in `request.portal`.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        portal, roles = PORTALS.get(request.resolver_match.namespace, (None, ()))
        if request.user.role not in roles:
            raise Http404
        if portal.namespace == "brokers" and not request.user.has_perm(BROKER_STAFF_TOOL):
            raise PermissionDenied
        request.portal = portal
        return view(request, *args, **kwargs)

    return wrapper


# What a change records as on whose behalf it was made: at most this long (the records' field).
ON_BEHALF_OF_LENGTH = 120


def on_behalf_of_text(user, employer):
    """What a change a broker-portal user makes for `employer` records as on whose behalf:
    the employer, and the broker whose office acted, with its Broker ID ("Cypress
    Manufacturing (broker Dana Reyes, BRK1001)"); the change's `by` is the user themselves.
    The employer's name is shortened if the whole would not fit."""
    from brokers.access import broker_codes_for, broker_for

    broker = broker_for(user)
    codes = broker_codes_for(user)
    acting = f"broker {broker.first_name} {broker.last_name}" if broker else "a broker"
    if codes:
        acting += f", {codes[0].code}"
    room = ON_BEHALF_OF_LENGTH - len(acting) - 3
    name = employer.name if len(employer.name) <= room else employer.name[: room - 1] + "…"
    return f"{name} ({acting})"


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


# Manage Accounts: the functions a client administrator gives a group administrator or delegate,
# in the words of the page, and the group permissions each one stands for. Each includes
# view_group: a group on which someone may do anything is a group they see. The enrollment
# notification is a preference rather than a function, but it is granted the same way, per group.
FUNCTIONS = {
    "enrollment_view": ("view_group", "view_roster"),
    "enrollment_perform": ("view_group", "view_roster", "perform_enrollment"),
    "billing_view": ("view_group", "view_invoice", "view_payment_history", "view_balance"),
    "billing_pay": (
        "view_group",
        "view_invoice",
        "view_payment_history",
        "view_balance",
        "pay_bill",
    ),
    "reports": ("view_group", "run_reports"),
    "enrollment_notifications": ("view_group", "receive_enrollment_notifications"),
}
ALL_FUNCTIONS = frozenset(FUNCTIONS)
Level = EmployerAdmin.Level


@dataclass(frozen=True)
class Access:
    """What an administrator may do: `functions` (keys of FUNCTIONS) on the groups `group_ids`.

    Manage Accounts gives the same functions on every chosen group, so one pair describes it.
    """

    group_ids: frozenset = frozenset()
    functions: frozenset = frozenset()

    def covers(self, other: "Access") -> bool:
        return other.group_ids <= self.group_ids and other.functions <= self.functions

    def __and__(self, other: "Access") -> "Access":
        return Access(self.group_ids & other.group_ids, self.functions & other.functions)


def perms_for_functions(functions) -> set[str]:
    return {perm for function in functions for perm in FUNCTIONS[function]}


def functions_for_perms(perms) -> set[str]:
    return {function for function, needed in FUNCTIONS.items() if set(needed) <= set(perms)}


def access_of(admin: EmployerAdmin) -> Access:
    """The groups and functions `admin` holds now: everything of the employer for a client
    administrator, their own grants for anyone else (the functions held on every granted group)."""
    employer_groups = Group.objects.filter(parent__employer_id=admin.employer_id)
    if admin.is_client_admin:
        return Access(frozenset(employer_groups.values_list("pk", flat=True)), ALL_FUNCTIONS)
    rows = GroupUserObjectPermission.objects.filter(
        user_id=admin.user_id, content_object__in=employer_groups
    ).values_list("content_object_id", "permission__codename")
    perms_by_group = defaultdict(set)
    for group_id, codename in rows:
        perms_by_group[group_id].add(codename)
    group_ids = {pk for pk, perms in perms_by_group.items() if "view_group" in perms}
    if not group_ids:
        return Access()
    functions = set.intersection(*(functions_for_perms(perms_by_group[pk]) for pk in group_ids))
    return Access(frozenset(group_ids), frozenset(functions))


def admin_access_set(admin: EmployerAdmin, access: Access) -> None:
    """Make the group permissions of a group administrator or delegate exactly `access`.

    Written straight to guardian's direct-FK table, so one change is two queries, not one per
    group and permission. Takes effect on the user's next request: permissions are read afresh
    for every request.
    """
    if admin.is_client_admin:
        raise ValueError("Client administrators hold every function; there is nothing to set.")
    employer_groups = Group.objects.filter(parent__employer_id=admin.employer_id)
    if set(access.group_ids) - set(employer_groups.values_list("pk", flat=True)):
        raise ValueError("An administrator can only be given their own employer's groups.")
    codenames = perms_for_functions(access.functions) if access.group_ids else set()
    permission_ids = dict(
        Permission.objects.filter(
            content_type__app_label="enrollment",
            content_type__model="group",
            codename__in=codenames,
        ).values_list("codename", "pk")
    )
    wanted = {(group_id, permission_ids[c]) for group_id in access.group_ids for c in codenames}
    held = GroupUserObjectPermission.objects.filter(
        user_id=admin.user_id, content_object__in=employer_groups
    )
    have = {(row.content_object_id, row.permission_id): row.pk for row in held}
    stale = [pk for key, pk in have.items() if key not in wanted]
    GroupUserObjectPermission.objects.filter(pk__in=stale).delete()
    GroupUserObjectPermission.objects.bulk_create(
        GroupUserObjectPermission(
            user_id=admin.user_id, content_object_id=group_id, permission_id=permission_id
        )
        for group_id, permission_id in wanted - set(have)
    )


# Who manages whom. The primary client administrator manages everyone else of the employer; the
# secondary everyone but the primary; a group administrator only the delegates they created;
# a delegate nobody. Nobody changes their own access, and ops alone change the primary.
CREATABLE_LEVELS = {
    Level.PRIMARY: (Level.SECONDARY, Level.GROUP_ADMIN, Level.DELEGATE),
    Level.SECONDARY: (Level.GROUP_ADMIN, Level.DELEGATE),
    Level.GROUP_ADMIN: (Level.DELEGATE,),
    Level.DELEGATE: (),
}


def can_manage_accounts(admin: EmployerAdmin | None) -> bool:
    return admin is not None and bool(CREATABLE_LEVELS[admin.level])


def levels_creatable_by(admin: EmployerAdmin) -> tuple:
    return CREATABLE_LEVELS[admin.level]


def manageable_admins(user):
    """The administrator rows `user` may see and change in View and Edit Users."""
    admin = admin_for(user)
    if admin is None:
        return EmployerAdmin.objects.none()
    admins = EmployerAdmin.objects.filter(employer_id=admin.employer_id).exclude(user_id=user.pk)
    if admin.level == Level.PRIMARY:
        return admins
    if admin.level == Level.SECONDARY:
        return admins.exclude(level=Level.PRIMARY)
    if admin.level == Level.GROUP_ADMIN:
        return admins.filter(level=Level.DELEGATE, created_by_id=user.pk)
    return EmployerAdmin.objects.none()


def access_bound_for(target: EmployerAdmin, actor: EmployerAdmin) -> Access:
    """The widest access `actor` may give `target`: no more than the actor holds, and for a
    delegate no more than the administrator who created them holds."""
    bound = access_of(actor)
    if target.level == Level.DELEGATE and target.created_by_id:
        creator = EmployerAdmin.objects.filter(
            user_id=target.created_by_id, employer_id=target.employer_id
        ).first()
        if creator is not None and not creator.is_client_admin:
            bound = bound & access_of(creator)
    return bound
