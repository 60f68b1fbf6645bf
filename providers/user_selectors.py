"""Reads for Manage Users: the provider office users a delegated administrator manages.

Every user of the administrator's organisation, the administrator included (shown, but not
changed, on their own page); anyone else's user is the same 404 as one that does not exist.
"""

from collections import defaultdict

from django.contrib.auth.models import Permission
from django.db.models import Case, CharField, Exists, OuterRef, Q, Subquery, Value, When
from django.shortcuts import get_object_or_404

from portal.accounts.models import UserStatus
from providers import access
from providers.models import ProviderUser, TaxId, TaxIdUserObjectPermission

# User.status in SQL, with a user who has not finished their first sign-in pending, so that the
# list filters and sorts by it.
USER_STATUS = Case(
    When(user__is_active=False, then=Value(UserStatus.DISABLED)),
    When(user__locked_at__isnull=False, then=Value(UserStatus.LOCKED)),
    When(must_change_password=True, then=Value(UserStatus.PENDING)),
    default=Value(UserStatus.ACTIVE),
    output_field=CharField(),
)
# How Manage Users names each status: a provider user is never "registering", they are sent a
# temporary password.
STATUS_LABELS = {
    UserStatus.PENDING: "Awaiting first sign-in",
    UserStatus.ACTIVE: "Active",
    UserStatus.LOCKED: "Locked",
    UserStatus.DISABLED: "Disabled",
}
# The list's sort keys, as they appear in its URLs.
USER_SORTS = {
    "email": "user__email",
    "last_name": "user__last_name",
    "first_name": "user__first_name",
    "kind": "is_delegated_admin",
    "status": "status_code",
    "created": "user__date_joined",
}


def provider_users_for(user, *, q="", tax_id=None, status="", kind="", sort="email"):
    """The users of the organisation `user` administers (none unless a delegated
    administrator), with `status_code` annotated. `q` matches the email, first or last name
    anywhere, ignoring case; `tax_id` keeps the end users granted it; `kind` is "admin" or
    "end_user"; `sort` is a key of USER_SORTS, "-" first for descending."""
    profile = access.provider_user_for(user)
    if profile is None or not profile.is_delegated_admin:
        return ProviderUser.objects.none()
    users = (
        ProviderUser.objects.filter(organization_id=profile.organization_id)
        .select_related("user")
        .annotate(status_code=USER_STATUS)
    )
    if q:
        users = users.filter(
            Q(user__email__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(user__last_name__icontains=q)
        )
    if tax_id is not None:
        # The permission as a subquery of its own (run once), not joined into each probe:
        # joined, PostgreSQL probed the permission table once per grant (20 ms for 300 users).
        eligibility = Permission.objects.filter(
            codename="check_eligibility",
            content_type__app_label="providers",
            content_type__model="taxid",
        ).values("pk")[:1]
        users = users.filter(
            Exists(
                TaxIdUserObjectPermission.objects.filter(
                    user_id=OuterRef("user_id"),
                    content_object=tax_id,
                    permission_id=Subquery(eligibility),
                )
            )
        )
    if status:
        users = users.filter(status_code=status)
    if kind:
        users = users.filter(is_delegated_admin=kind == "admin")
    field = USER_SORTS.get(sort.removeprefix("-"), "user__email")
    descending = "-" if sort.startswith("-") else ""
    return users.order_by(f"{descending}{field}", f"{descending}pk")


def get_provider_user_for(user, pk):
    """The organisation's provider user whose user id is `pk`, if `user` administers it; else
    404, the same as for a user who does not exist."""
    return get_object_or_404(provider_users_for(user), user_id=pk)


def tax_id_numbers_of(profiles) -> dict:
    """The Tax ID numbers each end user of `profiles` may look patients up under, by user id,
    in one query for a page of them."""
    user_ids = [profile.user_id for profile in profiles if not profile.is_delegated_admin]
    rows = (
        TaxIdUserObjectPermission.objects.filter(
            user_id__in=user_ids, permission__codename="check_eligibility"
        )
        .order_by("content_object__number")
        .values_list("user_id", "content_object__number")
    )
    numbers = defaultdict(list)
    for user_id, number in rows:
        numbers[user_id].append(number)
    return numbers


def organization_tax_ids(user):
    """The Tax IDs a delegated administrator administers, with their providers, for the user
    forms' choices."""
    return list(access.administered_tax_ids(user).prefetch_related("practitioners"))


def access_of(profile: ProviderUser) -> dict:
    """An end user's access as the edit form shows it: Tax IDs, providers and functions."""
    tax_id_ids, functions = access.tax_id_access_of(profile)
    return {
        "tax_ids": sorted(tax_id_ids),
        "practitioners": sorted(profile.practitioners.values_list("pk", flat=True)),
        "functions": sorted(functions),
    }


def tax_ids_named(pks) -> list:
    return list(TaxId.objects.filter(pk__in=pks).order_by("number"))
