"""Group Billing & Enrollment: the groups whose employers delegated billing or enrollment to the
broker's office, what each allows, sorted and paged; changes show on the office's next request.

In the cast employer@ grants broker@ billing and enrollment on employer_groups[0] and [1]; [2]
is in broker@'s book without a grant; broker2@ has no grant at all."""

import pytest
from django.urls import reverse
from django.utils import timezone

from brokers import access
from brokers.models import BrokerOfRecord
from brokers.services import broker_of_record_start
from employers import services
from employers.models import BrokerAccessGrant
from enrollment.models import Group
from tests import factories as f

DELEGATED = reverse("brokers:delegated-group-list")


def logged_in(client, user):
    client.force_login(user)
    return client


def _grant_more(cast, count, functions=("view_invoice",)):
    """`count` more suffixes of cast.employer's parent in broker@'s book, each granted
    `functions` through the employer's service."""
    broker = access.broker_for(cast.broker)
    parent = cast.employer_groups[0].parent
    groups = []
    for n in range(count):
        group = f.GroupFactory(parent=parent, suffix=f"{100 + n:04d}", name=f"Extra {n:03d}")
        broker_of_record_start(group=group, broker=broker, start_date=group.suffix_effective_date)
        groups.append(group)
    services.broker_access_set(
        broker=broker,
        employer=parent.employer,
        functions_by_group={
            **{
                group: [
                    "view_invoice",
                    "view_payment_history",
                    "view_balance",
                    "perform_enrollment",
                    "receive_enrollment_notifications",
                ]
                for group in cast.employer_groups[:2]
            },
            **{group: list(functions) for group in groups},
        },
        terms_accepted=True,
        by=cast.employer,
    )
    return groups


def test_delegated_groups_with_what_each_allows(cast, client):
    body = logged_in(client, cast.broker).get(DELEGATED).content.decode()
    granted, not_granted = cast.employer_groups[:2], cast.employer_groups[2]
    for group in granted:
        assert reverse("brokers:group-detail", args=[group.pk]) in body
    assert not_granted.number not in body
    for words in (
        "View invoice",
        "View payment history",
        "View balance details",
        "Perform enrollment",
        "Receive enrollment notifications",
    ):
        assert words in body
    assert "Pay bill" not in body and "Run reports" not in body
    assert "2 groups found, displaying all." in body


def test_links_to_work_the_granted_bills(cast, client):
    body = logged_in(client, cast.broker).get(DELEGATED).content.decode()
    group = cast.employer_groups[0]
    assert f"{reverse('brokers:billing')}?group={group.pk}" in body
    assert f"{reverse('brokers:payment-history')}?group={group.pk}" in body


def test_staff_see_the_offices_delegated_groups(cast, client):
    body = logged_in(client, cast.staff).get(DELEGATED).content.decode()
    assert cast.employer_groups[0].number in body


def test_staff_without_the_eligibility_tool_get_403(cast, client):
    cast.staff.user_permissions.clear()
    assert logged_in(client, cast.staff).get(DELEGATED).status_code == 403


def test_no_delegated_groups_says_so(cast, client):
    body = logged_in(client, cast.broker2).get(DELEGATED).content.decode()
    assert "No employer has delegated billing or enrollment to you yet." in body
    assert "0 groups found." in body


def test_another_offices_grants_are_not_shown(cast, client):
    # broker2@'s employer grants broker2@; broker@ sees nothing of it, nor broker2@ of theirs.
    group = cast.other_employer_group
    broker2 = access.broker_for(cast.broker2)
    services.broker_access_set(
        broker=broker2,
        employer=group.parent.employer,
        functions_by_group={group: ["view_invoice"]},
        terms_accepted=True,
        by=cast.employer2,
    )
    assert group.number not in logged_in(client, cast.broker).get(DELEGATED).content.decode()
    body = logged_in(client, cast.broker2).get(DELEGATED).content.decode()
    assert group.number in body and cast.employer_groups[0].number not in body


@pytest.mark.parametrize("role", ["employer", "groupadmin", "provider"])
def test_other_audiences_get_404(cast, client, role):
    assert logged_in(client, getattr(cast, role)).get(DELEGATED).status_code == 404


def test_a_change_shows_on_the_next_request(cast, client):
    client = logged_in(client, cast.broker)
    group = cast.employer_groups[0]
    assert group.number in client.get(DELEGATED).content.decode()
    services.broker_access_revoke(
        broker=access.broker_for(cast.broker), employer=group.parent.employer, by=cast.employer
    )
    body = client.get(DELEGATED).content.decode()
    assert group.number not in body
    assert "No employer has delegated billing or enrollment to you yet." in body


def test_a_group_that_left_the_book_is_not_shown(cast, client):
    group = cast.employer_groups[0]
    broker_of_record_start(
        group=group, broker=access.broker_for(cast.broker2), start_date=group.suffix_effective_date
    )
    body = logged_in(client, cast.broker).get(DELEGATED).content.decode()
    assert group.number not in body
    assert cast.employer_groups[1].number in body


def test_sort_and_page(cast, client):
    groups = _grant_more(cast, 30)
    client = logged_in(client, cast.broker)
    body = client.get(DELEGATED, {"sort": "number"}).content.decode()
    assert "32 groups found, displaying 1 to 25." in body
    assert 'aria-sort="ascending"' in body
    assert body.index(cast.employer_groups[0].number) < body.index(groups[0].number)
    body = client.get(DELEGATED, {"sort": "-number", "page": 2}).content.decode()
    assert "displaying 26 to 32" in body
    assert cast.employer_groups[0].number in body and groups[-1].number not in body
    # An unknown sort falls back to the default, never an error.
    assert client.get(DELEGATED, {"sort": "secret"}).status_code == 200


def test_htmx_swaps_only_the_results(cast, client):
    response = logged_in(client, cast.broker).get(
        DELEGATED, {"sort": "changed"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="delegated-results"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="delegated-results">')
    assert "<h1>" not in body


@pytest.mark.parametrize("extra", [0, 30])
def test_query_count_does_not_grow(cast, client, django_assert_num_queries, extra):
    if extra:
        _grant_more(cast, extra, functions=["view_invoice", "pay_bill"])
    client = logged_in(client, cast.broker)
    # Session, user, the office's broker with its Broker IDs, the count, the page, the session
    # save (3).
    with django_assert_num_queries(8):
        assert client.get(DELEGATED).status_code == 200


def _big_book(cast, size, granted_every):
    """`size` more suffixes in broker@'s book (written in bulk, as a data load would), every
    `granted_every`-th of them granted billing view by its employer."""
    broker = access.broker_for(cast.broker)
    parent = f.ParentGroupFactory(name="Large Book Holdings")
    groups = Group.objects.bulk_create(
        f.GroupFactory.build(parent=parent, suffix=f"{n:04d}", name=f"Suffix {n:04d}")
        for n in range(size)
    )
    BrokerOfRecord.objects.bulk_create(
        BrokerOfRecord(group=group, broker=broker, start_date=group.suffix_effective_date)
        for group in groups
    )
    access.grant_group_functions_in_bulk(
        (broker, group, access.BOOK_OF_BUSINESS_PERMS) for group in groups
    )
    granted = groups[::granted_every]
    BrokerAccessGrant.objects.bulk_create(
        BrokerAccessGrant(
            employer=parent.employer,
            group=group,
            broker=broker,
            functions=["view_invoice"],
            granted_by=cast.employer,
            terms_accepted_at=timezone.now(),
        )
        for group in granted
    )
    access.grant_group_functions_in_bulk((broker, group, ["view_invoice"]) for group in granted)
    return granted


def test_a_5000_group_book_filtered_by_its_grants_costs_the_same_queries(
    cast, client, django_assert_num_queries
):
    """The issue's scale: a book of 5,000 groups, 1,000 of them granted, pages in the same
    queries as the cast's book of three."""
    granted = _big_book(cast, 5000, granted_every=5)
    client = logged_in(client, cast.broker)

    with django_assert_num_queries(8):
        response = client.get(DELEGATED, {"page": "last"})

    assert response.context["page"].paginator.count == len(granted) + 2
    assert response.status_code == 200
