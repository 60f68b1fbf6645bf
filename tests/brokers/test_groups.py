"""Group details and subscribers: sections, billing by the employer's grant, the roster pages,
who gets 404, and the audit rows every view of subscribers writes."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from brokers import access, selectors
from brokers.access import Tool
from brokers.services import upline_access_grant
from brokers.views.groups import NO_BILLING_ACCESS
from enrollment.models import Member
from portal.audit.models import AuditEvent
from tests import factories as f


def detail_url(group):
    return reverse("brokers:group-detail", args=[group.pk])


def list_url(group):
    return reverse("brokers:subscriber-list", args=[group.pk])


def subscriber_url(member):
    return reverse("brokers:subscriber-detail", args=[member.pk])


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def broker_client(client, cast):
    client.force_login(cast.broker)
    return client


def audited(action=AuditEvent.Action.VIEW):
    return sorted(
        AuditEvent.objects.filter(action=action, object_type="enrollment.Member").values_list(
            "object_id", flat=True
        )
    )


# Group details


def test_group_details_show_every_section_with_anchors(broker_client, cast):
    group = cast.employer_groups[0]
    cancelled = Member.Status.CANCELLED
    f.DependentFactory(subscriber=f.MemberFactory(group=group, status=cancelled), status=cancelled)

    response = broker_client.get(detail_url(group))

    assert response.status_code == 200
    page = text(response)
    for anchor, title in [
        ("contact", "Contact Information"),
        ("status", "Group Status &amp; Key Dates"),
        ("billing", "Billing &amp; Payment"),
        ("renewal", "Renewal &amp; Enrollment"),
    ]:
        assert f'<a href="#{anchor}">{title}</a>' in page
        assert f'id="{anchor}"' in page
    assert 'aria-label="Group details sections"' in page
    assert f"<dt>Group Number</dt><dd>{group.number}</dd>" in page
    assert f"<dt>Parent Group Name</dt><dd>{group.parent.name}</dd>" in page
    # The cast's subscriber and dependent are active; the new family is cancelled.
    assert "<dt>Active Subscribers</dt><dd>1</dd>" in page
    assert "<dt>Active Members</dt><dd>2</dd>" in page
    assert "<dt>Cancelled Subscribers</dt><dd>1</dd>" in page
    assert "<dt>Renewal Month</dt><dd>January</dd>" in page
    assert "<dt>Waiting Period</dt><dd>First of month after 30 days</dd>" in page
    assert f'href="{list_url(group)}"' in page


def test_billing_shows_where_the_employer_granted_it(broker_client, cast):
    group = cast.employer_groups[0]
    f.InvoiceFactory(group=group, period_start=datetime.date(2026, 10, 1), current_amount=1)
    f.InvoiceFactory(group=group, balance_forward=Decimal("100.00"), adjustments=Decimal("-5.25"))
    f.PaymentFactory(
        group=group, amount=Decimal("2835.66"), received_on=datetime.date(2026, 10, 28)
    )

    page = text(broker_client.get(detail_url(group)))

    # The latest invoice's figures.
    assert "<dt>Balance Forward (Prior Balance)</dt><dd>$100.00</dd>" in page
    assert "<dt>Current Period Amount Due</dt><dd>$2,835.66</dd>" in page
    assert "<dt>Adjustments</dt><dd>-$5.25</dd>" in page
    assert "<dt>Balance Due</dt><dd>$2,930.41</dd>" in page
    assert "<dt>Due Date of Current Bill</dt><dd>11/01/2026</dd>" in page
    assert "<dt>Last Payment Made</dt><dd>10/28/2026</dd>" in page
    assert "<dt>Last Payment Amount</dt><dd>$2,835.66</dd>" in page
    assert "<dt>Current Amount (Premium)</dt><dd>$2,835.66</dd>" in page
    assert escape(NO_BILLING_ACCESS) not in page


def test_billing_is_replaced_by_how_to_get_it_without_the_grant(broker_client, cast):
    group = cast.employer_groups[2]
    f.InvoiceFactory(group=group)
    f.PaymentFactory(group=group)

    page = text(broker_client.get(detail_url(group)))

    assert escape(NO_BILLING_ACCESS) in page
    assert "$2,835.66" not in page
    assert "Balance Due" not in page
    assert "<dt>Current Amount (Premium)</dt><dd>Shown with billing access</dd>" in page


def test_group_details_download_as_excel_is_audited(broker_client, cast):
    group = cast.employer_groups[2]

    response = broker_client.get(reverse("brokers:group-detail-xlsx", args=[group.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="group-details-{group.number}-'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Section", "Field", "Value")
    assert ("Contact Information", "Group Number", group.number) in rows
    assert ("Billing & Payment", "Note", NO_BILLING_ACCESS) in rows
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.user, event.object_type, event.object_id) == (
        cast.broker,
        "enrollment.Group",
        str(group.pk),
    )


@pytest.mark.parametrize("name", ["group-detail", "group-detail-xlsx", "subscriber-list"])
def test_another_brokers_group_and_one_outside_any_book_are_404(broker_client, cast, name):
    for group in (cast.other_employer_group, cast.group_outside_any_book):
        assert broker_client.get(reverse(f"brokers:{name}", args=[group.pk])).status_code == 404
    assert broker_client.get(reverse(f"brokers:{name}", args=[999_999])).status_code == 404


def test_subscriber_outside_the_book_is_404(broker_client, cast):
    for group in (cast.other_employer_group, cast.group_outside_any_book):
        member = cast.members[group.number]
        assert broker_client.get(subscriber_url(member)).status_code == 404
    # A dependent is not a subscriber page of its own.
    dependent = cast.members[cast.employer_groups[0].number].dependents.get()
    assert broker_client.get(subscriber_url(dependent)).status_code == 404


def test_upline_sees_group_details_but_not_subscribers(client, cast):
    group = cast.employer_groups[0]
    client.force_login(cast.upline)

    response = client.get(detail_url(group))
    assert response.status_code == 200
    assert f'href="{list_url(group)}"' not in text(response)
    assert client.get(list_url(group)).status_code == 404
    assert client.get(subscriber_url(cast.members[group.number])).status_code == 404


def test_upline_sees_subscribers_once_rosters_are_allowed(client, cast):
    group = cast.employer_groups[0]
    upline_access_grant(broker=access.broker_for(cast.broker), rosters_allowed=True, by=cast.broker)
    client.force_login(cast.upline)

    assert client.get(list_url(group)).status_code == 200
    assert client.get(subscriber_url(cast.members[group.number])).status_code == 200


def test_staff_without_the_book_of_business_tool_gets_403(client, cast):
    cast.staff.user_permissions.remove(*access.tool_permissions([Tool.BOOK_OF_BUSINESS]))
    client.force_login(cast.staff)
    group = cast.employer_groups[0]

    for url in (detail_url(group), list_url(group), subscriber_url(cast.members[group.number])):
        assert client.get(url).status_code == 403


def test_staff_with_the_tool_sees_the_office_groups(client, cast):
    client.force_login(cast.staff)
    group = cast.employer_groups[0]

    assert client.get(detail_url(group)).status_code == 200
    assert client.get(list_url(group)).status_code == 200


@pytest.mark.parametrize("role", ["employer", "provider", "ops"])
def test_other_audiences_get_404(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(detail_url(cast.employer_groups[0])).status_code == 404


# Subscriber list


@pytest.fixture
def roster(cast):
    """Group 0 of broker@'s book with 30 more subscribers, each with a dependent."""
    group = cast.employer_groups[0]
    for n in range(30):
        subscriber = f.MemberFactory(group=group, last_name=f"Zz{n:02d}", first_name="Ann")
        f.DependentFactory(subscriber=subscriber)
    return group


def subscriber_rows(response):
    return re.findall(r'<a href="/brokers/subscribers/\d+/">([^<]+)</a>', text(response))


def test_list_pages_sorts_and_audits_each_subscriber_shown(broker_client, roster):
    response = broker_client.get(list_url(roster))

    assert response.status_code == 200
    rows = subscriber_rows(response)
    assert len(rows) == 25
    page = text(response)
    assert "Showing 1 to 25 of 31 entries." in page
    assert 'aria-sort="ascending"' in page
    shown = sorted(
        str(pk)
        for pk in selectors.subscribers_for(response.wsgi_request.user, roster)[:25].values_list(
            "pk", flat=True
        )
    )
    assert audited() == shown

    second = broker_client.get(list_url(roster), {"page": 2, "sort": "-name"})
    rows = subscriber_rows(second)
    assert len(rows) == 6
    assert rows == sorted(rows, reverse=True)
    assert 'aria-sort="descending"' in text(second)


def test_list_shows_subscribers_only_with_plan_and_status(broker_client, cast):
    group = cast.employer_groups[0]
    subscriber = cast.members[group.number]

    page = text(broker_client.get(list_url(group)))

    assert subscriber_rows_in(page) == [
        f"{subscriber.last_name.upper()}, {subscriber.first_name.upper()}"
    ]
    assert f"<td>{subscriber.member_id}</td>" in page
    assert f"{subscriber.plan.plan_type} - {subscriber.plan.name}" in page
    assert "<td>Active</td>" in page


def subscriber_rows_in(page):
    return re.findall(r'<a href="/brokers/subscribers/\d+/">([^<]+)</a>', page)


def test_search_by_name_or_subscriber_id_is_audited_as_a_search(broker_client, roster):
    target = Member.objects.get(group=roster, last_name="Zz07")

    by_name = broker_client.get(list_url(roster), {"q": "zz07"})
    by_id = broker_client.get(list_url(roster), {"q": target.member_id.lower()})
    by_both = broker_client.get(list_url(roster), {"q": "zz0, an"})

    assert subscriber_rows(by_name) == ["ZZ07, ANN"]
    assert subscriber_rows(by_id) == ["ZZ07, ANN"]
    assert len(subscriber_rows(by_both)) == 10
    assert audited(AuditEvent.Action.SEARCH).count(str(target.pk)) == 3


def test_search_without_results_says_so_and_is_still_audited(broker_client, roster):
    response = broker_client.get(list_url(roster), {"q": "nobody-like-this"})

    assert "No subscribers match “nobody-like-this”." in text(response)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert (event.object_type, event.object_id) == ("enrollment.Member", "")


def test_htmx_request_gets_only_the_results(broker_client, roster):
    response = broker_client.get(
        list_url(roster),
        {"q": "zz1"},
        headers={"HX-Request": "true", "HX-Target": "subscriber-results"},
    )

    page = text(response)
    assert page.lstrip().startswith('<div id="subscriber-results">')
    assert len(subscriber_rows(response)) == 10


def test_unknown_sort_falls_back_to_name(broker_client, roster):
    response = broker_client.get(list_url(roster), {"sort": "ssn"})
    assert response.status_code == 200
    assert len(subscriber_rows(response)) == 25


def test_turning_65_alert_shows_for_a_family_member(broker_client, cast):
    group = cast.employer_groups[0]
    today = timezone.localdate()
    subscriber = f.MemberFactory(group=group, last_name="Aardvark")
    f.DependentFactory(
        subscriber=subscriber,
        relationship=Member.Relationship.SPOUSE,
        dob=today.replace(year=today.year - 65) + datetime.timedelta(days=20),
    )

    page = text(broker_client.get(list_url(group)))

    assert page.count('class="alert-icon alert-icon--turning_65"') == 1
    assert "Member turning 65" in page


def test_list_query_count_does_not_grow_with_rows(client, cast, django_assert_max_num_queries):
    group = cast.employer_groups[0]
    client.force_login(cast.broker)
    client.get(list_url(group))  # the session's first use
    # The group and the roster check (each after its permission's id), the count, the page's
    # ids and then its rows among them.
    with django_assert_max_num_queries(14) as few:
        client.get(list_url(group))
    for n in range(40):
        f.DependentFactory(subscriber=f.MemberFactory(group=group, last_name=f"Q{n:02d}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(list_url(group))
    assert len(subscriber_rows(response)) == 25


# Subscriber detail


def test_subscriber_detail_shows_dependents_and_masks_ssn(broker_client, cast):
    group = cast.employer_groups[0]
    subscriber = f.MemberFactory(
        group=group,
        street="12 Oak Lane",
        city="Fresno",
        state="CA",
        zip_code="93701",
        county="Fresno",
        home_phone="(559) 555-0101",
        work_phone="(559) 555-0102",
        spoken_language="Spanish",
    )
    subscriber.set_ssn("123-45-6789")
    subscriber.save()
    spouse = f.DependentFactory(subscriber=subscriber, relationship=Member.Relationship.SPOUSE)
    spouse.set_ssn("987-65-4321")
    spouse.save()
    f.CoverageFactory(member=spouse, start_date=datetime.date(2025, 1, 1), tier="ES")

    response = broker_client.get(subscriber_url(subscriber))

    assert response.status_code == 200
    page = text(response)
    assert "<dt>Physical Address</dt><dd>12 Oak Lane, Fresno, CA 93701</dd>" in page
    assert "<dt>County</dt><dd>Fresno</dd>" in page
    assert "<dt>Date of Birth</dt><dd>05/17/1980</dd>" in page
    assert "<dt>Home Phone Number</dt><dd>(559) 555-0101</dd>" in page
    assert "<dt>Work Phone Number</dt><dd>(559) 555-0102</dd>" in page
    assert "<dt>Language (Spoken)</dt><dd>Spanish</dd>" in page
    assert "***-**-6789" in page and "***-**-4321" in page
    for digits in ("123-45", "12345", "987-65", "98765"):
        assert digits not in page
    assert f"<td>{spouse.member_id}</td>" in page
    assert "<td>Spouse</td>" in page
    assert "Employee + spouse, from 01/01/2025" in page
    assert audited() == sorted([str(subscriber.pk), str(spouse.pk)])


def test_subscriber_detail_query_count(client, cast, django_assert_max_num_queries):
    subscriber = cast.members[cast.employer_groups[0].number]
    client.force_login(cast.broker)
    client.get(subscriber_url(subscriber))
    with django_assert_max_num_queries(11) as few:
        client.get(subscriber_url(subscriber))
    for _ in range(4):
        f.CoverageFactory(member=f.DependentFactory(subscriber=subscriber))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(subscriber_url(subscriber))
