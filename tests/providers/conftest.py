import datetime

import pytest

from portal.accounts.models import Role
from providers.services import provider_user_add
from tests import factories as f


@pytest.fixture
def clerk(cast):
    """A Valley Medical Group end user with every function on the first Tax ID only: the
    second Tax ID is a sibling they were not granted."""
    user = f.UserFactory(email="clerk@demo.test", role=Role.PROVIDER_USER)
    provider_user_add(
        organization=cast.tax_ids[0].organization,
        user=user,
        tax_ids=cast.tax_ids[:1],
        functions=("inquire_claims", "check_authorizations"),
        by=cast.provider,
    )
    return user


@pytest.fixture
def family(cast):
    """A subscriber and a dependent, covered since 2026 with a PCP, in employer@'s first group."""
    subscriber = cast.members[cast.employer_groups[0].number]
    subscriber.pcp_name, subscriber.pcp_npi = "Dana Whitfield", "9000000001"
    subscriber.save(update_fields=["pcp_name", "pcp_npi"])
    dependent = subscriber.dependents.get()
    for member in (subscriber, dependent):
        f.CoverageFactory(
            member=member,
            start_date=datetime.date(2025, 1, 1),
            end_date=datetime.date(2025, 12, 31),
        )
        f.CoverageFactory(member=member, plan=subscriber.plan, start_date=datetime.date(2026, 1, 1))
    return subscriber, dependent
