"""Transactions: Authorization Status by member ID, SSN, name and DOB, or number."""

from django.urls import reverse

from portal.audit.models import AuditEvent
from tests import factories as f

SEARCH = reverse("providers:authorization-search")


def detail(authorization):
    return reverse("providers:authorization-detail", args=[authorization.pk])


def search(client, user, **data):
    client.force_login(user)
    return client.post(SEARCH, data)


def test_by_member_id_lists_only_granted_tax_ids(cast, client, clerk):
    member = cast.members[cast.employer_groups[0].number]
    mine = f.AuthorizationFactory(member=member, tax_id=cast.tax_ids[0])
    f.AuthorizationFactory(member=member, tax_id=cast.tax_ids[1])
    f.AuthorizationFactory(member=member, tax_id=cast.other_tax_id)
    response = search(client, clerk, by="member_id", member_id=member.member_id)
    assert response.context["authorizations"] == [mine]
    assert "1 authorization found" in response.content.decode()
    assert list(
        AuditEvent.objects.filter(user=clerk, action="search").values_list("object_id", flat=True)
    ) == [str(mine.pk)]


def test_by_ssn_name_and_number(cast, client, clerk):
    member = cast.members[cast.employer_groups[0].number]
    member.set_ssn("123456789")
    member.save(update_fields=["ssn", "ssn_digest"])
    mine = f.AuthorizationFactory(member=member, tax_id=cast.tax_ids[0])
    for data in (
        {"by": "ssn", "ssn": "123-45-6789"},
        {"by": "name", "last_name": member.last_name, "dob": "05/17/1980"},
        {"by": "number", "number": mine.number.lower()},
    ):
        assert search(client, clerk, **data).context["authorizations"] == [mine], data


def test_a_sibling_tax_ids_number_is_not_found(cast, client, clerk):
    theirs = f.AuthorizationFactory(tax_id=cast.tax_ids[1])
    response = search(client, clerk, by="number", number=theirs.number)
    body = response.content.decode()
    assert response.context["authorizations"] == []
    assert "No authorizations found" in body and "Check the number" in body


def test_bad_input_is_explained(cast, client, clerk):
    response = search(client, clerk, by="number", number="")
    body = response.content.decode()
    assert 'role="alert"' in body and "Enter the authorization number." in body
    assert not AuditEvent.objects.filter(user=clerk).exists()


def test_without_the_function_403(cast, client):
    authorization = f.AuthorizationFactory(tax_id=cast.tax_ids[0])
    for user in (cast.provideruser, cast.provider):
        client.force_login(user)
        assert client.get(SEARCH).status_code == 403
        assert client.get(detail(authorization)).status_code == 403


def test_detail_is_audited_and_404_outside_the_granted_tax_ids(cast, client, clerk):
    mine = f.AuthorizationFactory(tax_id=cast.tax_ids[0], diagnosis_code="M54.50")
    client.force_login(clerk)
    response = client.get(detail(mine))
    assert response.status_code == 200 and "M54.50" in response.content.decode()
    assert AuditEvent.objects.filter(user=clerk, action="view", object_id=str(mine.pk)).exists()
    for tax_id in (cast.tax_ids[1], cast.other_tax_id):
        assert client.get(detail(f.AuthorizationFactory(tax_id=tax_id))).status_code == 404


def test_search_query_count(cast, client, clerk, django_assert_max_num_queries):
    member = cast.members[cast.employer_groups[0].number]
    for _ in range(10):
        f.AuthorizationFactory(member=member, tax_id=cast.tax_ids[0])
    client.force_login(clerk)
    # Session and user (2); the user's Tax IDs with the function (1); the authorizations (1);
    # audit rows (1); the session's stamp (3).
    with django_assert_max_num_queries(8):
        client.post(SEARCH, {"by": "member_id", "member_id": member.member_id})
