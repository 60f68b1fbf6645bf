import datetime

import pytest
from guardian.shortcuts import assign_perm

from portal.accounts.models import Role
from portal.jobs.models import ReportJob
from tests import factories as f


@pytest.fixture
def report_storage(settings, tmp_path):
    """The report FileSystemStorage, writing under this test's tmp_path."""
    storage = ReportJob._meta.get_field("file").storage
    storage.__dict__["base_location"] = storage.__dict__["location"] = str(tmp_path / "reports")
    yield storage
    storage.__dict__.pop("base_location", None)
    storage.__dict__.pop("location", None)


@pytest.fixture
def roster_group(db):
    """A group with two families: a subscriber with a child, and one whose name is a formula."""
    group = f.GroupFactory()
    plan = f.PlanFactory(code="PPO123", name="Silver PPO 2500")
    parent = f.MemberFactory(
        group=group, plan=plan, last_name="Avila", first_name="Rosa", member_id="M000000001"
    )
    parent.set_ssn("123-45-6789")
    parent.save()
    f.DependentFactory(
        subscriber=parent,
        plan=plan,
        last_name="Avila",
        first_name="Tomas",
        member_id="M000000002",
        dob=datetime.date(2015, 6, 1),
    )
    f.MemberFactory(
        group=group,
        plan=plan,
        last_name='=HYPERLINK("http://evil.example")',
        first_name="Eve",
        member_id="M000000003",
    )
    return group


@pytest.fixture
def broker(db, roster_group):
    """A broker who may see the roster group's subscribers."""
    user = f.UserFactory(email="broker@jobs.test", role=Role.BROKER)
    assign_perm("enrollment.view_roster", user, roster_group)
    return user


@pytest.fixture
def outsider(db):
    """A broker with no access to the roster group."""
    return f.UserFactory(email="outsider@jobs.test", role=Role.BROKER)
