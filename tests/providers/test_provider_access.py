"""Who gets what from every member, claim and authorization page, with real objects of the
user's own Tax ID, a sibling Tax ID of the same organisation, and another organisation.

- Member eligibility is about any member of the carrier, for users holding check_eligibility
  on a Tax ID; a user holding it on none (the delegated administrator) gets 403.
- A user without a function on any Tax ID gets 403 for that function's pages; a claim or an
  authorization of a Tax ID they were not granted is the same 404 as one that does not exist.
"""

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.urls import reverse
from guardian.shortcuts import assign_perm

from portal.accounts.models import Role
from providers.services import provider_user_add
from tests import factories as f

OWN, SIBLING, OTHER_ORG = "own", "sibling", "other organisation"

# By user: the status for a claim or authorization of each kind of Tax ID. clerk@ holds every
# function on the first Tax ID; provideruser@ only eligibility; provider@ administers and holds
# nothing; provider2@ holds every function on the other organisation's Tax ID.
TRANSACTION_STATUS = {
    "clerk": {OWN: 200, SIBLING: 404, OTHER_ORG: 404},
    "provideruser": {OWN: 403, SIBLING: 403, OTHER_ORG: 403},
    "provider": {OWN: 403, SIBLING: 403, OTHER_ORG: 403},
    "provider2": {OWN: 404, SIBLING: 404, OTHER_ORG: 200},
}
MEMBER_STATUS = {"clerk": 200, "provideruser": 200, "provider": 403, "provider2": 200}
LIST_STATUS = {
    "providers:patient-info": {
        "clerk": 200,
        "provideruser": 200,
        "provider": 403,
        "provider2": 200,
    },
    "providers:claim-list": {"clerk": 200, "provideruser": 403, "provider": 403, "provider2": 200},
    "providers:authorization-search": {
        "clerk": 200,
        "provideruser": 403,
        "provider": 403,
        "provider2": 200,
    },
}


@pytest.fixture
def objects(cast):
    """A claim and an authorization under each kind of Tax ID, of members of different groups."""
    tax_ids = {OWN: cast.tax_ids[0], SIBLING: cast.tax_ids[1], OTHER_ORG: cast.other_tax_id}
    groups = {OWN: 0, SIBLING: 1, OTHER_ORG: 2}
    made = {}
    for kind, tax_id in tax_ids.items():
        member = cast.members[cast.employer_groups[groups[kind]].number]
        made[kind] = {
            "member": member,
            "claim": f.ClaimFactory(member=member, tax_id=tax_id),
            "authorization": f.AuthorizationFactory(member=member, tax_id=tax_id),
        }
    return made


def _user(cast, clerk, name):
    return clerk if name == "clerk" else cast.users[name]


@pytest.mark.parametrize("name", list(TRANSACTION_STATUS))
def test_claim_and_authorization_pages(name, cast, clerk, objects, client):
    client.force_login(_user(cast, clerk, name))
    failures = []
    for kind, made in objects.items():
        for url_name, obj in (
            ("providers:claim-detail", made["claim"]),
            ("providers:authorization-detail", made["authorization"]),
        ):
            status = client.get(reverse(url_name, args=[obj.pk])).status_code
            if status != TRANSACTION_STATUS[name][kind]:
                failures.append(f"{url_name} of the {kind} Tax ID: {status}")
    assert not failures, failures


@pytest.mark.parametrize("name", list(MEMBER_STATUS))
def test_member_pages(name, cast, clerk, objects, client):
    client.force_login(_user(cast, clerk, name))
    for made in objects.values():
        for url_name in ("providers:member-detail", "providers:benefit-schedule"):
            path = reverse(url_name, args=[made["member"].pk])
            assert client.get(path).status_code == MEMBER_STATUS[name], path


@pytest.mark.parametrize("url_name", list(LIST_STATUS))
def test_search_pages(url_name, cast, clerk, client):
    for name, status in LIST_STATUS[url_name].items():
        client.force_login(_user(cast, clerk, name))
        assert client.get(reverse(url_name)).status_code == status, name


def test_claim_list_with_a_sibling_or_other_tax_id_lists_nothing(cast, clerk, objects, client):
    client.force_login(clerk)
    for kind in (SIBLING, OTHER_ORG):
        response = client.get(
            reverse("providers:claim-list"), {"tax_id": objects[kind]["claim"].tax_id_id}
        )
        assert response.status_code == 200
        assert objects[kind]["claim"].number not in response.content.decode()


def test_claim_list_of_the_own_tax_id_shows_only_its_claims(cast, clerk, objects, client):
    """By the subscriber of each kind of claim, under the user's own Tax ID: only the own Tax
    ID's claim is listed, however the other claims' members are asked for."""
    client.force_login(clerk)
    for kind, made in objects.items():
        response = client.get(
            reverse("providers:claim-list"),
            {"tax_id": cast.tax_ids[0].pk, "subscriber": made["member"].member_id},
        )
        assert response.status_code == 200
        page = response.content.decode()
        listed = {k for k, other in objects.items() if other["claim"].number in page}
        assert listed == ({OWN} if kind == OWN else set()), kind


def test_authorization_search_finds_only_the_own_tax_ids(cast, clerk, objects, client):
    client.force_login(clerk)
    for kind, made in objects.items():
        response = client.post(
            reverse("providers:authorization-search"),
            {"by": "number", "number": made["authorization"].number},
        )
        assert (made["authorization"].number in response.content.decode().split("</form>")[-1]) == (
            kind == OWN
        )


def test_authorization_search_by_member_finds_only_the_own_tax_ids(cast, clerk, objects, client):
    client.force_login(clerk)
    for kind, made in objects.items():
        response = client.post(
            reverse("providers:authorization-search"),
            {"by": "member_id", "member_id": made["member"].member_id},
        )
        assert response.status_code == 200
        results = response.content.decode().split("</form>")[-1]
        assert (made["authorization"].number in results) == (kind == OWN), kind


@pytest.mark.parametrize("name", list(MEMBER_STATUS))
def test_eligibility_search_for_each_kind_of_member(name, cast, clerk, objects, client):
    """Eligibility is about any member of the carrier: whoever bills for them, a user with
    check_eligibility finds them; one without it gets the 403 of the search page."""
    client.force_login(_user(cast, clerk, name))
    for kind, made in objects.items():
        member = made["member"]
        response = client.post(
            reverse("providers:patient-info"), {"by": "member_id", "member_id": member.member_id}
        )
        assert response.status_code == MEMBER_STATUS[name], kind
        found = member.member_id in response.content.decode().split("</form>")[-1]
        assert found == (MEMBER_STATUS[name] == 200), kind


def test_other_audiences_get_404_everywhere(cast, objects, client):
    made = objects[OWN]
    paths = [
        reverse("providers:member-detail", args=[made["member"].pk]),
        reverse("providers:benefit-schedule", args=[made["member"].pk]),
        reverse("providers:claim-detail", args=[made["claim"].pk]),
        reverse("providers:authorization-detail", args=[made["authorization"].pk]),
        *(reverse(name) for name in LIST_STATUS),
    ]
    for user in (cast.broker, cast.employer, cast.ops):
        client.force_login(user)
        for path in paths:
            assert client.get(path).status_code == 404, (user, path)


def test_a_function_held_through_a_group_counts(cast, client):
    """Guardian's group grants count as the user's own, on their Tax ID only."""
    front_desk = AuthGroup.objects.create(name="Valley front desk")
    user = f.UserFactory(email="desk@demo.test", role=Role.PROVIDER_USER)
    provider_user_add(organization=cast.tax_ids[0].organization, user=user)
    user.groups.add(front_desk)
    assign_perm("providers.inquire_claims", front_desk, cast.tax_ids[0])
    client.force_login(user)
    own = f.ClaimFactory(tax_id=cast.tax_ids[0])
    sibling = f.ClaimFactory(tax_id=cast.tax_ids[1])
    assert client.get(reverse("providers:claim-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("providers:claim-detail", args=[sibling.pk])).status_code == 404
    assert client.get(reverse("providers:patient-info")).status_code == 403
