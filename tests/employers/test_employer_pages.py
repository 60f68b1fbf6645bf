import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from employers.services import employer_admin_add
from tests.factories import GroupFactory, UserFactory


def test_primary_admin_sees_all_groups_of_the_employer(cast, client):
    client.force_login(cast.employer)
    response = client.get(reverse("employers:home"))
    assert list(response.context["groups"]) == cast.employer_groups


def test_group_admin_sees_one_suffix(cast, client):
    client.force_login(cast.groupadmin)
    response = client.get(reverse("employers:home"))
    assert list(response.context["groups"]) == cast.employer_groups[:1]
    assert cast.employer_groups[1].number.encode() not in response.content


def test_other_employer_sees_none_of_these_groups(cast, client):
    client.force_login(cast.employer2)
    response = client.get(reverse("employers:home"))
    assert list(response.context["groups"]) == [cast.other_employer_group]


def test_a_group_admin_cannot_be_given_another_employers_group(cast):
    with pytest.raises(ValueError):
        employer_admin_add(
            employer=cast.employer_groups[0].parent.employer,
            user=UserFactory(role="employer_admin"),
            level="group_admin",
            groups=[cast.other_employer_group],
        )


def _queries_for_home(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("employers:home"))
    return len(captured), response


def test_home_query_count_is_flat_in_the_number_of_groups(cast, client):
    client.force_login(cast.employer)
    before, _ = _queries_for_home(client)
    for n in range(5):
        GroupFactory(parent=cast.employer_groups[0].parent, suffix=f"01{n}0")
    after, response = _queries_for_home(client)
    assert len(response.context["groups"]) == 8
    assert after == before <= 12


def test_client_admins_hold_every_function_on_their_employers_groups(cast):
    group = cast.employer_groups[2]
    assert cast.employer.has_perm("enrollment.view_roster", group)
    assert cast.employer.has_perm("enrollment.pay_bill", group)
    new_group = GroupFactory(parent=group.parent, suffix="0099")
    assert cast.employer.has_perm("enrollment.perform_enrollment", new_group)


def test_client_admin_rights_stop_at_their_own_employer(cast):
    assert not cast.employer.has_perm("enrollment.view_roster", cast.other_employer_group)
    assert not cast.employer2.has_perm("enrollment.view_roster", cast.employer_groups[0])
    assert not cast.groupadmin.has_perm("enrollment.view_roster", cast.employer_groups[1])
    assert cast.groupadmin.has_perm("enrollment.view_roster", cast.employer_groups[0])
