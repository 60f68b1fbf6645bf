"""Who can see what: every portal user who can reach an employer group and through which grant,
and everything one user can reach.

Read from the same rows the portal's access checks read (guardian's direct-FK tables, employer
administrators, brokers of record, employers' grants, upline access), so the review can't
disagree with what the pages let through; tests/authz/test_access_review.py checks it against
real requests. Each office permission is explained by the grant that put it there; one that no
current grant explains is listed as such, for ops to look into.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db.models import Q

from brokers.access import BOOK_OF_BUSINESS_PERMS
from brokers.models import Broker, BrokerOfRecord
from employers.access import ALL_GROUP_FUNCTIONS
from employers.models import BrokerAccessGrant, EmployerAdmin
from enrollment.models import Group, GroupGroupObjectPermission, GroupUserObjectPermission
from portal.accounts.models import Role, User
from providers.models import (
    ProviderUser,
    TaxId,
    TaxIdGroupObjectPermission,
    TaxIdUserObjectPermission,
)


class Through:
    """The kinds of grant, in the order a review lists them."""

    CLIENT_ADMIN = "client_admin"
    EMPLOYER_USER = "employer_user"
    BROKER_OF_RECORD = "broker_of_record"
    EMPLOYER_GRANT = "employer_grant"
    UPLINE = "upline"
    PROVIDER_ADMIN = "provider_admin"
    TAX_ID_GRANT = "tax_id_grant"
    UNEXPLAINED = "unexplained"

    ORDER = (
        CLIENT_ADMIN,
        EMPLOYER_USER,
        BROKER_OF_RECORD,
        EMPLOYER_GRANT,
        UPLINE,
        PROVIDER_ADMIN,
        TAX_ID_GRANT,
        UNEXPLAINED,
    )


@dataclass(frozen=True)
class Reach:
    """One way `user` reaches `target` (a Group or a TaxId): the grant in words, its kind and
    the permission codenames it gives there."""

    user: User
    target: object
    kind: str
    through: str
    functions: tuple

    @property
    def pending(self) -> bool:
        """Invited but not registered yet: the access is theirs as soon as they finish."""
        return not self.user.has_usable_password()


def _sorted(reaches):
    return sorted(
        reaches,
        key=lambda r: (
            Through.ORDER.index(r.kind),
            str(getattr(r.target, "number", "")),
            r.user.email,
        ),
    )


def _functions(codenames):
    """Codenames in the order of ALL_GROUP_FUNCTIONS (then any other, alphabetically)."""
    known = [name for name in ALL_GROUP_FUNCTIONS if name in codenames]
    return tuple(known + sorted(set(codenames) - set(known)))


def _office_reasons(held_by_office_group):
    """{(office id, group id): [(kind, words, codenames)]} for the permissions broker offices
    hold on groups, each explained by the grant that gives it.

    Four queries whatever the number of pairs: the offices' brokers, the groups' current brokers
    of record (with their upline access), the employers' grants and nothing else.
    """
    office_ids = {office for office, _ in held_by_office_group}
    group_ids = {group for _, group in held_by_office_group}
    brokers = {
        broker.office_id: broker
        for broker in Broker.objects.filter(office_id__in=office_ids).select_related("agency")
    }
    records = {
        record.group_id: record
        for record in BrokerOfRecord.objects.filter(
            group_id__in=group_ids, end_date__isnull=True
        ).select_related("broker__agency", "broker__upline_access")
    }
    grants = {
        (grant.broker.office_id, grant.group_id): grant
        for grant in BrokerAccessGrant.objects.filter(
            group_id__in=group_ids, broker__office_id__in=office_ids
        ).select_related("broker")
    }
    reasons = {}
    for (office_id, group_id), held in held_by_office_group.items():
        broker = brokers.get(office_id)
        record = records.get(group_id)
        explained = []
        if record is not None and record.broker.office_id == office_id:
            explained.append(
                (
                    Through.BROKER_OF_RECORD,
                    f"Broker of record: office of {record.broker}",
                    held & set(BOOK_OF_BUSINESS_PERMS),
                )
            )
        grant = grants.get((office_id, group_id))
        if grant is not None:
            explained.append(
                (
                    Through.EMPLOYER_GRANT,
                    f"Employer's grant to the office of {grant.broker}",
                    held & {"view_group", *grant.functions},
                )
            )
        upline_access = getattr(record.broker, "upline_access", None) if record else None
        if (
            upline_access is not None
            and broker is not None
            and record.broker.agency.upline_id == broker.agency_id
        ):
            allowed = BOOK_OF_BUSINESS_PERMS if upline_access.rosters_allowed else ("view_group",)
            explained.append(
                (
                    Through.UPLINE,
                    f"Upline access from {record.broker} ({record.broker.agency}): "
                    f"office of {broker}",
                    held & set(allowed),
                )
            )
        explained = [reason for reason in explained if reason[2]]
        leftover = held - {name for _, _, names in explained for name in names}
        if leftover:
            office = f"office of {broker}" if broker else f"auth group #{office_id}"
            explained.append(
                (Through.UNEXPLAINED, f"Permission of the {office} with no current grant", leftover)
            )
        reasons[(office_id, group_id)] = explained
    return reasons


def _office_members(office_ids):
    """{office id: [active users]} for broker offices (Django auth groups)."""
    members = defaultdict(list)
    memberships = User.groups.through.objects.filter(
        group_id__in=office_ids, user__is_active=True
    ).select_related("user")
    for membership in memberships:
        members[membership.group_id].append(membership.user)
    return members


def _employer_user_words(admin):
    if admin is None:
        return "Direct grant to the user"
    return f"{admin.get_level_display()} of {admin.employer.name}"


def group_reach(group) -> list[Reach]:
    """Every active portal user who can reach `group`, once for each grant that lets them."""
    reaches = []
    client_admins = EmployerAdmin.objects.filter(
        employer_id=group.parent.employer_id,
        level__in=[EmployerAdmin.Level.PRIMARY, EmployerAdmin.Level.SECONDARY],
        user__is_active=True,
    ).select_related("user", "employer")
    for admin in client_admins:
        words = f"{admin.get_level_display()} of {admin.employer.name}"
        reaches.append(
            Reach(admin.user, group, Through.CLIENT_ADMIN, words, tuple(ALL_GROUP_FUNCTIONS))
        )

    held_by_user = defaultdict(set)
    for user_id, codename in GroupUserObjectPermission.objects.filter(
        content_object=group, user__is_active=True
    ).values_list("user_id", "permission__codename"):
        held_by_user[user_id].add(codename)
    users = User.objects.filter(pk__in=held_by_user).select_related("employer_admin__employer")
    for user in users:
        admin = getattr(user, "employer_admin", None)
        reaches.append(
            Reach(
                user,
                group,
                Through.EMPLOYER_USER,
                _employer_user_words(admin),
                _functions(held_by_user[user.pk]),
            )
        )

    held_by_office = defaultdict(set)
    for office_id, codename in GroupGroupObjectPermission.objects.filter(
        content_object=group
    ).values_list("group_id", "permission__codename"):
        held_by_office[(office_id, group.pk)].add(codename)
    reasons = _office_reasons(held_by_office)
    members = _office_members({office for office, _ in held_by_office})
    for (office_id, _group_id), explained in reasons.items():
        for user in members[office_id]:
            for kind, words, codenames in explained:
                reaches.append(Reach(user, group, kind, words, _functions(codenames)))
    return _sorted(reaches)


def ops_with_group_access():
    """Ops staff whose admin role lets them see groups (listed apart: they reach every group
    through the admin, not through a grant on this one)."""
    permission = Permission.objects.get(content_type__app_label="enrollment", codename="view_group")
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions=permission)
            | Q(groups__permissions=permission)
        )
        .distinct()
        .prefetch_related("groups")
        .order_by("email")
    )


def user_reach(user) -> list[Reach]:
    """Everything `user` can reach: groups (as an employer administrator, through their broker
    office) and Tax IDs (as a provider user), each with the grant that gives it."""
    if not user.is_active:
        return []
    reaches = []
    admin = EmployerAdmin.objects.filter(user=user).select_related("employer").first()
    if admin is not None and admin.is_client_admin:
        words = f"{admin.get_level_display()} of {admin.employer.name}"
        for group in Group.objects.filter(parent__employer_id=admin.employer_id).order_by("number"):
            reaches.append(
                Reach(user, group, Through.CLIENT_ADMIN, words, tuple(ALL_GROUP_FUNCTIONS))
            )

    held_by_group = defaultdict(set)
    for group_id, codename in GroupUserObjectPermission.objects.filter(user=user).values_list(
        "content_object_id", "permission__codename"
    ):
        held_by_group[group_id].add(codename)
    groups = Group.objects.in_bulk(list(held_by_group))
    for group_id, codenames in held_by_group.items():
        words = _employer_user_words(admin)
        reaches.append(
            Reach(user, groups[group_id], Through.EMPLOYER_USER, words, _functions(codenames))
        )

    office_ids = list(user.groups.values_list("pk", flat=True))
    held_by_office = defaultdict(set)
    for office_id, group_id, codename in GroupGroupObjectPermission.objects.filter(
        group_id__in=office_ids
    ).values_list("group_id", "content_object_id", "permission__codename"):
        held_by_office[(office_id, group_id)].add(codename)
    groups = Group.objects.in_bulk([group for _, group in held_by_office])
    for (_office_id, group_id), explained in _office_reasons(held_by_office).items():
        for kind, words, codenames in explained:
            reaches.append(Reach(user, groups[group_id], kind, words, _functions(codenames)))

    reaches += _tax_id_reach(user, office_ids)
    return _sorted(reaches)


def _tax_id_reach(user, office_ids):
    if user.role != Role.PROVIDER_USER:
        return []
    reaches = []
    profile = ProviderUser.objects.filter(user=user).select_related("organization").first()
    if profile is not None and profile.is_delegated_admin:
        words = f"Delegated administrator of {profile.organization.name} (manages its users)"
        for tax_id in TaxId.objects.filter(organization_id=profile.organization_id):
            reaches.append(Reach(user, tax_id, Through.PROVIDER_ADMIN, words, ("manage_users",)))
    held = defaultdict(set)
    for tax_id, codename in TaxIdUserObjectPermission.objects.filter(user=user).values_list(
        "content_object_id", "permission__codename"
    ):
        held[tax_id].add(codename)
    for tax_id, codename in TaxIdGroupObjectPermission.objects.filter(
        group_id__in=office_ids
    ).values_list("content_object_id", "permission__codename"):
        held[tax_id].add(codename)
    tax_ids = TaxId.objects.select_related("organization").in_bulk(list(held))
    for pk, codenames in held.items():
        tax_id = tax_ids[pk]
        words = f"Granted on a Tax ID of {tax_id.organization.name}"
        reaches.append(Reach(user, tax_id, Through.TAX_ID_GRANT, words, tuple(sorted(codenames))))
    return reaches
