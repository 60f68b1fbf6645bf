"""Pay My Bill, the read side: an administrator lists the bills of the suffixes they may see
with view_invoice and opens one with its roster (own suffix 200; a sibling suffix or another
employer 404), every bill opened audited, the list's statuses derived from the figures."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Payment
from employers import access
from portal.audit.models import AuditEvent
from tests.factories import (
    DependentFactory,
    EmployerAdminFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    MemberFactory,
    PaymentFactory,
)

LIST = reverse("employers:billing")


def _detail(invoice):
    return reverse("employers:invoice-detail", args=[invoice.pk])


@pytest.fixture
def invoices(cast):
    return {
        "own": InvoiceFactory(group=cast.employer_groups[0], number="OWN-2611"),
        "sibling": InvoiceFactory(group=cast.employer_groups[1], number="SIB-2611"),
        "other_employer": InvoiceFactory(group=cast.other_employer_group, number="OTH-2611"),
    }


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("employer", {"own", "sibling"}),
        ("groupadmin", {"own"}),
        ("employer2", {"other_employer"}),
    ],
)
def test_each_administrator_reaches_only_their_groups_bills(client, cast, invoices, role, allowed):
    client.force_login(cast.users[role])
    listed = {i.number for i in client.get(LIST).context["page"].object_list}
    assert listed == {invoices[key].number for key in allowed}
    for key, invoice in invoices.items():
        assert client.get(_detail(invoice)).status_code == (200 if key in allowed else 404), key


def test_an_administrator_without_the_invoice_function_sees_no_bill(client, cast, invoices):
    group = cast.employer_groups[0]
    admin = EmployerAdminFactory(employer=group.parent.employer, level="group_admin")
    access.grant_admin_groups(admin, [group], perms=("view_group", "view_roster"))
    client.force_login(admin.user)

    response = client.get(LIST)
    assert "You have not been given access to the bills of any group." in response.text
    assert client.get(_detail(invoices["own"])).status_code == 404


def test_a_bill_has_its_figures_roster_and_payments_and_is_audited(client, cast):
    # given a bill of groupadmin@'s suffix with a family, an adjustment and a payment
    group = cast.employer_groups[0]
    invoice = InvoiceFactory(
        group=group,
        balance_forward=Decimal("100.00"),
        current_amount=Decimal("1237.50"),
        adjustments=Decimal("-5.25"),
        payments=Decimal("100.00"),
    )
    employee = MemberFactory(group=group, first_name="Ada", last_name="Lovelace")
    child = DependentFactory(subscriber=employee, first_name="Byron", last_name="Lovelace")
    for member, tier, amount in [(employee, "FAM", "1237.50"), (child, "FAM", "0.00")]:
        InvoiceLineFactory(
            invoice=invoice, member=member, plan=employee.plan, tier=tier, amount=Decimal(amount)
        )
    InvoiceLineFactory(
        invoice=invoice,
        kind="adjustment",
        description="Retroactive change: member terminated",
        amount=Decimal("-5.25"),
    )
    PaymentFactory(group=group, invoice=invoice, amount=Decimal("500.00"), reference="CHK991")
    client.force_login(cast.groupadmin)

    # when
    page = client.get(_detail(invoice)).content.decode()

    # then
    for text in [
        "<dt>Balance forward (prior balance)</dt><dd>$100.00</dd>",
        "<dt>Current period amount</dt><dd>$1,237.50</dd>",
        "<dt>Adjustments</dt><dd>-$5.25</dd>",
        "<dt>Payments received</dt><dd>$100.00</dd>",
        "<dt>Balance due</dt><dd>$1,232.25</dd>",
        "Lovelace, Ada",
        "Lovelace, Byron",
        "Family",
        employee.plan.name,
        "Retroactive change: member terminated",
        "CHK991",
        "$500.00",
    ]:
        assert text in page, text
    assert AuditEvent.objects.filter(
        user=cast.groupadmin,
        action=AuditEvent.Action.VIEW,
        object_type="billing.Invoice",
        object_id=str(invoice.pk),
    ).exists()


def test_status_is_derived_from_the_figures_and_payments(client, cast):
    group = cast.employer_groups[0]
    today = timezone.localdate()
    later, earlier = today + datetime.timedelta(days=10), today - datetime.timedelta(days=10)
    issued = today - datetime.timedelta(days=40)

    def bill(number, due, **figures):
        period = datetime.date(2020, 1 + InvoiceFactory._meta.model.objects.count(), 1)
        return InvoiceFactory(
            group=group,
            number=number,
            period_start=period,
            period_end=period.replace(day=28),
            issued_on=issued,
            due_date=due,
            **figures,
        )

    bill("O", later)
    partial = bill("PP", later)
    PaymentFactory(group=group, invoice=partial, amount=Decimal("100.00"))
    paid = bill("PAI", earlier)
    PaymentFactory(group=group, invoice=paid, amount=paid.balance_due)
    returned = bill("PDUE", earlier)
    PaymentFactory(
        group=group,
        invoice=returned,
        amount=returned.balance_due,
        status=Payment.Status.RETURNED,
        return_reason="Insufficient funds",
    )
    bill("ZERO", earlier, current_amount=Decimal("0.00"))
    client.force_login(cast.groupadmin)

    rows = client.get(LIST).context["page"].object_list
    assert {i.number: i.status_label for i in rows} == {
        "O": "Open",
        "PP": "Partially paid",
        "PAI": "Paid",
        "PDUE": "Past due",
        "ZERO": "Paid",
    }
    past_due = client.get(LIST, {"status": "past_due"}).context["page"].object_list
    assert [i.number for i in past_due] == ["PDUE"]


def test_filter_sort_and_empty_states(client, cast, invoices):
    client.force_login(cast.employer)
    response = client.get(LIST, {"group": cast.employer_groups[1].pk, "sort": "amount"})
    assert [i.number for i in response.context["page"].object_list] == ["SIB-2611"]
    InvoiceFactory(
        group=cast.employer_groups[0],
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        current_amount=Decimal("1.00"),
        number="SMALL",
    )
    numbers = [i.number for i in client.get(LIST, {"sort": "-amount"}).context["page"].object_list]
    assert numbers[-1] == "SMALL"
    response = client.get(LIST, {"status": "paid"})
    assert "No bills match these filters." in response.content.decode()
    # An unknown filter value or sort is ignored, never an error.
    assert (
        client.get(LIST, {"group": "x", "status": "x", "sort": "x", "page": "x"}).status_code == 200
    )
    client.force_login(cast.users["employer2"])
    invoices["other_employer"].delete()
    assert "No bill has been issued for your groups yet." in client.get(LIST).content.decode()


def test_htmx_swaps_only_the_results(client, cast, invoices):
    client.force_login(cast.employer)
    response = client.get(
        LIST, {"sort": "due"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="invoice-results"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="invoice-results">')
    assert "<h1>" not in page


def test_the_list_and_a_bill_cost_the_same_queries_for_few_rows_or_many(
    client, cast, invoices, django_assert_max_num_queries
):
    client.force_login(cast.employer)
    own = invoices["own"]
    InvoiceLineFactory(invoice=own, member=cast.members[own.group.number])
    client.get(LIST)
    client.get(_detail(own))
    with django_assert_max_num_queries(10) as few_in_list:
        client.get(LIST)
    with django_assert_max_num_queries(13) as few_in_bill:
        client.get(_detail(own))
    for n in range(25):
        period = datetime.date(2024 + n // 12, 1 + n % 12, 1)
        invoice = InvoiceFactory(
            group=cast.employer_groups[n % 2],
            period_start=period,
            period_end=period.replace(day=28),
            number=f"MANY{n:03d}",
        )
        PaymentFactory(group=invoice.group, invoice=invoice, amount=Decimal("10.00"))
        member = MemberFactory(group=own.group)
        InvoiceLineFactory(invoice=own, member=member, plan=member.plan, tier="EE")
        InvoiceLineFactory(invoice=own, member=DependentFactory(subscriber=member), tier="EE")
        PaymentFactory(group=own.group, invoice=own, amount=Decimal("1.00"))
    with django_assert_max_num_queries(len(few_in_list)):
        response = client.get(LIST)
    assert response.context["page"].paginator.count == 27
    with django_assert_max_num_queries(len(few_in_bill)):
        response = client.get(_detail(own))
    assert len(response.context["roster"]) == 51
