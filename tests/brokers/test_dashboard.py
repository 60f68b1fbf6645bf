"""The broker dashboard: Quick Eligibility Check, the chart of the book, the tiles."""

import datetime

import pytest
from django.urls import reverse

from brokers import access, charts, selectors
from brokers.access import Tool
from brokers.services import office_staff_add
from enrollment.models import Member
from portal.accounts.models import Role
from tests import factories as f

HOME = reverse("brokers:home")
MONTHS = [datetime.date(2026, month, 1) for month in range(1, 7)]


def logged_in(client, user):
    client.force_login(user)
    return client


def subscriber_covered(group, start, end=None, **member):
    subscriber = f.MemberFactory(group=group, **member)
    f.CoverageFactory(member=subscriber, start_date=start, end_date=end)
    return subscriber


def test_active_subscribers_by_month_against_hand_built_coverage(cast):
    first, second, third = cast.employer_groups
    # Covered all six months.
    subscriber_covered(first, datetime.date(2025, 6, 1))
    # From March: counts from March on.
    subscriber_covered(second, datetime.date(2026, 3, 1))
    # Ended 31 March: counts January to March.
    subscriber_covered(third, datetime.date(2025, 1, 1), datetime.date(2026, 3, 31))
    # Started on 2 February: not covered on 1 February, counts from March.
    subscriber_covered(first, datetime.date(2026, 2, 2))
    # Ended on 1 May: covered on 1 May itself.
    subscriber_covered(first, datetime.date(2025, 1, 1), datetime.date(2026, 5, 1))
    # Two coverage periods back to back (a plan change): one subscriber, counted once a month.
    changer = subscriber_covered(second, datetime.date(2025, 1, 1), datetime.date(2026, 3, 31))
    f.CoverageFactory(member=changer, start_date=datetime.date(2026, 4, 1))
    # A dependent's coverage is not a subscriber.
    f.CoverageFactory(
        member=f.DependentFactory(subscriber=changer), start_date=datetime.date(2025, 1, 1)
    )
    # Outside broker@'s book: broker2's and nobody's.
    subscriber_covered(cast.other_employer_group, datetime.date(2025, 1, 1))
    subscriber_covered(cast.group_outside_any_book, datetime.date(2025, 1, 1))

    counts = selectors.active_subscribers_by_month(cast.broker, MONTHS)

    assert counts == list(zip(MONTHS, [4, 4, 6, 5, 5, 4], strict=True))


def test_the_chart_is_one_query(cast, django_assert_num_queries):
    subscriber_covered(cast.employer_groups[0], datetime.date(2025, 1, 1))
    access.broker_for(cast.broker)  # the page has it already, for its layout
    with django_assert_num_queries(1):
        selectors.active_subscribers_by_month(cast.broker, MONTHS)


def test_broker2_counts_their_own_book(cast):
    subscriber_covered(cast.employer_groups[0], datetime.date(2025, 1, 1))
    subscriber_covered(cast.other_employer_group, datetime.date(2025, 1, 1))
    counts = selectors.active_subscribers_by_month(cast.broker2, MONTHS)
    assert [count for _, count in counts] == [1] * 6


def test_chart_geometry_scales_to_a_readable_top():
    chart = charts.monthly_bar_chart(list(zip(MONTHS, [0, 10, 20, 30, 40, 37], strict=True)))
    assert chart.top_value == 50
    assert chart.bars[0].height == 0
    tallest = chart.bars[4]
    assert tallest.y + tallest.height == chart.baseline
    assert tallest.label == "May" and tallest.title == "May 2026"
    assert [bar.x for bar in chart.bars] == sorted(bar.x for bar in chart.bars)


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 5), (11, 20), (240, 250), (999, 1000)]
)
def test_nice_ceiling(value, top):
    assert charts.nice_ceiling(value) == top


def test_dashboard_shows_the_chart_with_its_table(cast, client):
    subscriber_covered(cast.employer_groups[0], datetime.date(2025, 1, 1))
    body = logged_in(client, cast.broker).get(HOME).content.decode()
    assert '<svg class="bar-chart__svg"' in body and 'role="img"' in body
    assert "<caption>Active subscribers in your book on the first of each month</caption>" in body
    assert body.count('<th scope="col">Month</th>') == 1
    # Strict CSP: no style attributes, not even in the SVG.
    assert " style=" not in body


def test_dashboard_quick_check_and_links(cast, client):
    body = logged_in(client, cast.broker).get(HOME).content.decode()
    assert "Quick Eligibility Check" in body
    assert f'hx-post="{reverse("brokers:quick-eligibility")}"' in body
    assert 'for="quick_member"' in body and 'for="quick_dob"' in body
    for name in ("brokers:staff-list", "brokers:sales-resources", "brokers:delegated-group-list"):
        assert reverse(name) in body


def office_staff(cast, tools):
    broker = access.broker_for(cast.broker)
    return office_staff_add(broker=broker, user=f.UserFactory(role=Role.BROKER_STAFF), tools=tools)


def test_no_quick_check_without_the_eligibility_tool(cast, client):
    staff = office_staff(cast, [Tool.BOOK_OF_BUSINESS])
    body = logged_in(client, staff).get(HOME).content.decode()
    assert "Quick Eligibility Check" not in body
    assert "book-chart" in body


def test_no_chart_without_the_book_of_business_tool(cast, client):
    staff = office_staff(cast, [Tool.ELIGIBILITY])
    body = logged_in(client, staff).get(HOME).content.decode()
    assert "book-chart" not in body
    assert "Quick Eligibility Check" in body


def test_dashboard_query_count_does_not_grow_with_the_book(
    cast, client, django_assert_max_num_queries
):
    for group in cast.employer_groups:
        for _ in range(5):
            subscriber_covered(group, datetime.date(2025, 1, 1))
    assert Member.objects.count() > 20
    client = logged_in(client, cast.broker)
    # Session, user, broker with its Broker IDs, the book's count, the chart's one aggregate,
    # Recent Activity, the session save (3).
    with django_assert_max_num_queries(9):
        client.get(HOME)


def test_the_chart_is_counted_once_a_day(cast, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(client, cast.broker)
    with CaptureQueriesContext(connection) as first:
        client.get(HOME)
    with CaptureQueriesContext(connection) as second:
        client.get(HOME)
    coverage_queries = [
        [q for q in run.captured_queries if "enrollment_coverage" in q["sql"]]
        for run in (first, second)
    ]
    assert [len(queries) for queries in coverage_queries] == [1, 0]
