"""Employers' part of the demo world: the employer administrators among the demo logins, and the
billing and enrollment access employer@ grants broker@ (the employers themselves are
enrollment's)."""

from employers.services import broker_access_grant, employer_admin_add
from portal.accounts.models import Role
from portal.demo import cast
from portal.demo.world import World


def create_logins(world: World, password_hash) -> dict:
    """employer@, groupadmin@ and employer2@; returns the users by email."""
    tenants = world.tenants
    employer = cast.login_create(
        "employer@demo.test", "Taylor", "Marsh", Role.EMPLOYER_ADMIN, password_hash
    )
    employer_admin_add(employer=tenants.employer, user=employer, level="primary")
    for group in tenants.employer_groups[:2]:
        broker_access_grant(
            group=group, broker=tenants.broker, functions=cast.GRANTED_FUNCTIONS, by=employer
        )

    groupadmin = cast.login_create(
        "groupadmin@demo.test", "Jamie", "Castellanos", Role.EMPLOYER_ADMIN, password_hash
    )
    employer_admin_add(
        employer=tenants.employer,
        user=groupadmin,
        level="group_admin",
        groups=[tenants.employer_groups[2]],
        by=employer,
    )

    employer2 = cast.login_create(
        "employer2@demo.test", "Riley", "Sandoval", Role.EMPLOYER_ADMIN, password_hash
    )
    employer_admin_add(employer=tenants.employer2, user=employer2, level="primary")
    return {user.email: user for user in (employer, groupadmin, employer2)}
