"""Brokers work an employer's Manage Enrollment on its behalf: the employer portal's views, served
under /brokers/enrollment/ in the broker's layout, scoped to the groups whose employer granted
the office perform_enrollment. Every change records the broker-portal user as `by` and the
employer (with the broker) as on whose behalf.

In the cast, employer@ granted broker@'s office perform_enrollment (with billing view) on
employer_groups[0] and [1] but not [2]; broker2@ holds no grant; staff@ works in broker@'s
office; upline@ views broker@'s book without any function.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Payment, PaymentSubmission
from brokers.services import office_staff_add
from employers.services import broker_access_grant, broker_access_revoke
from enrollment import services
from enrollment.models import EnrollmentEvent, Member
from portal.accounts.models import Role
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from tests import factories as f
from tests.cast import BILLING_AND_ENROLLMENT
from tests.factories import InvoiceFactory, PaymentAccountFactory

SEARCH = reverse("brokers:enrollment")
MEMBER_PAGES = [
    "enrollment-member",
    "enrollment-member-update",
    "enrollment-dependent-add",
    "enrollment-plan-change",
    "enrollment-pcp-change",
    "enrollment-cancel",
    "enrollment-reinstate",
    "enrollment-cobra",
]


def first_of_next_month():
    today = timezone.localdate()
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


@pytest.fixture
def plans(cast):
    for group in [*cast.employer_groups, cast.other_employer_group]:
        group.plans.add(f.PlanFactory(name=f"Silver PPO {group.suffix}"))


@pytest.fixture
def family(cast, plans):
    """An employee and spouse of the granted group 0, enrolled by the employer from next month."""
    group = cast.employer_groups[0]
    return services.member_enroll(
        group=group,
        plan=group.plans.first(),
        hire_date=timezone.localdate() - datetime.timedelta(days=45),
        effective_date=first_of_next_month(),
        subscriber={"first_name": "Ana", "last_name": "Quintero", "dob": datetime.date(1985, 2, 3)},
        dependents=[
            {
                "first_name": "Luis",
                "last_name": "Quintero",
                "dob": datetime.date(1984, 1, 1),
                "relationship": "spouse",
            }
        ],
        by=cast.employer,
    )


def _enroll_data(group, **extra):
    return {
        "plan": group.plans.first().pk,
        "hire_date": (timezone.localdate() - datetime.timedelta(days=45)).isoformat(),
        "effective_date": first_of_next_month().isoformat(),
        "first_name": "Rosa",
        "last_name": "Park",
        "dob": "1979-04-01",
        "gender": "F",
        "spoken_language": "English",
        "street": "5 Pine St",
        "city": "Davis",
        "state": "CA",
        "zip_code": "95616",
        "request_key": "k-broker-enroll-1",
        "dependents-TOTAL_FORMS": "0",
        "dependents-INITIAL_FORMS": "0",
        **extra,
    }


def _member_url(name, member):
    return reverse(f"brokers:{name}", args=[member.pk])


@pytest.mark.parametrize("role", ["broker", "staff"])
def test_the_office_finds_the_granted_groups_employees_and_no_others(client, cast, role):
    client.force_login(cast.users[role])

    response = client.get(SEARCH)

    assert response.status_code == 200
    assert "Viewing dashboard for" in response.text  # the broker portal's layout
    listed = set(response.context["page"].object_list)
    granted = {cast.members[g.number] for g in cast.employer_groups[:2]}
    assert listed == granted
    assert {g.pk for g in response.context["enroll_groups"]} == {
        g.pk for g in cast.employer_groups[:2]
    }
    assert reverse("employers:enrollment") not in response.text
    assert reverse("employers:roster") not in response.text


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_granted_suffix_200_sibling_suffix_and_other_employer_404(client, cast, name):
    client.force_login(cast.broker)

    granted = cast.members[cast.employer_groups[0].number]
    sibling = cast.members[cast.employer_groups[2].number]
    other = cast.members[cast.other_employer_group.number]

    assert client.get(_member_url(name, granted)).status_code == 200
    assert client.get(_member_url(name, sibling)).status_code == 404
    assert client.get(_member_url(name, other)).status_code == 404


@pytest.mark.parametrize("role", ["broker2", "upline"])
def test_a_broker_without_the_grant_gets_404_on_the_groups_pages(client, cast, role):
    client.force_login(cast.users[role])

    response = client.get(SEARCH)

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert not response.context["enroll_groups"]
    for group in cast.employer_groups:
        member = cast.members[group.number]
        enroll = reverse("brokers:enrollment-enroll", args=[group.pk])
        assert client.get(enroll).status_code == 404
        for name in MEMBER_PAGES:
            assert client.get(_member_url(name, member)).status_code == 404


def test_the_enroll_page_is_for_granted_groups_only(client, cast, plans):
    client.force_login(cast.broker)

    def status(group):
        return client.get(reverse("brokers:enrollment-enroll", args=[group.pk])).status_code

    assert status(cast.employer_groups[0]) == 200
    assert status(cast.employer_groups[2]) == 404
    assert status(cast.other_employer_group) == 404


def test_office_staff_without_the_eligibility_tool_get_403(client, cast):
    broker = cast.broker.broker
    bare = office_staff_add(
        broker=broker, user=f.UserFactory(role=Role.BROKER_STAFF, email="bare@demo.test"), tools=[]
    )
    client.force_login(bare)

    assert client.get(SEARCH).status_code == 403
    member = cast.members[cast.employer_groups[0].number]
    assert client.get(_member_url("enrollment-member", member)).status_code == 403


@pytest.mark.parametrize("role", ["employer", "ops", "provider", "employer2"])
def test_the_broker_urls_are_for_the_broker_portal_only(client, cast, role):
    client.force_login(cast.users[role])
    member = cast.members[cast.employer_groups[0].number]

    assert client.get(SEARCH).status_code == 404
    assert client.get(_member_url("enrollment-member", member)).status_code == 404


def test_a_broker_is_404_on_the_employer_portals_urls(client, cast):
    client.force_login(cast.broker)
    member = cast.members[cast.employer_groups[0].number]

    assert client.get(reverse("employers:enrollment")).status_code == 404
    assert client.get(reverse("employers:enrollment-member", args=[member.pk])).status_code == 404


def test_billing_view_alone_gives_no_enrollment(client, cast):
    group = cast.employer_groups[0]
    broker_access_grant(
        group=group, broker=cast.broker.broker, functions=["view_invoice"], by=cast.employer
    )
    client.force_login(cast.broker)

    assert client.get(_member_url("enrollment-member", cast.members[group.number])).status_code == (
        404
    )


def test_a_revoke_takes_effect_on_the_next_request(client, cast):
    group = cast.employer_groups[0]
    member = cast.members[group.number]
    client.force_login(cast.broker)
    assert client.get(_member_url("enrollment-member", member)).status_code == 200

    broker_access_revoke(
        broker=cast.broker.broker, employer=group.parent.employer, by=cast.employer
    )

    assert client.get(_member_url("enrollment-member", member)).status_code == 404
    assert member not in client.get(SEARCH).context["page"].object_list


def test_a_broker_enrollment_records_both_parties(client, cast, plans):
    group = cast.employer_groups[0]
    client.force_login(cast.broker)
    url = reverse("brokers:enrollment-enroll", args=[group.pk])

    form = client.get(url).text
    # The broker does not type on whose behalf: the page says it, and a typed value is ignored.
    employer = group.parent.employer.name
    assert f"{employer} (broker" in form
    response = client.post(url, _enroll_data(group, on_behalf_of="someone else"))

    assert response.status_code == 302, response.text[:2000]
    # By both names: the cast's members have made-up names, and "Park" may be one of them.
    subscriber = Member.objects.get(first_name="Rosa", last_name="Park", relationship="subscriber")
    assert response["Location"] == _member_url("enrollment-member", subscriber)
    event = EnrollmentEvent.objects.get(member=subscriber)
    broker = cast.broker.broker
    code = broker.codes.first().code
    assert event.by == cast.broker
    assert event.on_behalf_of == (
        f"{employer} (broker {broker.first_name} {broker.last_name}, {code})"
    )
    assert AuditEvent.objects.filter(
        user=cast.broker,
        action=AuditEvent.Action.CHANGE,
        object_type="enrollment.Member",
        object_id=str(subscriber.pk),
        path=url,
    ).exists()
    # The member's history, in the broker's and in the employer's portal, names both parties.
    history = client.get(response["Location"]).text
    assert f"{cast.broker.display_name} for {employer} (broker" in history
    client.force_login(cast.employer)
    employer_page = client.get(reverse("employers:enrollment-member", args=[subscriber.pk])).text
    assert f"{cast.broker.display_name} for {employer} (broker" in employer_page


def test_office_staff_changes_record_the_staff_user_and_the_broker(client, cast):
    member = cast.members[cast.employer_groups[1].number]
    client.force_login(cast.staff)

    response = client.post(
        _member_url("enrollment-pcp-change", member),
        {
            "pcp_name": "Dr. Lena Ortiz",
            "pcp_npi": "1234567893",
            "effective_date": first_of_next_month().isoformat(),
            "request_key": "k-staff-pcp",
        },
    )

    assert response.status_code == 302, response.text[:2000]
    event = EnrollmentEvent.objects.get(member=member, kind=EnrollmentEvent.Kind.PCP_CHANGE)
    broker = cast.broker.broker
    assert event.by == cast.staff
    assert f"(broker {broker.first_name} {broker.last_name}," in event.on_behalf_of


def test_the_broker_cancels_through_the_review_and_reinstates(client, cast, family):
    member = family
    client.force_login(cast.broker)
    url = _member_url("enrollment-cancel", member)
    end = first_of_next_month() + datetime.timedelta(days=30)
    answers = {"end_date": end.isoformat(), "reason": "employment_ended", "request_key": "k-bc1"}

    review = client.post(url, {"step": "review", **answers})
    assert "2 people lose coverage" in review.text
    done = client.post(
        url, {"step": "confirm", "confirmation": member.last_name, **answers}, follow=True
    )

    assert done.status_code == 200
    member.refresh_from_db()
    assert member.status == Member.Status.CANCELLED
    cancel = EnrollmentEvent.objects.get(member=member, kind=EnrollmentEvent.Kind.CANCEL)
    employer = member.group.parent.employer.name
    assert cancel.by == cast.broker and cancel.on_behalf_of.startswith(f"{employer} (broker ")

    client.post(_member_url("enrollment-reinstate", member), {"request_key": "k-br1"})
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    reinstate = EnrollmentEvent.objects.get(member=member, kind=EnrollmentEvent.Kind.REINSTATE)
    assert reinstate.by == cast.broker and "(broker " in reinstate.on_behalf_of


def test_a_refused_change_says_why_and_changes_nothing(client, cast, plans):
    group = cast.employer_groups[0]
    client.force_login(cast.broker)
    data = _enroll_data(group, effective_date=timezone.localdate().replace(day=1).isoformat())
    data["hire_date"] = timezone.localdate().isoformat()

    response = client.post(reverse("brokers:enrollment-enroll", args=[group.pk]), data)

    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert not Member.objects.filter(last_name="Park").exists()


def test_the_search_list_query_count_does_not_grow_with_the_page(
    client, cast, django_assert_max_num_queries
):
    group = cast.employer_groups[0]
    for _ in range(30):
        f.MemberFactory(group=group)
    client.force_login(cast.broker)
    # Session, user, the office's broker and Broker IDs (layout), COUNT, the page, one audit
    # insert for its 25 rows, the form's groups and plans, the enroll links, the layout's own.
    with django_assert_max_num_queries(18):
        response = client.get(SEARCH)
    assert len(response.context["page"].object_list) == 25


def test_an_administrator_still_types_on_whose_behalf(client, cast):
    """The employer's own form is unchanged: what the administrator types is what is recorded."""
    member = cast.members[cast.employer_groups[0].number]
    client.force_login(cast.employer)
    url = reverse("employers:enrollment-pcp-change", args=[member.pk])
    assert "On behalf of (optional)" in client.get(url).text

    client.post(
        url,
        {
            "pcp_name": "Dr. Lena Ortiz",
            "pcp_npi": "1234567893",
            "effective_date": first_of_next_month().isoformat(),
            "on_behalf_of": "the employee",
            "request_key": "k-admin-pcp",
        },
    )

    event = EnrollmentEvent.objects.get(member=member, kind=EnrollmentEvent.Kind.PCP_CHANGE)
    assert (event.by, event.on_behalf_of) == (cast.employer, "the employee")


# -- Make a Payment on the employer's behalf -------------------------------------------------------
# The cast's grant has no pay_bill: these tests add it on group 0 only.


@pytest.fixture
def billing(cast):
    """pay_bill (with billing view) on group 0 for broker@'s office; a bill of group 0, of the
    ungranted group 1 (billing view but no pay_bill) and of another employer; the employer's
    saved account and another employer's."""
    granted, sibling = cast.employer_groups[0], cast.employer_groups[1]
    broker_access_grant(
        group=granted,
        broker=cast.broker.broker,
        functions=[*BILLING_AND_ENROLLMENT, "pay_bill"],
        by=cast.employer,
    )
    return {
        "group": granted,
        "bill": InvoiceFactory(group=granted, number="OWN-2611", current_amount=Decimal("800")),
        "sibling_bill": InvoiceFactory(group=sibling, number="SIB-2611"),
        "other_bill": InvoiceFactory(group=cast.other_employer_group, number="OTH-2611"),
        "account": PaymentAccountFactory(
            employer=granted.parent.employer,
            nickname="Operating",
            routing_number="011000015",
            created_by=cast.employer,
        ),
        "other_account": PaymentAccountFactory(
            employer=cast.other_employer_group.parent.employer, nickname="Theirs"
        ),
    }


def _pay_url(group, name="payment-make"):
    return reverse(f"brokers:{name}", args=[group.pk])


def _payment_data(bill, account, amount="300.00", key="k-broker-pay-1"):
    return {
        "request_key": key,
        "pay_on": timezone.localdate().isoformat(),
        f"amount_{bill.pk}": amount,
        f"account_{bill.pk}": str(account.pk),
    }


@pytest.mark.parametrize("name", ["payment-make", "payment-account-list"])
def test_pay_pages_granted_group_200_ungranted_sibling_and_other_employer_404(
    client, cast, billing, name
):
    client.force_login(cast.broker)

    assert client.get(_pay_url(billing["group"], name)).status_code == 200
    assert client.get(_pay_url(cast.employer_groups[1], name)).status_code == 404
    assert client.get(_pay_url(cast.employer_groups[2], name)).status_code == 404
    assert client.get(_pay_url(cast.other_employer_group, name)).status_code == 404


@pytest.mark.parametrize("role", ["broker2", "upline"])
def test_a_broker_without_pay_bill_gets_404(client, cast, billing, role):
    client.force_login(cast.users[role])

    assert client.get(_pay_url(billing["group"])).status_code == 404
    assert client.get(_pay_url(billing["group"], "payment-account-list")).status_code == 404


def test_the_pay_page_offers_the_groups_bills_and_the_employers_accounts_only(
    client, cast, billing
):
    client.force_login(cast.staff)

    response = client.get(_pay_url(billing["group"]))

    assert [row[0].number for row in response.context["rows"]] == ["OWN-2611"]
    assert [a.nickname for a in response.context["accounts"]] == ["Operating"]
    assert "Theirs" not in response.text
    assert reverse("employers:payment-account-add") not in response.text
    assert billing["group"].parent.employer.name in response.text


def test_the_broker_sees_the_employers_accounts_without_routing_numbers(client, cast, billing):
    client.force_login(cast.broker)

    page = client.get(_pay_url(billing["group"], "payment-account-list")).text

    assert "Operating" in page and "ending 6789" in page
    assert "011000015" not in page
    assert "Rename" not in page and reverse("employers:payment-account-add") not in page


def test_the_employer_only_payment_pages_are_not_in_the_broker_portal(client, cast, billing):
    client.force_login(cast.broker)

    assert client.get(reverse("employers:payment-make")).status_code == 404
    assert client.get(reverse("employers:payment-account-add")).status_code == 404
    assert client.get(reverse("employers:recurring-payment-list")).status_code == 404


def test_a_broker_payment_records_both_parties(client, cast, billing):
    client.force_login(cast.broker)
    bill, account = billing["bill"], billing["account"]

    response = client.post(_pay_url(billing["group"]), _payment_data(bill, account))

    submission = PaymentSubmission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("brokers:payment-confirmation", args=[submission.pk])
    employer = billing["group"].parent.employer
    assert submission.employer == employer
    assert submission.submitted_by == cast.broker
    assert submission.on_behalf_of.startswith(f"{employer.name} (broker ")
    payment = Payment.objects.get(submission=submission)
    assert (payment.invoice, payment.amount, payment.recorded_by) == (
        bill,
        Decimal("300.00"),
        cast.broker,
    )
    assert AuditEvent.objects.filter(
        user=cast.broker, action="change", object_type="billing.Payment", object_id=str(payment.pk)
    ).exists()
    page = client.get(response["Location"]).text
    assert f"PMT-{submission.pk:08d}" in page and submission.on_behalf_of in page
    # The employer's client administrators hear of it.
    told = Activity.objects.get(recipient=cast.employer)
    assert told.summary == (
        f"{submission.on_behalf_of}: {cast.broker.display_name} paid $300.00 to bills of "
        f"{billing['group'].number}, confirmation PMT-{submission.pk:08d}."
    )
    assert told.link == reverse("employers:payment-history")
    # A double click pays once.
    again = client.post(_pay_url(billing["group"]), _payment_data(bill, account), follow=True)
    assert "nothing more was paid" in again.text
    assert PaymentSubmission.objects.count() == 1


def test_a_bill_or_account_outside_the_grant_cannot_be_slipped_in(client, cast, billing):
    client.force_login(cast.broker)
    url = _pay_url(billing["group"])

    sibling = client.post(url, _payment_data(billing["sibling_bill"], billing["account"]))
    theirs = client.post(url, _payment_data(billing["bill"], billing["other_account"], key="k2"))

    assert sibling.status_code == 200 and "is not one you may pay" in sibling.text
    assert theirs.status_code == 200 and "Select a valid choice" in theirs.text
    assert not PaymentSubmission.objects.exists()


def test_the_confirmation_is_404_for_a_broker_without_pay_bill_there(client, cast, billing):
    client.force_login(cast.broker)
    client.post(_pay_url(billing["group"]), _payment_data(billing["bill"], billing["account"]))
    submission = PaymentSubmission.objects.get()
    confirmation = reverse("brokers:payment-confirmation", args=[submission.pk])

    client.force_login(cast.broker2)
    assert client.get(confirmation).status_code == 404

    broker_access_grant(
        group=billing["group"],
        broker=cast.broker.broker,
        functions=BILLING_AND_ENROLLMENT,
        by=cast.employer,
    )
    client.force_login(cast.broker)
    assert client.get(confirmation).status_code == 404
    assert client.get(_pay_url(billing["group"])).status_code == 404


def test_the_employer_sees_the_brokers_payment_in_its_confirmation(client, cast, billing):
    client.force_login(cast.broker)
    client.post(_pay_url(billing["group"]), _payment_data(billing["bill"], billing["account"]))
    submission = PaymentSubmission.objects.get()

    client.force_login(cast.employer)
    page = client.get(reverse("employers:payment-confirmation", args=[submission.pk])).text

    assert cast.broker.display_name in page and submission.on_behalf_of in page


def test_the_delegated_list_links_to_each_granted_function(client, cast, billing):
    client.force_login(cast.broker)

    page = client.get(reverse("brokers:delegated-group-list")).text

    assert f'href="{_pay_url(billing["group"])}"' in page
    assert f'href="{_pay_url(cast.employer_groups[1])}"' not in page
    assert f"{SEARCH}?group={cast.employer_groups[1].pk}" in page


def test_the_demo_lets_broker_pay_a_suffix_and_shows_a_change_made_on_the_employers_behalf(db):
    from django.core.management import call_command

    from enrollment.models import Group
    from portal.accounts.models import User

    call_command("seed_demo", scale=0.05, as_of=datetime.date(2026, 11, 15), stdout=io.StringIO())
    broker = User.objects.get(email="broker@demo.test")
    event = EnrollmentEvent.objects.get(by=broker)
    employer = event.group.parent.employer
    assert event.on_behalf_of.startswith(f"{employer.name} (broker ")
    paying = Group.objects.filter(parent__employer=employer).order_by("number")
    assert [broker.has_perm("enrollment.pay_bill", g) for g in paying] == [True, False, False]


@pytest.mark.parametrize("role", ["employer", "groupadmin", "ops", "provider"])
def test_the_broker_pay_urls_are_for_the_broker_portal_only(client, cast, billing, role):
    client.force_login(cast.users[role])

    assert client.get(_pay_url(billing["group"])).status_code == 404
    assert client.get(_pay_url(billing["group"], "payment-account-list")).status_code == 404


def test_the_pay_pages_query_count_does_not_grow_with_the_bills(client, cast, billing):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.broker)
    url = _pay_url(billing["group"])
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n in range(12):
        period = datetime.date(2025, n + 1, 1)
        InvoiceFactory(
            group=billing["group"],
            number=f"MORE-{n:02d}",
            period_start=period,
            period_end=period + datetime.timedelta(days=27),
            issued_on=period - datetime.timedelta(days=15),
            due_date=period,
        )
    assert len(client.get(url).context["rows"]) == 13
    assert queries() == few


def test_anonymous_is_sent_to_sign_in(client, cast, billing):
    member = cast.members[cast.employer_groups[0].number]
    for url in (SEARCH, _member_url("enrollment-member", member), _pay_url(billing["group"])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
