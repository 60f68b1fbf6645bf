"""Patient Info: member eligibility by member ID, SSN, or name and date of birth."""

import datetime

from django.urls import reverse

from portal.audit.models import AuditEvent
from tests import factories as f

SEARCH = reverse("providers:patient-info")


def search(client, user, **data):
    client.force_login(user)
    return client.post(SEARCH, data)


def answer(response):
    """The page after the form (which echoes what was typed)."""
    return response.content.decode().split("</form>")[-1]


def audited(user, action=AuditEvent.Action.SEARCH):
    return set(
        AuditEvent.objects.filter(user=user, action=action).values_list("object_id", flat=True)
    )


def test_by_member_id_shows_coverage_plan_dates_and_pcp(cast, client, family):
    subscriber, _ = family
    response = search(client, cast.provideruser, by="member_id", member_id=subscriber.member_id)
    body = answer(response)
    assert response.status_code == 200
    assert "1 member found" in body
    assert subscriber.last_name in body and subscriber.plan.code in body
    assert "Covered today" in body and "01/01/2026" in body and "12/31/2025" not in body
    assert "Dana Whitfield" in body and "9000000001" in body
    assert audited(cast.provideruser) == {str(subscriber.pk)}


def test_member_id_is_case_and_space_insensitive(cast, client, family):
    subscriber, _ = family
    typed = f"  {subscriber.member_id.lower()} "
    response = search(client, cast.provideruser, by="member_id", member_id=typed)
    assert "1 member found" in answer(response)


def test_by_ssn_finds_the_member_and_never_shows_the_ssn(cast, client, family):
    subscriber, _ = family
    subscriber.set_ssn("123-45-6789")
    subscriber.save(update_fields=["ssn", "ssn_digest"])
    response = search(client, cast.provideruser, by="ssn", ssn="123 45 6789")
    body = response.content.decode()
    assert "1 member found" in body and subscriber.member_id in body
    assert "6789" not in body


def test_by_last_name_prefix_and_dob_narrowed_by_first_name(cast, client, family):
    subscriber, _ = family
    twin = f.MemberFactory(
        group=cast.other_employer_group,
        last_name=subscriber.last_name,
        first_name="Zebulon" if subscriber.first_name[0] != "Z" else "Abigail",
        dob=subscriber.dob,
    )
    data = {"by": "name", "last_name": subscriber.last_name[:3], "dob": "05/17/1980"}
    body = answer(search(client, cast.provideruser, **data))
    assert subscriber.member_id in body and twin.member_id in body
    body = answer(
        search(client, cast.provideruser, **data, first_name=subscriber.first_name[:2].lower())
    )
    assert subscriber.member_id in body and twin.member_id not in body


def test_any_member_of_the_carrier_is_found(cast, client):
    """Providers check coverage before care: no book, no employer, limits the search."""
    outsider = cast.members[cast.group_outside_any_book.number]
    response = search(client, cast.provider2, by="member_id", member_id=outsider.member_id)
    assert "1 member found" in answer(response)


def test_other_ways_boxes_are_ignored(cast, client, family):
    subscriber, _ = family
    response = search(
        client,
        cast.provideruser,
        by="member_id",
        member_id=subscriber.member_id,
        last_name="!!!",
        dob="not a date",
    )
    assert "1 member found" in answer(response)


def test_no_match_says_what_to_try_and_is_audited(cast, client):
    response = search(client, cast.provideruser, by="member_id", member_id="NOSUCH123")
    body = answer(response)
    assert "No member found" in body and "search by name and date of birth" in body
    assert audited(cast.provideruser) == {""}


def test_bad_input_is_explained_and_searches_nothing(cast, client):
    cases = [
        ({"by": "member_id", "member_id": ""}, "Enter the member ID."),
        ({"by": "member_id", "member_id": "12;DROP"}, "3 to 12 letters and digits"),
        ({"by": "ssn", "ssn": "12345"}, "An SSN is 9 digits"),
        ({"by": "name", "last_name": "Smith"}, "Enter the date of birth to search by name."),
        ({"by": "name", "last_name": "Smith", "dob": "31/31/1980"}, "as mm/dd/yyyy"),
        ({"by": "name", "last_name": "5mith", "dob": "05/17/1980"}, "last name in letters"),
        ({"by": "phone"}, "Choose how to search."),
        ({}, "Choose how to search."),
    ]
    for data, message in cases:
        response = search(client, cast.provideruser, **data)
        body = response.content.decode()
        assert response.status_code == 200, data
        assert 'role="alert"' in body and message in body, data
    assert not audited(cast.provideruser)


def test_the_search_is_not_in_the_url(cast, client):
    client.force_login(cast.provideruser)
    response = client.get(SEARCH, {"by": "ssn", "ssn": "123456789"})
    assert "member found" not in response.content.decode()
    assert not audited(cast.provideruser)


def test_delegated_admin_without_tax_ids_gets_403_saying_why(cast, client):
    client.force_login(cast.provider)
    response = client.get(SEARCH)
    assert response.status_code == 403
    assert "set up an end-user account for yourself" in response.content.decode()
    response = client.post(SEARCH, {"by": "member_id", "member_id": "M000000001"})
    assert response.status_code == 403
    assert not audited(cast.provider)


def test_other_audiences_get_404(cast, client):
    for user in (cast.broker, cast.employer, cast.ops):
        client.force_login(user)
        assert client.get(SEARCH).status_code == 404


def test_member_page_shows_eligibility_and_everyone_on_the_policy(cast, client, family):
    subscriber, dependent = family
    client.force_login(cast.provideruser)
    response = client.get(reverse("providers:member-detail", args=[dependent.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Members on this policy" in body
    assert subscriber.member_id in body and dependent.member_id in body
    assert reverse("providers:member-detail", args=[subscriber.pk]) in body
    assert "Covered today" in body
    assert audited(cast.provideruser, AuditEvent.Action.VIEW) == {
        str(subscriber.pk),
        str(dependent.pk),
    }


def test_member_page_of_no_member_is_404_and_403_without_eligibility(cast, client, family):
    client.force_login(cast.provideruser)
    assert client.get(reverse("providers:member-detail", args=[999999])).status_code == 404
    client.force_login(cast.provider)
    subscriber, _ = family
    assert client.get(reverse("providers:member-detail", args=[subscriber.pk])).status_code == 403


def test_terminated_and_future_coverage_are_told_apart(cast, client):
    member = cast.members[cast.employer_groups[1].number]
    f.CoverageFactory(
        member=member, start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2020, 12, 31)
    )
    body = answer(search(client, cast.provideruser, by="member_id", member_id=member.member_id))
    assert "Terminated" in body and "12/31/2020" in body


def test_search_query_count(cast, client, family, django_assert_max_num_queries):
    subscriber, _ = family
    client.force_login(cast.provideruser)
    data = {"by": "name", "last_name": subscriber.last_name[:3], "dob": "05/17/1980"}
    # Session and user (2), the user's Tax IDs with the function (1), the members with their
    # latest coverage periods (1), the audit rows (1), the session's activity stamp (3, with
    # its savepoint).
    with django_assert_max_num_queries(8):
        assert client.post(SEARCH, data).status_code == 200


def test_member_page_query_count(cast, client, family, django_assert_max_num_queries):
    _, dependent = family
    client.force_login(cast.provideruser)
    # As the search's, with the member and their policy in one query.
    with django_assert_max_num_queries(9):
        client.get(reverse("providers:member-detail", args=[dependent.pk]))


def test_error_summary_links_to_the_boxes(cast, client):
    body = search(client, cast.provideruser, by="name", last_name="").content.decode()
    for box in ("id_last_name", "id_dob"):
        assert f'<a href="#{box}">' in body and f'id="{box}"' in body
    body = search(client, cast.provideruser).content.decode()
    assert '<a href="#id_by">' in body and 'id="id_by"' in body
