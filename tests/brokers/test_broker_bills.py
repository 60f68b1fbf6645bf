"""Brokers see an employer's bills through the employer's grants: the employer portal's bill and
payment history views, served under /brokers/billing/ in the broker's layout, scoped to the
groups whose employer granted the office view_invoice (bills) or view_payment_history
(payments).

In the cast, employer@ granted broker@'s office billing on employer_groups[0] and [1] but not
[2]; broker2@ holds no grant; upline@ views the book without any billing function.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from brokers.services import office_staff_add
from employers.services import broker_access_grant
from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from tests.factories import InvoiceFactory, PaymentFactory, UserFactory

BILLS = reverse("brokers:billing")
HISTORY = reverse("brokers:payment-history")


def _detail(invoice, namespace="brokers"):
    return reverse(f"{namespace}:invoice-detail", args=[invoice.pk])


def _document(invoice, format="pdf", namespace="brokers"):
    return reverse(f"{namespace}:invoice-document", args=[invoice.pk, format])


@pytest.fixture
def bills(cast):
    """A bill and a payment of a granted suffix, of the same employer's ungranted suffix and of
    another employer."""
    groups = {
        "granted": cast.employer_groups[0],
        "ungranted": cast.employer_groups[2],
        "other_employer": cast.other_employer_group,
    }
    made = {}
    for key, group in groups.items():
        invoice = InvoiceFactory(group=group, number=f"{key.upper()}-2611")
        PaymentFactory(group=group, invoice=invoice, reference=f"PAY-{key.upper()}")
        made[key] = invoice
    return made


@pytest.mark.parametrize("role", ["broker", "staff"])
def test_the_broker_office_sees_the_granted_bill_and_no_other(client, cast, bills, role):
    client.force_login(cast.users[role])

    listed = {i.number for i in client.get(BILLS).context["page"].object_list}

    assert listed == {"GRANTED-2611"}
    assert client.get(_detail(bills["granted"])).status_code == 200
    assert client.get(_detail(bills["ungranted"])).status_code == 404
    assert client.get(_detail(bills["other_employer"])).status_code == 404


@pytest.mark.parametrize("role", ["broker2", "upline"])
def test_a_broker_without_the_grant_sees_no_bill(client, cast, bills, role):
    client.force_login(cast.users[role])

    response = client.get(BILLS)

    assert list(response.context["page"].object_list) == []
    assert "No employer has let your office see its bills." in response.text
    for invoice in bills.values():
        assert client.get(_detail(invoice)).status_code == 404
        assert client.get(_document(invoice)).status_code == 404


@pytest.mark.parametrize(
    "key, status", [("granted", 200), ("ungranted", 404), ("other_employer", 404)]
)
def test_the_bills_files_follow_the_bill(client, cast, bills, key, status):
    client.force_login(cast.broker)

    assert client.get(_document(bills[key], "xlsx")).status_code == status


def test_the_broker_sees_the_bill_in_the_broker_portal_and_it_is_audited(client, cast, bills):
    invoice = bills["granted"]
    client.force_login(cast.broker)

    page = client.get(_detail(invoice)).text

    assert "Viewing dashboard for" in page  # the broker portal's layout
    assert f'href="{BILLS}"' in page
    assert f'href="{_document(invoice)}"' in page
    assert reverse("employers:billing") not in page
    assert AuditEvent.objects.filter(
        user=cast.broker,
        action=AuditEvent.Action.VIEW,
        object_type="billing.Invoice",
        object_id=str(invoice.pk),
    ).exists()


def test_the_broker_downloads_the_granted_bill_audited(client, cast, bills):
    invoice = bills["granted"]
    client.force_login(cast.broker)

    response = client.get(_document(invoice, "pdf"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        user=cast.broker, action=AuditEvent.Action.DOWNLOAD, object_id=str(invoice.pk)
    ).exists()


def test_payment_history_follows_its_own_grant(client, cast, bills):
    client.force_login(cast.broker)

    listed = [p.reference for p in client.get(HISTORY).context["page"].object_list]
    assert listed == ["PAY-GRANTED"]

    # the employer keeps the bill visible but takes the payment history away
    broker = cast.broker.broker
    broker_access_grant(
        group=cast.employer_groups[0], broker=broker, functions=["view_invoice"], by=cast.employer
    )
    response = client.get(HISTORY)
    assert list(response.context["page"].object_list) == []
    assert cast.employer_groups[0].number not in response.text  # nor a choice of the filter
    assert client.get(_detail(bills["granted"])).status_code == 200


def test_a_revoked_grant_takes_effect_on_the_next_request(client, cast, bills):
    client.force_login(cast.broker)
    assert client.get(_detail(bills["granted"])).status_code == 200

    broker_access_grant(
        group=cast.employer_groups[0], broker=cast.broker.broker, functions=[], by=cast.employer
    )

    assert client.get(_detail(bills["granted"])).status_code == 404
    assert client.get(_document(bills["granted"])).status_code == 404


def test_a_payment_without_bill_access_shows_its_invoice_number_unlinked(client, cast, bills):
    broker_access_grant(
        group=cast.employer_groups[0],
        broker=cast.broker.broker,
        functions=["view_payment_history"],
        by=cast.employer,
    )
    client.force_login(cast.broker)

    page = client.get(HISTORY).text

    assert "GRANTED-2611" in page
    assert _detail(bills["granted"]) not in page


@pytest.mark.parametrize("name", ["billing", "payment-history"])
def test_each_portal_admits_only_its_own_audience(client, cast, bills, name):
    employer_url = reverse(f"employers:{name}")
    broker_url = reverse(f"brokers:{name}")
    for role in ["employer", "groupadmin"]:
        client.force_login(cast.users[role])
        assert client.get(broker_url).status_code == 404, role
    for role in ["broker", "staff", "broker2", "upline"]:
        client.force_login(cast.users[role])
        assert client.get(employer_url).status_code == 404, role
    for role in ["ops", "provider", "provideruser"]:
        client.force_login(cast.users[role])
        assert client.get(broker_url).status_code == 404, role
        assert client.get(employer_url).status_code == 404, role


def test_an_employer_bill_url_is_404_to_the_granted_broker(client, cast, bills):
    client.force_login(cast.broker)

    assert client.get(_detail(bills["granted"], "employers")).status_code == 404


def test_office_staff_without_the_eligibility_tool_get_403(client, cast, bills):
    staff = office_staff_add(
        broker=cast.broker.broker,
        user=UserFactory(role=Role.BROKER_STAFF),
        tools=["brokers.use_book_of_business"],
    )
    client.force_login(staff)

    assert client.get(BILLS).status_code == 403
    assert client.get(_detail(bills["granted"])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, bills):
    response = client.get(_detail(bills["granted"]))

    assert response.status_code == 302


def test_the_group_billing_list_links_to_the_granted_groups_bills(client, cast, bills):
    client.force_login(cast.broker)

    page = client.get(reverse("brokers:delegated-group-list")).text

    assert f"{BILLS}?group={cast.employer_groups[0].pk}" in page
    assert f"{HISTORY}?group={cast.employer_groups[0].pk}" in page


@pytest.mark.parametrize("invoices", [3, 30])
def test_the_brokers_bill_list_is_a_constant_number_of_queries(
    client, cast, django_assert_num_queries, invoices
):
    group = cast.employer_groups[0]
    for n in range(invoices):
        start = datetime.date(2020, 1, 1) + datetime.timedelta(days=31 * n)
        invoice = InvoiceFactory(
            group=group, period_start=start, period_end=start + datetime.timedelta(days=27)
        )
        PaymentFactory(group=group, invoice=invoice, amount=Decimal("10.00"))
    client.force_login(cast.broker)
    client.get(BILLS)

    # session, user, the office's broker and Broker IDs (the layout), the groups for the filter,
    # the count, the page, the session's inactivity clock (an UPDATE within a savepoint)
    with django_assert_num_queries(9):
        client.get(BILLS)
