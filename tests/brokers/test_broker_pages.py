import datetime

import pytest
from django.urls import reverse

from brokers import selectors
from brokers.services import broker_of_record_start
from tests.factories import GroupFactory


def test_home_counts_only_the_offices_own_book(cast, client):
    client.force_login(cast.broker2)
    response = client.get(reverse("brokers:home"))
    assert response.context["group_count"] == 1
    assert b"1 group in your book" in response.content


def test_staff_home_hides_commissions(cast, client):
    client.force_login(cast.staff)
    response = client.get(reverse("brokers:home"))
    assert response.context["group_count"] == 3
    assert b"Commission Statements</a><p>" not in response.content


def test_support_tools_list_the_carriers_contacts(cast, client, settings):
    client.force_login(cast.broker)
    response = client.get(reverse("brokers:support"))
    for contact in settings.CARRIER["contacts"]["broker"]:
        assert contact["phone"].encode() in response.content


def test_my_account_shows_licenses_and_broker_ids(cast, client):
    client.force_login(cast.broker)
    response = client.get(reverse("brokers:account"))
    broker = cast.broker.broker
    assert broker.npn.encode() in response.content
    assert broker.codes.get().code.encode() in response.content
    assert broker.licenses.get().number.encode() in response.content


def test_get_group_for_answers_404_for_another_brokers_group(cast):
    from django.http import Http404

    assert selectors.get_group_for(cast.broker, cast.employer_groups[0].pk)
    with pytest.raises(Http404):
        selectors.get_group_for(cast.broker, cast.other_employer_group.pk)
    with pytest.raises(Http404):
        selectors.get_group_for(cast.broker, GroupFactory().pk)


def test_home_query_count_does_not_grow_with_the_book(cast, client, django_assert_max_num_queries):
    client.force_login(cast.broker)
    for _ in range(10):
        broker_of_record_start(
            group=GroupFactory(), broker=cast.broker.broker, start_date=datetime.date(2025, 1, 1)
        )
    # Session, user, broker with its Broker IDs, the book's count, Recent Activity, the chart
    # (counted once a day) and the session save (3); the same whatever the size of the book.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("brokers:home"))
    assert response.context["group_count"] == 13
