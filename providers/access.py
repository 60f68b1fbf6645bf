"""Which Tax IDs a provider office user may work under, and with which functions.

Eligibility is standard for end users; claims and authorizations are granted per Tax ID by the
delegated administrator. A delegated administrator manages users but, as the seeds require, sees
no patient data unless also set up as an end user.
"""

from guardian.shortcuts import assign_perm

from portal.access import with_object_perm
from portal.accounts.models import Role
from providers.models import ProviderUser, TaxId

END_USER_FUNCTIONS = ("check_eligibility", "inquire_claims", "check_authorizations")


def provider_user_for(user):
    if user.role != Role.PROVIDER_USER:
        return None
    return ProviderUser.objects.filter(user=user).select_related("organization").first()


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
