"""Office staff pages with real objects: a broker reaches the staff users of their own office
(200), never those of a colleague's office in the same agency or of another agency (404); a
staff user without Manage Accounts gets 403 whatever the object."""

import pytest
from django.urls import reverse

from portal.accounts.models import User

STAFF_OBJECT_PAGES = ["brokers:staff-detail"]
STAFF_OBJECT_ACTIONS = ["brokers:staff-disable", "brokers:staff-password-reset"]
OBJECTS = ["own", "sibling", "other_tenant"]


def _target(cast, which):
    return {
        "own": cast.staff,
        "sibling": cast.sibling_office_staff,
        "other_tenant": cast.other_tenant_staff,
    }[which]


def _expected(role, which):
    if role == "staff":
        return 403
    own_office = {"broker": "own", "broker2": "other_tenant"}.get(role)
    return "ok" if which == own_office else 404


@pytest.mark.parametrize("which", OBJECTS)
@pytest.mark.parametrize("role", ["broker", "staff", "upline", "broker2"])
@pytest.mark.parametrize("url_name", STAFF_OBJECT_PAGES)
def test_staff_pages_answer_only_the_users_own_office(url_name, role, which, cast, client):
    client.force_login(cast.users[role])
    response = client.get(reverse(url_name, args=[_target(cast, which).pk]))
    expected = _expected(role, which)
    assert response.status_code == (200 if expected == "ok" else expected)


@pytest.mark.parametrize("which", OBJECTS)
@pytest.mark.parametrize("role", ["broker", "staff", "upline", "broker2"])
@pytest.mark.parametrize("url_name", STAFF_OBJECT_ACTIONS)
def test_staff_actions_change_only_the_users_own_office(url_name, role, which, cast, client):
    target = _target(cast, which)
    client.force_login(cast.users[role])
    response = client.post(reverse(url_name, args=[target.pk]))
    expected = _expected(role, which)
    if expected == "ok":
        assert response.status_code == 302
    else:
        assert response.status_code == expected
        assert User.objects.get(pk=target.pk).is_active


@pytest.mark.parametrize("role", ["employer", "provider", "ops"])
def test_other_audiences_never_reach_a_staff_page(role, cast, client):
    client.force_login(cast.users[role])
    assert client.get(reverse("brokers:staff-detail", args=[cast.staff.pk])).status_code == 404
    assert client.post(reverse("brokers:staff-disable", args=[cast.staff.pk])).status_code == 404
    assert User.objects.get(pk=cast.staff.pk).is_active
