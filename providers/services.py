from django.db import transaction

from portal.accounts.models import Role, User
from providers import access
from providers.models import ProviderOrganization, ProviderUser


@transaction.atomic
def provider_user_add(
    *,
    organization: ProviderOrganization,
    user: User,
    is_delegated_admin: bool = False,
    tax_ids=(),
    functions=(),
    by: User | None = None,
) -> ProviderUser:
    """Add a user to a provider office. End users get eligibility on `tax_ids`, plus `functions`."""
    user.role = Role.PROVIDER_USER
    user.save(update_fields=["role"])
    profile = ProviderUser.objects.create(
        user=user, organization=organization, is_delegated_admin=is_delegated_admin, created_by=by
    )
    for tax_id in tax_ids:
        access.grant_tax_id_functions(profile, tax_id, functions)
    return profile
