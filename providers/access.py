"""Which Tax IDs a provider office user may work under, and with which functions.

Eligibility is standard for end users; claims and authorizations are granted per Tax ID by the
delegated administrator. A delegated administrator manages users but, as the seeds require, sees
no patient data unless also set up as an end user.
"""

from functools import wraps

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import render
from guardian.shortcuts import assign_perm

from portal.access import with_object_perm
from portal.accounts.decorators import audience_required
from portal.accounts.models import Role
from providers.models import (
    ProviderUser,
    TaxId,
    TaxIdGroupObjectPermission,
    TaxIdUserObjectPermission,
)

provider_portal = audience_required(Role.PROVIDER_USER)

END_USER_FUNCTIONS = ("check_eligibility", "inquire_claims", "check_authorizations")
# A function's name as the delegated administrator's user form shows it.
FUNCTION_NAMES = {
    "check_eligibility": "Eligibility Verification",
    "inquire_claims": "Claims Inquiry",
    "check_authorizations": "Authorization Status",
}


def provider_user_for(user):
    if user.role != Role.PROVIDER_USER:
        return None
    # Kept on the request's user: the decorator, the view and the selectors all ask.
    if not hasattr(user, "_provider_profile"):
        user._provider_profile = (
            ProviderUser.objects.filter(user=user).select_related("organization").first()
        )
    return user._provider_profile


def administered_tax_ids(user):
    profile = provider_user_for(user)
    if profile is None or not profile.is_delegated_admin:
        return TaxId.objects.none()
    return TaxId.objects.filter(organization_id=profile.organization_id)


def visible_tax_ids(user, perm="check_eligibility"):
    profile = provider_user_for(user)
    if profile is None:
        return TaxId.objects.none()
    return with_object_perm(
        TaxId.objects.filter(organization_id=profile.organization_id), user, perm
    )


def grant_tax_id_functions(provider_user, tax_id, perms):
    if tax_id.organization_id != provider_user.organization_id:
        raise ValueError("A user can only be given their own organisation's Tax IDs.")
    for perm in ("check_eligibility", *perms):
        assign_perm(f"providers.{perm}", provider_user.user, tax_id)


def tax_id_access_set(provider_user, tax_ids, functions):
    """Give an end user exactly `tax_ids` (eligibility on each, plus `functions`), taking away
    every other function and Tax ID they held; effective on their next request."""
    TaxIdUserObjectPermission.objects.filter(
        user_id=provider_user.user_id, content_object__organization_id=provider_user.organization_id
    ).delete()
    for tax_id in tax_ids:
        grant_tax_id_functions(provider_user, tax_id, functions)


def tax_id_access_of(provider_user):
    """The user's own grants: the Tax IDs they hold eligibility on (ids) and the functions
    beyond eligibility they hold on any of them."""
    rows = TaxIdUserObjectPermission.objects.filter(
        user_id=provider_user.user_id, content_object__organization_id=provider_user.organization_id
    ).values_list("content_object_id", "permission__codename")
    tax_id_ids = {pk for pk, codename in rows if codename == "check_eligibility"}
    functions = {codename for _, codename in rows if codename != "check_eligibility"}
    return tax_id_ids, functions


def practitioner_scope(user, perm, field="practitioner"):
    """A filter keeping the rows of the individual providers the user acts for, when their
    delegated administrator chose some; none chosen (most users): no filter at all.

    Whether any were chosen comes with the user's Tax IDs (`practitioners_chosen`, see
    _tax_ids_held), so the claim and authorization pages run no extra query for it, and
    unrestricted users' queries stay as they were (the subquery cost ~4 ms a page, mostly the
    ORM compiling it). A restricted user does not see rows without a practitioner: those are
    billed at the Tax ID, not by the providers they act for.
    """
    if not any(getattr(t, "practitioners_chosen", False) for t in granted_tax_ids(user, perm)):
        return Q()
    chosen = ProviderUser.practitioners.through.objects.filter(provideruser__user_id=user.pk)
    return Q(**{f"{field}_id__in": chosen.values("practitioner_id")})


def delegated_admin_required(view):
    """Manage Users is for the office's delegated administrators: anyone else of the portal
    gets a 403 that says who manages users, as function_required does for a function."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        profile = provider_user_for(request.user)
        if profile is None or not profile.is_delegated_admin:
            return render(
                request,
                "providers/users/admin_only.html",
                {"title": "Not available to you"},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


def granted_tax_ids(user, perm):
    """The user's Tax IDs with `perm`, as a list kept on the request's user: the decorator, the
    form's choices and the selectors' scoping all ask, and an office has a handful."""
    held = user.__dict__.setdefault("_provider_tax_ids", {})
    if perm not in held:
        held[perm] = [] if user.role != Role.PROVIDER_USER else list(_tax_ids_held(user, perm))
    return held[perm]


def _tax_ids_held(user, perm):
    """visible_tax_ids in one query, written out: the organisation through the user's profile
    and the permission by name, joined in rather than looked up first. Three round trips
    were a third of the eligibility search's database time, and the ORM's compiling of the
    same two EXISTS took longer than PostgreSQL's running them (5 ms against 0.1 ms on a
    loaded machine). The permission is looked up once (the CTE) and the grants are a UNION
    of two index probes: PostgreSQL plans that in 0.3 ms, the permission joined into two
    EXISTS in 0.8-1.2 ms."""
    grants = TaxIdUserObjectPermission._meta.db_table
    group_grants = TaxIdGroupObjectPermission._meta.db_table
    user_groups = get_user_model().groups.through._meta.db_table
    chosen = ProviderUser.practitioners.through._meta.db_table
    # practitioners_chosen: whether the user acts only for some individual providers (see
    # practitioner_scope), answered here rather than by a query of its own.
    sql = f"""
        WITH perm AS (
            SELECT p.id FROM auth_permission p
            JOIN django_content_type ct ON ct.id = p.content_type_id
            WHERE p.codename = %(perm)s AND ct.app_label = 'providers' AND ct.model = 'taxid'
        )
        SELECT t.*,
               EXISTS (SELECT 1 FROM {chosen} c WHERE c.provideruser_id = pu.id)
                 AS practitioners_chosen
        FROM {TaxId._meta.db_table} t
        JOIN {ProviderUser._meta.db_table} pu
          ON pu.organization_id = t.organization_id AND pu.user_id = %(user)s
        WHERE t.id IN (
            SELECT g.content_object_id FROM {grants} g
            WHERE g.user_id = %(user)s AND g.permission_id = (SELECT id FROM perm)
            UNION ALL
            SELECT g.content_object_id FROM {group_grants} g
            JOIN {user_groups} ug ON ug.group_id = g.group_id
            WHERE ug.user_id = %(user)s AND g.permission_id = (SELECT id FROM perm)
        )
        ORDER BY t.number
    """  # noqa: S608 - only table names are formatted in; the values are parameters
    return TaxId.objects.raw(sql, {"user": user.pk, "perm": perm})


def holds_function(user, perm):
    """Does the user hold `perm` on at least one Tax ID of their organisation?"""
    return bool(granted_tax_ids(user, perm))


def function_required(perm):
    """403, saying which function is missing and who grants it, for a user who holds `perm`
    on none of their Tax IDs. Objects of a Tax ID they were not granted are the selectors'
    404, as for objects that do not exist."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not holds_function(request.user, perm):
                profile = provider_user_for(request.user)
                return render(
                    request,
                    "providers/function_missing.html",
                    {
                        "title": "Not available to you",
                        "function": FUNCTION_NAMES[perm],
                        "is_delegated_admin": profile is not None and profile.is_delegated_admin,
                    },
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
