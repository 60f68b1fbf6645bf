"""Book of Business: the office's groups under their parents, filtered, sorted, keyset-paged."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from brokers import access, alerts
from brokers.access import Tool
from brokers.models import Broker
from brokers.services import broker_of_record_start
from enrollment.models import Group, Plan
from portal.jobs.models import ReportJob
from tests import factories as f

BOOK = reverse("brokers:group-list")
ROW = re.compile(r'id="book-group-(\d+)"')


def rows(response):
    """The pks of the suffix rows on the page, in order."""
    assert response.status_code == 200
    return [int(pk) for pk in ROW.findall(response.text)]


def book_group(cast, **kwargs):
    """A group in broker@'s book of business (and so in the upline's view)."""
    group = f.GroupFactory(**kwargs)
    broker_of_record_start(
        group=group,
        broker=Broker.objects.get(user=cast.broker),
        start_date=group.suffix_effective_date,
    )
    return group


@pytest.fixture
def today():
    return timezone.localdate()


def test_the_broker_sees_the_groups_of_the_book_under_their_parent(cast, client):
    client.force_login(cast.broker)
    response = client.get(BOOK)
    assert sorted(rows(response)) == sorted(g.pk for g in cast.employer_groups)
    assert "Cypress Manufacturing" in response.text
    assert response.text.count('class="book__parent"') == 1
    assert "3 groups in your book of business" in response.text
    assert cast.other_employer_group.number not in response.text
    assert cast.group_outside_any_book.number not in response.text


def test_another_brokers_groups_never_appear(cast, client):
    client.force_login(cast.broker2)
    assert rows(client.get(BOOK)) == [cast.other_employer_group.pk]
    for query in ({"name": "Cypress"}, {"page": "last"}, {"sort": "-name"}):
        assert rows(client.get(BOOK, query)) == [] or cast.employer_groups[0].pk not in rows(
            client.get(BOOK, query)
        )


def test_staff_see_the_book_and_staff_without_the_tool_get_403(cast, client):
    client.force_login(cast.staff)
    assert len(rows(client.get(BOOK))) == 3
    cast.staff.user_permissions.remove(*access.tool_permissions([Tool.BOOK_OF_BUSINESS]))
    client.force_login(cast.staff)
    assert client.get(BOOK).status_code == 403
    assert client.get(reverse("brokers:alert-legend")).status_code == 403


def test_other_audiences_get_404(cast, client):
    for user in (cast.employer, cast.provider, cast.ops):
        client.force_login(user)
        assert client.get(BOOK).status_code == 404


def test_the_upline_sees_the_brokers_groups_without_rosters_or_exports(cast, client):
    client.force_login(cast.upline)
    response = client.get(BOOK)
    assert sorted(rows(response)) == sorted(g.pk for g in cast.employer_groups)
    assert "Get XLS" not in response.text
    assert "View List" not in response.text
    assert reverse("jobs:job-create") not in response.text


def test_the_broker_gets_view_list_and_get_xls_for_suffixes_and_the_parent(cast, client):
    client.force_login(cast.broker)
    text = client.get(BOOK).text
    group = cast.employer_groups[0]
    assert reverse("brokers:subscriber-list", args=[group.pk]) in text
    assert (
        f'name="kind" value="group_roster_xlsx"><input type="hidden" name="group" value="{group.pk}"'
        in text
    )
    assert (
        f'name="kind" value="parent_roster_xlsx"><input type="hidden" name="parent" value="{group.parent_id}"'
        in text
    )
    assert "csrfmiddlewaretoken" in text


def test_get_xls_of_a_suffix_makes_a_report_job(cast, client, django_capture_on_commit_callbacks):
    client.force_login(cast.broker)
    group = cast.employer_groups[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("jobs:job-create"), {"kind": "group_roster_xlsx", "group": group.pk}
        )
    job = ReportJob.objects.get(requester=cast.broker)
    assert response.url == reverse("jobs:job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE


# Filters -------------------------------------------------------------------------------------


@pytest.fixture
def varied_book(cast, today):
    """Two more parents in broker@'s book with groups that differ in every filtered column."""
    hmo = f.PlanFactory(name="Gold Access HMO", plan_type=Plan.PlanType.HMO)
    ppo = f.PlanFactory(name="Silver Choice PPO", plan_type=Plan.PlanType.PPO)
    lakeside = f.ParentGroupFactory(name="Lakeside Bakery", number="P77001")
    orchard = f.ParentGroupFactory(name="Orchard Street Clinic", number="P88001")
    bakery = book_group(
        cast,
        parent=lakeside,
        suffix="0007",
        name="Bakers",
        original_effective_date=datetime.date(2018, 3, 1),
        suffix_effective_date=datetime.date(2018, 3, 1),
        renewal_month=alerts.first_renewal_month(today),
    )
    bakery.plans.add(hmo)
    clinic = book_group(
        cast,
        parent=orchard,
        suffix="0009",
        name="Nurses",
        status=Group.Status.CANCELLED,
        original_effective_date=datetime.date(2023, 6, 1),
        suffix_effective_date=datetime.date(2023, 6, 1),
        cancellation_date=datetime.date(2024, 6, 30),
        renewal_month=(alerts.first_renewal_month(today) + 5) % 12 + 1,
    )
    clinic.plans.add(ppo, hmo)
    return {"bakery": bakery, "clinic": clinic}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"name": "bakery"}, ["bakery"]),
        ({"name": "nurs"}, ["clinic"]),
        ({"parent_id": "P880"}, ["clinic"]),
        ({"suffix_id": "0007"}, ["bakery"]),
        ({"status": "cancelled"}, ["clinic"]),
        ({"alert": "cancelled"}, ["clinic"]),
        ({"plan_name": "silver choice"}, ["clinic"]),
        ({"plan_type": "HMO"}, ["bakery", "clinic"]),
        ({"plan_type": "EPO"}, []),
        ({"original_from": "2023-01-01"}, ["clinic"]),
        ({"original_to": "03/01/2018"}, ["bakery"]),
        ({"original_from": "2018-01-01", "original_to": "2018-12-31"}, ["bakery"]),
    ],
)
def test_the_list_filters_by_each_field(cast, client, varied_book, query, expected):
    client.force_login(cast.broker)
    found = set(rows(client.get(BOOK, query)))
    assert found == {varied_book[name].pk for name in expected}


def test_the_list_filters_by_renewal_date_range(cast, client, varied_book, today):
    client.force_login(cast.broker)
    bakery_renews = alerts.next_renewal_date(varied_book["bakery"].renewal_month, today)
    query = {"renewal_from": bakery_renews.isoformat(), "renewal_to": bakery_renews.isoformat()}
    found = set(rows(client.get(BOOK, query)))
    assert varied_book["bakery"].pk in found
    assert varied_book["clinic"].pk not in found


def test_no_match_says_so_with_clear_search(cast, client):
    client.force_login(cast.broker)
    response = client.get(BOOK, {"name": "no such group"})
    assert rows(response) == []
    assert "No groups match your search." in response.text
    assert "Clear Search" in response.text


# Sorting -------------------------------------------------------------------------------------


SORT_KEYS = {
    "name": lambda g: (g.parent.name, g.name, g.pk),
    "number": lambda g: (g.number, g.pk),
    "status": lambda g: (g.status, g.number, g.pk),
    "original": lambda g: (g.original_effective_date, g.number, g.pk),
    "renewal": lambda g: (alerts.next_renewal_date(g.renewal_month, TODAY), g.number, g.pk),
    "plan": lambda g: (
        next((f"{p.plan_type} {p.name}" for p in g.plans.order_by("plan_type", "name")), ""),
        g.number,
        g.pk,
    ),
}
TODAY = timezone.localdate()


@pytest.mark.parametrize("key", SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_the_list_sorts_by_each_column_both_ways(cast, client, varied_book, key, descending):
    client.force_login(cast.broker)
    groups = sorted(Group.objects.filter(pk__in=rows(client.get(BOOK))), key=SORT_KEYS[key])
    expected = [g.pk for g in (reversed(groups) if descending else groups)]
    response = client.get(BOOK, {"sort": f"-{key}" if descending else key})
    assert rows(response) == expected
    assert 'aria-sort="descending"' if descending else 'aria-sort="ascending"' in response.text


# Paging --------------------------------------------------------------------------------------


@pytest.fixture
def big_book(cast):
    """35 more groups in broker@'s book: 38 in all."""
    parent = f.ParentGroupFactory(name="Zephyr Freight")
    return [book_group(cast, parent=parent, suffix=f"{n:04d}") for n in range(1, 36)]


def next_link(response, rel):
    match = re.search(rf'href="([^"]+)" rel="{rel}"', response.text)
    return match and BOOK + match.group(1).replace("&amp;", "&")


@pytest.mark.parametrize("size", [10, 25, 50, 100])
def test_the_list_shows_10_25_50_or_100_entries(cast, client, big_book, size):
    client.force_login(cast.broker)
    assert len(rows(client.get(BOOK, {"per_page": size}))) == min(size, 38)


def test_paging_forward_and_back_visits_every_group_once(cast, client, big_book):
    client.force_login(cast.broker)
    everything = rows(client.get(BOOK, {"per_page": 100, "sort": "-original"}))
    first = client.get(BOOK, {"per_page": 10, "sort": "-original"})
    pages = [rows(first)]
    response = first
    while link := next_link(response, "next"):
        response = client.get(link)
        pages.append(rows(response))
    assert [len(p) for p in pages] == [10, 10, 10, 8]
    assert sum(pages, []) == everything
    # The last page links back; Previous from there is the third page.
    previous = client.get(next_link(response, "prev"))
    assert rows(previous) == pages[2]
    last = client.get(BOOK, {"per_page": 10, "sort": "-original", "page": "last"})
    # Last is the final ten, as a page that ends at the end of the list.
    assert rows(last) == everything[-10:]
    assert next_link(last, "next") is None
    assert next_link(first, "prev") is None


def test_a_middle_page_keeps_filter_and_sort_in_its_links(cast, client, big_book):
    client.force_login(cast.broker)
    first = client.get(BOOK, {"per_page": 10, "sort": "-number", "name": "zephyr"})
    link = next_link(first, "next")
    assert "sort=-number" in link and "name=zephyr" in link and "after=" in link
    middle = client.get(link)
    assert len(rows(middle)) == 10
    assert set(rows(middle)).isdisjoint(rows(first))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"sort": "salary"}, "sorted by group ID instead"),
        ({"after": "garbage"}, "no longer valid"),
        ({"before": "x:y:z"}, "no longer valid"),
        ({"original_from": "31/31/2020"}, "Enter a date as MM/DD/YYYY."),
        ({"renewal_from": "2027-05-01", "renewal_to": "2027-01-01"}, "before the start date"),
        ({"per_page": "7"}, "Choose 10, 25, 50 or 100 entries."),
        ({"page": "-1"}, "3 groups in your book"),
        ({"status": "bogus", "alert": "bogus"}, "3 groups in your book"),
    ],
)
def test_bad_parameters_fall_back_with_a_message_never_a_500(cast, client, query, message):
    client.force_login(cast.broker)
    response = client.get(BOOK, query)
    assert len(rows(response)) == 3
    assert message in response.text


def test_a_cursor_of_another_sort_order_is_refused(cast, client, big_book):
    client.force_login(cast.broker)
    link = next_link(client.get(BOOK, {"per_page": 10}), "next")
    response = client.get(link.replace("sort=number", "") + "&sort=-name")
    assert "no longer valid" in response.text
    assert len(rows(response)) == 10


def test_htmx_requests_get_the_book_partial(cast, client):
    client.force_login(cast.broker)
    response = client.get(BOOK, headers={"HX-Request": "true", "HX-Target": "book"})
    assert response.text.lstrip().startswith('<div id="book">')
    assert "<html" not in response.text
    restore = client.get(
        BOOK,
        headers={"HX-Request": "true", "HX-Target": "book", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text


# Alerts --------------------------------------------------------------------------------------


def alert_labels(response, group):
    row = re.search(rf'id="book-group-{group.pk}".*?</tr>', response.text, re.S).group(0)
    return set(re.findall(r'<span class="visually-hidden">([^<]+)</span></span>', row))


def assert_alert(client, group, alert):
    """The row shows the alert, and filtering by it finds the group (and only what has it)."""
    assert alert.label in alert_labels(client.get(BOOK), group)
    assert group.pk in rows(client.get(BOOK, {"alert": alert.key}))


def test_alert_past_due_balance(cast, client, today):
    client.force_login(cast.broker)
    group, paid = cast.employer_groups[:2]
    month = datetime.timedelta(days=30)
    f.InvoiceFactory(
        group=group,
        period_start=today - 2 * month,
        due_date=today - 2 * month,
        issued_on=today - 3 * month,
        period_end=today - month,
    )
    f.InvoiceFactory(
        group=group,
        period_start=today - month,
        due_date=today - month,
        issued_on=today - 2 * month,
        period_end=today,
    )
    f.InvoiceFactory(
        group=paid,
        period_start=today - month,
        due_date=today - month,
        issued_on=today - 2 * month,
        period_end=today,
        payments=Decimal("2835.66"),
    )
    assert_alert(client, group, alerts.PAST_DUE)
    assert alerts.PAST_DUE.label not in alert_labels(client.get(BOOK), paid)
    assert paid.pk not in rows(client.get(BOOK, {"alert": "past_due"}))


def test_alert_renewal_within_60_days(cast, client, today):
    client.force_login(cast.broker)
    group, later = cast.employer_groups[:2]
    Group.objects.filter(pk=group.pk).update(renewal_month=alerts.first_renewal_month(today))
    far = (alerts.first_renewal_month(today) + 5) % 12 + 1
    Group.objects.filter(pk=later.pk).update(renewal_month=far)
    assert_alert(client, group, alerts.RENEWAL)
    assert later.pk not in rows(client.get(BOOK, {"alert": "renewal"}))


def test_alert_cancelled(cast, client, today):
    client.force_login(cast.broker)
    group = cast.employer_groups[0]
    Group.objects.filter(pk=group.pk).update(
        status=Group.Status.CANCELLED, cancellation_date=today - datetime.timedelta(days=3)
    )
    assert_alert(client, group, alerts.CANCELLED)
    assert rows(client.get(BOOK, {"alert": "cancelled"})) == [group.pk]
    assert "—" in re.search(
        rf'id="book-group-{group.pk}".*?</tr>', client.get(BOOK).text, re.S
    ).group(0)


def test_alert_pending_termination(cast, client, today):
    client.force_login(cast.broker)
    group = cast.employer_groups[1]
    Group.objects.filter(pk=group.pk).update(cancellation_date=today + datetime.timedelta(days=20))
    assert_alert(client, group, alerts.PENDING_TERMINATION)
    assert rows(client.get(BOOK, {"alert": "pending_termination"})) == [group.pk]


def test_alert_member_turning_65(cast, client, today):
    client.force_login(cast.broker)
    group, other = cast.employer_groups[:2]
    subscriber = cast.members[group.number]
    subscriber.dob = alerts._years_before(today + datetime.timedelta(days=30), 65)
    subscriber.save(update_fields=["dob"])
    # Turned 65 yesterday, or turns 65 after the window: no alert.
    old = cast.members[other.number]
    old.dob = alerts._years_before(today - datetime.timedelta(days=1), 65)
    old.save(update_fields=["dob"])
    assert_alert(client, group, alerts.TURNING_65)
    assert rows(client.get(BOOK, {"alert": "turning_65"})) == [group.pk]


def test_the_legend_explains_every_alert(cast, client):
    client.force_login(cast.broker)
    response = client.get(reverse("brokers:alert-legend"))
    assert response.status_code == 200
    for alert in alerts.ALERTS:
        assert alert.label in response.text


def test_renew_date_and_plans_show_the_first_and_how_many_more(cast, client, today):
    client.force_login(cast.broker)
    group = cast.employer_groups[0]
    group.plans.add(
        f.PlanFactory(name="Bronze", plan_type="EPO"), f.PlanFactory(name="Gold", plan_type="HMO")
    )
    text = client.get(BOOK).text
    row = re.search(rf'id="book-group-{group.pk}".*?</tr>', text, re.S).group(0)
    assert "EPO / Bronze" in row and "+1 more" in row and "HMO / Gold" in row
    assert alerts.next_renewal_date(group.renewal_month, today).strftime("%m/%d/%Y") in row


# Query count ---------------------------------------------------------------------------------


def test_the_page_takes_the_same_queries_however_many_groups(
    cast, client, django_assert_max_num_queries, today
):
    client.force_login(cast.broker)
    client.get(BOOK)
    query = {"sort": "-plan", "alert": "renewal", "per_page": 100}
    cache.clear()  # the count is cached: measure a first visit each time
    # Session, user, broker with its Broker IDs, the page's keys, their rows, their plans, the
    # count and the session save (3).
    with django_assert_max_num_queries(10) as few:
        client.get(BOOK, query)
    parent = f.ParentGroupFactory()
    for n in range(40):
        group = book_group(
            cast, parent=parent, suffix=f"{n:04d}", renewal_month=alerts.first_renewal_month(today)
        )
        group.plans.add(f.PlanFactory(), f.PlanFactory())
        f.DependentFactory(subscriber=f.MemberFactory(group=group))
        f.InvoiceFactory(group=group)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(BOOK, query)
    assert len(rows(response)) == 43  # broker@'s three renew in January too
    assert len(many.captured_queries) == len(few.captured_queries)
