"""The bill changes' pages with real objects: groupadmin@'s own suffix answers, a sibling suffix
they were not granted and another employer's bill answer 404, a bill they see without the
function answers 403 (and offers no link); bad input changes nothing; the requests list costs the
same queries for few rows or many."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from billing import bill_changes
from billing.models import AmountChangeRequest, BillingPreferences
from employers import access
from enrollment.models import Coverage, EnrollmentEvent
from tests import factories as f

D = datetime.date
PREFERENCES = reverse("employers:billing-preferences")
REQUESTS = reverse("employers:amount-change-list")


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 15, 20, tzinfo=datetime.UTC), tick=False):
        yield


def _bill(group, number):
    bill = f.InvoiceFactory(group=group, number=number)
    member = f.MemberFactory(group=group, first_name="Ada", last_name="Lovelace")
    f.CoverageFactory(member=member, tier=Coverage.Tier.EMPLOYEE)
    f.RosterLineFactory(invoice=bill, member=member)
    return bill


@pytest.fixture
def bills(cast):
    return {
        "own": _bill(cast.employer_groups[0], "OWN-2611"),
        "sibling": _bill(cast.employer_groups[1], "SIB-2611"),
        "other_employer": _bill(cast.other_employer_group, "OTH-2611"),
    }


def _url(name, bill):
    return reverse(f"employers:{name}", args=[bill.pk])


def _detail(bill):
    return _url("invoice-detail", bill)


def _member(bill):
    return bill.lines.get().member


@pytest.mark.parametrize("name", ["invoice-roster-change", "invoice-amount-change"])
@pytest.mark.parametrize(
    "role, allowed",
    [
        ("employer", {"own", "sibling"}),
        ("groupadmin", {"own"}),
        ("employer2", {"other_employer"}),
    ],
)
def test_each_administrator_changes_only_their_groups_bills(
    client, cast, bills, name, role, allowed
):
    client.force_login(cast.users[role])
    for key, bill in bills.items():
        expected = 200 if key in allowed else 404
        assert client.get(_url(name, bill)).status_code == expected, key
        assert client.post(_url(name, bill), {}).status_code == expected, key


@pytest.mark.parametrize("role", ["broker", "staff", "provider", "ops"])
def test_other_audiences_get_404(client, cast, bills, role):
    client.force_login(cast.users[role])
    for name in ["invoice-roster-change", "invoice-amount-change"]:
        assert client.get(_url(name, bills["own"])).status_code == 404
    assert client.get(REQUESTS).status_code == 404
    assert client.get(PREFERENCES).status_code == 404


def test_a_bill_seen_without_the_functions_offers_no_change_and_answers_403(client, cast, bills):
    # given a group administrator who may see the suffix's bills but neither enroll nor pay
    group = cast.employer_groups[0]
    admin = f.EmployerAdminFactory(employer=group.parent.employer, level="group_admin")
    access.grant_admin_groups(admin, [group], perms=("view_group", "view_invoice"))
    client.force_login(admin.user)

    page = client.get(_detail(bills["own"])).text

    assert "Changes to this bill" in page
    assert "Report a change" not in page and "Request a different amount" not in page
    assert "Billing preferences" not in page
    for name in ["invoice-roster-change", "invoice-amount-change"]:
        assert client.get(_url(name, bills["own"])).status_code == 403
    assert client.get(PREFERENCES).status_code == 403
    assert client.get(REQUESTS).status_code == 200


def test_the_bill_offers_the_changes_to_who_may_make_them(client, cast, bills):
    client.force_login(cast.groupadmin)
    page = client.get(_detail(bills["own"])).text
    assert _url("invoice-roster-change", bills["own"]) in page
    assert _url("invoice-amount-change", bills["own"]) in page
    assert PREFERENCES not in page  # client administrators only
    client.force_login(cast.employer)
    assert PREFERENCES in client.get(_detail(bills["own"])).text


def test_each_employee_on_the_bill_has_a_report_a_change_link_that_picks_them(client, cast, bills):
    client.force_login(cast.groupadmin)
    member = _member(bills["own"])
    link = f"{_url('invoice-roster-change', bills['own'])}?member={member.pk}"

    page = client.get(_detail(bills["own"])).text

    assert f'href="{link}"' in page
    assert 'Report a change<span class="visually-hidden"> for Ada Lovelace</span>' in page
    assert client.get(link).context["form"].initial["member"] == str(member.pk)


# -- Report a change ----------------------------------------------------------------------------


def test_reporting_a_leaver_reviews_then_ends_coverage_and_the_bill_shows_it_pending(
    client, cast, bills
):
    bill = bills["own"]
    member = _member(bill)
    url = _url("invoice-roster-change", bill)
    client.force_login(cast.groupadmin)
    assert "Lovelace, Ada" in client.get(url).text
    answers = {"member": member.pk, "end_date": "2026-11-03", "reason": "employment_ended"}

    # The review names who loses coverage; nothing has changed yet.
    review = client.post(url, {**answers, "step": "review"})
    assert "1 person loses coverage after 11/03/2026." in review.text
    assert "Ada Lovelace" in review.text
    assert not EnrollmentEvent.objects.exists()

    response = client.post(url, {**answers, "step": "confirm"}, follow=True)

    assert response.redirect_chain[-1][0] == _detail(bill)
    assert "Coverage ends on 11/03/2026 for Ada Lovelace" in response.text
    assert (
        'Pending: ends <time datetime="2026-11-03">11/03/2026</time></strong> — credited on the '
        "next bill" in response.text
    )
    event = EnrollmentEvent.objects.get(member=member)
    assert (event.kind, event.by, event.effective_date) == (
        "cancel",
        cast.groupadmin,
        D(2026, 11, 3),
    )


def test_a_family_is_ended_only_with_the_employee_s_last_name_typed(client, cast, bills):
    bill = bills["own"]
    employee = _member(bill)
    child = f.DependentFactory(subscriber=employee, first_name="Byron", last_name="Lovelace")
    f.CoverageFactory(member=child, tier=Coverage.Tier.EMPLOYEE)
    url = _url("invoice-roster-change", bill)
    answers = {"member": employee.pk, "end_date": "2026-11-03", "reason": "employment_ended"}
    client.force_login(cast.employer)

    review = client.post(url, {**answers, "step": "review"})
    assert "2 people lose coverage after 11/03/2026." in review.text
    refused = client.post(url, {**answers, "step": "confirm", "confirmation": "Byron"})
    assert "Type Lovelace exactly" in refused.text
    assert not EnrollmentEvent.objects.exists()

    client.post(url, {**answers, "step": "confirm", "confirmation": "lovelace"})
    assert set(EnrollmentEvent.objects.values_list("member_id", flat=True)) == {
        employee.pk,
        child.pk,
    }


@pytest.mark.parametrize(
    "data, message",
    [
        ({"end_date": "2026-01-03", "reason": "other"}, "can be no earlier than"),
        ({"end_date": "not a date", "reason": "other"}, "Enter a valid date."),
        ({"end_date": "2026-11-03", "reason": "bored"}, "Select a valid choice."),
    ],
)
def test_a_roster_change_refused_shows_why_and_changes_nothing(client, cast, bills, data, message):
    bill = bills["own"]
    client.force_login(cast.groupadmin)
    for step in ("review", "confirm"):
        response = client.post(
            _url("invoice-roster-change", bill), {"member": _member(bill).pk, **data, "step": step}
        )
        assert response.status_code == 200
        assert message in response.text and "Nothing has been changed." in response.text, step
    assert not EnrollmentEvent.objects.exists()
    assert not Coverage.objects.filter(end_date__isnull=False).exists()


def test_a_member_of_another_bill_cannot_be_reported_on_this_one(client, cast, bills):
    client.force_login(cast.employer)
    response = client.post(
        _url("invoice-roster-change", bills["own"]),
        {
            "member": _member(bills["sibling"]).pk,
            "end_date": "2026-11-03",
            "reason": "other",
            "step": "confirm",
        },
    )
    assert "Select a valid choice." in response.text
    assert not EnrollmentEvent.objects.exists()


# -- Request a different amount -----------------------------------------------------------------


def test_requesting_an_amount_shows_it_pending_on_the_bill_and_in_the_list(client, cast, bills):
    bill = bills["own"]
    client.force_login(cast.groupadmin)

    response = client.post(
        _url("invoice-amount-change", bill),
        {"requested_amount": "2500.00", "reason": "Two employees left in October."},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == _detail(bill)
    assert "Your request for $2,500.00 is pending verification." in response.text
    assert "pending verification</strong> by the carrier" in response.text
    change = AmountChangeRequest.objects.get()
    assert (change.invoice, change.requested_by, change.status) == (
        bill,
        cast.groupadmin,
        "pending",
    )
    # The page now says it waits, and a second request is refused in words.
    assert (
        "You can ask again once it is decided."
        in client.get(_url("invoice-amount-change", bill)).text
    )
    again = client.post(
        _url("invoice-amount-change", bill), {"requested_amount": "1.00", "reason": "Again"}
    )
    assert "already waiting for verification" in again.text
    assert AmountChangeRequest.objects.count() == 1
    listed = client.get(REQUESTS)
    assert list(listed.context["page"].object_list) == [change]
    assert "Pending verification" in listed.text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"requested_amount": "abc", "reason": "x"}, "Enter a number."),
        ({"requested_amount": "-5", "reason": "x"}, "greater than or equal to 0"),
        ({"requested_amount": "1.001", "reason": "x"}, "no more than 2 decimal places"),
        ({"requested_amount": "100", "reason": ""}, "This field is required."),
        ({"requested_amount": "2835.66", "reason": "x"}, "already this bill"),
    ],
)
def test_a_bad_amount_request_shows_why_and_records_nothing(client, cast, bills, data, message):
    client.force_login(cast.groupadmin)
    response = client.post(_url("invoice-amount-change", bills["own"]), data)
    assert response.status_code == 200 and message in response.text
    assert not AmountChangeRequest.objects.exists()


def test_the_requests_list_shows_only_the_bills_the_user_may_see(client, cast, bills):
    for key in bills:
        bill_changes.amount_change_request(
            invoice=bills[key], requested_amount=Decimal("1.00"), reason="r", by=cast.ops
        )
    for role, expected in [
        ("employer", {"OWN-2611", "SIB-2611"}),
        ("groupadmin", {"OWN-2611"}),
        ("employer2", {"OTH-2611"}),
    ]:
        client.force_login(cast.users[role])
        page = client.get(REQUESTS).context["page"]
        assert {c.invoice.number for c in page.object_list} == expected, role
    client.force_login(cast.employer)
    assert client.get(REQUESTS, {"status": "approved"}).context["page"].paginator.count == 0


def test_the_requests_list_costs_the_same_queries_for_few_rows_or_many(
    client, cast, bills, django_assert_max_num_queries
):
    client.force_login(cast.employer)
    bill_changes.amount_change_request(
        invoice=bills["own"], requested_amount=Decimal("1.00"), reason="r", by=cast.employer
    )
    client.get(REQUESTS)
    with django_assert_max_num_queries(12) as few:
        client.get(REQUESTS)
    for n in range(30):
        bill = f.InvoiceFactory(
            group=cast.employer_groups[n % 3], period_start=D(2024 + n // 12, 1 + n % 12, 1)
        )
        # Written directly: these earlier bills' balances were carried forward, which the
        # service refuses; the list shows whatever requests there are.
        AmountChangeRequest.objects.create(
            invoice=bill, requested_amount=Decimal(n + 1), reason="r", requested_by=f.UserFactory()
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(REQUESTS)
    assert response.context["page"].paginator.count == 31
    assert len(response.context["page"].object_list) == 20


# -- Billing preferences ------------------------------------------------------------------------


def test_a_client_admin_turns_paper_billing_off_and_bills_by_email_on(client, cast):
    client.force_login(cast.employer)
    page = client.get(PREFERENCES)
    assert page.status_code == 200 and page.context["form"].initial["paper_billing"] is True

    response = client.post(
        PREFERENCES, {"bills_by_email": "on", "email": "ap@cypress.test"}, follow=True
    )

    assert "Billing preferences saved." in response.text
    stored = BillingPreferences.objects.get()
    assert (stored.paper_billing, stored.bills_by_email, stored.email) == (
        False,
        True,
        "ap@cypress.test",
    )
    assert stored.employer == cast.employer_groups[0].parent.employer
    assert cast.employer.activities.filter(
        summary__contains="Paper bills by mail: on → off"
    ).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"bills_by_email": "on", "email": ""}, "Enter the address to email bills to"),
        ({"bills_by_email": "on", "email": "not-an-address"}, "Enter a valid email address."),
    ],
)
def test_bad_billing_preferences_change_nothing(client, cast, data, message):
    client.force_login(cast.employer)
    response = client.post(PREFERENCES, data)
    assert response.status_code == 200 and message in response.text
    assert not BillingPreferences.objects.exists()


def test_each_employer_has_its_own_preferences(client, cast):
    client.force_login(cast.employer2)
    client.post(PREFERENCES, {"paper_billing": "on"})
    client.post(PREFERENCES, {})
    stored = BillingPreferences.objects.get()
    assert stored.employer == cast.other_employer_group.parent.employer
    assert stored.paper_billing is False
