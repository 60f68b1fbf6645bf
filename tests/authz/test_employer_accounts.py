"""Manage Accounts' object pages with real users of the acting administrator's own suffix, of a
sibling suffix of the same employer, and of another employer.

The access matrix requests them with groupadmin@'s own delegate; here every user page and action
is also requested with users the acting user may not manage, who answer 404 like users that do
not exist, and stay as they were.
"""

import pytest
from django.urls import reverse

from employers.access import Access
from employers.models import EmployerAdmin
from employers.services import employer_user_invite
from portal.accounts.models import User

ACTIONS = [
    "employers:user-disable",
    "employers:user-enable",
    "employers:user-password-reset",
    "employers:user-registration-resend",
]


def invite(cast, *, email, level, group, by, employer=None):
    return employer_user_invite(
        employer=employer or group.parent.employer,
        email=email,
        first_name="Test",
        last_name="User",
        level=level,
        access=Access(frozenset({group.pk}), frozenset({"enrollment_view"})),
        by=by,
    ).user


@pytest.fixture
def users(cast):
    """A user of each scope, as seen from groupadmin@ (who holds the first suffix only)."""
    own, sibling = cast.employer_groups[0], cast.employer_groups[1]
    sibling_admin = invite(
        cast,
        email="sibling-admin@employer.example",
        level="group_admin",
        group=sibling,
        by=cast.employer,
    )
    return {
        "own suffix": invite(
            cast, email="own@tpa.example", level="delegate", group=own, by=cast.groupadmin
        ),
        "sibling suffix": invite(
            cast, email="sibling@tpa.example", level="delegate", group=sibling, by=sibling_admin
        ),
        "sibling suffix admin": sibling_admin,
        "another employer": invite(
            cast,
            email="other@tpa.example",
            level="delegate",
            group=cast.other_employer_group,
            by=cast.employer2,
        ),
    }


def requests_for(client, user):
    """Status of each user page and action requested for `user`."""
    statuses = {"detail": client.get(reverse("employers:user-detail", args=[user.pk])).status_code}
    statuses["update"] = client.post(
        reverse("employers:user-detail", args=[user.pk]), {"first_name": "Changed"}
    ).status_code
    for name in ACTIONS:
        statuses[name] = client.post(reverse(name, args=[user.pk])).status_code
    return statuses


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("groupadmin", {"own suffix"}),
        ("employer", {"own suffix", "sibling suffix", "sibling suffix admin"}),
        ("employer2", {"another employer"}),
    ],
)
def test_user_pages_answer_404_outside_the_acting_users_reach(cast, client, users, role, allowed):
    client.force_login(cast.users[role])
    for scope, user in users.items():
        statuses = requests_for(client, user)
        if scope in allowed:
            # The page shows; the update is a form error (no last name); actions redirect back.
            assert statuses["detail"] == 200, scope
            assert statuses["update"] == 200, scope
            assert {statuses[name] for name in ACTIONS} == {302}, scope
        else:
            assert set(statuses.values()) == {404}, f"{role} on {scope}: {statuses}"
            unchanged = User.objects.get(pk=user.pk)
            assert unchanged.is_active and unchanged.first_name == "Test"


def test_nobody_reaches_their_own_user_page(cast, client):
    for role in ("employer", "groupadmin", "employer2"):
        user = cast.users[role]
        client.force_login(user)
        assert client.get(reverse("employers:user-detail", args=[user.pk])).status_code == 404


def test_a_delegate_gets_403_on_the_user_pages(cast, client, users):
    client.force_login(users["own suffix"])
    assert client.get(reverse("employers:user-list")).status_code == 403
    assert client.get(reverse("employers:user-create")).status_code == 403
    other = users["sibling suffix"]
    assert client.get(reverse("employers:user-detail", args=[other.pk])).status_code == 403
    assert EmployerAdmin.objects.get(user=users["own suffix"]).level == "delegate"
