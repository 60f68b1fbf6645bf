from django.db import transaction
from django.utils import timezone

from brokers import access as broker_access
from brokers.models import Broker
from employers import access
from employers.models import BrokerAccessGrant, EmployerAdmin
from enrollment.models import Employer, Group
from portal.accounts.models import Role, User


@transaction.atomic
def employer_admin_add(
    *, employer: Employer, user: User, level: str, groups=(), by: User | None = None
):
    """Make `user` an administrator of `employer`; group admins and delegates get `groups`."""
    user.role = Role.EMPLOYER_ADMIN
    user.save(update_fields=["role"])
    admin = EmployerAdmin.objects.create(user=user, employer=employer, level=level, created_by=by)
    if not admin.is_client_admin:
        access.grant_admin_groups(admin, groups)
    return admin


@transaction.atomic
def broker_access_grant(*, group: Group, broker: Broker, functions, by: User) -> BrokerAccessGrant:
    """Grant (or change) the billing and enrollment functions a broker has on one group.

    The terms are accepted by submitting; functions not listed are taken away.
    """
    unknown = set(functions) - set(broker_access.GRANTABLE_FUNCTIONS)
    if unknown:
        raise ValueError(f"Not a grantable function: {', '.join(sorted(unknown))}")
    grant, _ = BrokerAccessGrant.objects.update_or_create(
        group=group,
        broker=broker,
        defaults={
            "employer": group.parent.employer,
            "functions": sorted(functions),
            "granted_by": by,
            "terms_accepted_at": timezone.now(),
        },
    )
    broker_access.revoke_group_functions(
        broker, group, set(broker_access.GRANTABLE_FUNCTIONS) - set(functions)
    )
    broker_access.grant_group_functions(broker, group, ["view_group", *functions])
    return grant
