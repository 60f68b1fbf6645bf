"""Payment history ("Research payment history"): the payments of the groups the user may see
with view_payment_history, searched, filtered, sorted and paged, audited, a constant number of
queries, and exported to XLSX as a report job with the same search."""

import datetime
import io
import itertools
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from billing.models import Payment, PaymentAccount
from employers import access
from portal.audit.models import AuditEvent
from portal.jobs.models import ReportJob
from tests.factories import EmployerAdminFactory, InvoiceFactory, PaymentFactory

HISTORY = reverse("employers:payment-history")
_tokens = itertools.count()


def _account(group, *, nickname="Operating", last4="6789", by):
    return PaymentAccount.objects.create(
        employer=group.parent.employer,
        nickname=nickname,
        holder_name="Cypress Manufacturing",
        account_type=PaymentAccount.AccountType.CHECKING,
        routing_number="021000021",
        account_token=f"tok_test_{next(_tokens)}",
        account_last4=last4,
        created_by=by,
    )


def _invoice(group, *, number=None, start=datetime.date(2026, 11, 1)):
    extra = {"number": number} if number else {}
    return InvoiceFactory(
        group=group, period_start=start, period_end=start + datetime.timedelta(days=27), **extra
    )


def _listed(response):
    return [payment.reference for payment in response.context["page"].object_list]


@pytest.fixture
def payments(cast):
    """Payments on groupadmin@'s suffix (own), employer@'s other suffixes and another employer,
    one of each status."""
    own, sibling = cast.employer_groups[0], cast.employer_groups[2]
    account = _account(own, by=cast.employer)
    october = _invoice(own, number="OWN-2610", start=datetime.date(2026, 10, 1))
    november = _invoice(own, number="OWN-2611")
    made = {
        "settled": PaymentFactory(
            group=own,
            invoice=october,
            amount=Decimal("1500.00"),
            received_on=datetime.date(2026, 10, 20),
            reference="REF-SETTLED",
            gateway_reference="SBX-1001",
            account=account,
            status=Payment.Status.SETTLED,
        ),
        "returned": PaymentFactory(
            group=own,
            invoice=november,
            amount=Decimal("250.25"),
            received_on=datetime.date(2026, 11, 5),
            reference="REF-RETURNED",
            account=account,
            status=Payment.Status.RETURNED,
            return_reason="R01 Insufficient funds",
        ),
        "scheduled": PaymentFactory(
            group=own,
            invoice=november,
            amount=Decimal("99.99"),
            received_on=datetime.date(2026, 11, 28),
            reference="REF-SCHEDULED",
            status=Payment.Status.SCHEDULED,
        ),
        "sibling": PaymentFactory(
            group=sibling,
            amount=Decimal("700.00"),
            received_on=datetime.date(2026, 11, 1),
            reference="REF-SIBLING",
            method=Payment.Method.CHECK,
        ),
        "other_employer": PaymentFactory(
            group=cast.other_employer_group,
            reference="REF-OTHER",
            received_on=datetime.date(2026, 11, 2),
        ),
    }
    return made


@pytest.mark.parametrize(
    "role, expected",
    [
        ("groupadmin", ["REF-SCHEDULED", "REF-RETURNED", "REF-SETTLED"]),
        ("employer", ["REF-SCHEDULED", "REF-RETURNED", "REF-SIBLING", "REF-SETTLED"]),
        ("employer2", ["REF-OTHER"]),
    ],
)
def test_each_administrator_sees_only_their_groups_payments_newest_first(
    client, cast, payments, role, expected
):
    client.force_login(cast.users[role])

    assert _listed(client.get(HISTORY)) == expected


def test_a_payment_shows_group_invoice_account_method_status_and_references(client, cast, payments):
    client.force_login(cast.groupadmin)

    page = client.get(HISTORY).text

    for shown in [
        "10/20/2026",
        cast.employer_groups[0].number,
        f'href="{reverse("employers:invoice-detail", args=[payments["settled"].invoice_id])}"',
        "OWN-2610",
        "$1,500.00",
        "Operating (…6789)",
        "Bank account (ACH)",
        "Settled",
        "SBX-1001",
        "REF-SETTLED",
        "Returned",
        "R01 Insufficient funds",
        "Scheduled",
    ]:
        assert shown in page, shown


def test_an_administrator_without_the_function_sees_no_payment(client, cast, payments):
    group = cast.employer_groups[0]
    admin = EmployerAdminFactory(employer=group.parent.employer, level="group_admin")
    access.grant_admin_groups(admin, [group], perms=("view_group", "view_invoice"))
    client.force_login(admin.user)

    response = client.get(HISTORY)

    assert _listed(response) == []
    assert "You have not been given access to the payment history of any group." in response.text


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "ref-returned"}, ["REF-RETURNED"]),
        ({"q": "SBX-1001"}, ["REF-SETTLED"]),
        ({"q": "OWN-2611"}, ["REF-SCHEDULED", "REF-RETURNED"]),
        ({"q": "REF-OTHER"}, []),
        ({"status": "returned"}, ["REF-RETURNED"]),
        ({"start": "11/01/2026", "end": "11/27/2026"}, ["REF-RETURNED", "REF-SIBLING"]),
        ({"start": "2026-11-02"}, ["REF-SCHEDULED", "REF-RETURNED"]),
        ({"sort": "amount"}, ["REF-SCHEDULED", "REF-RETURNED", "REF-SIBLING", "REF-SETTLED"]),
        ({"sort": "-amount"}, ["REF-SETTLED", "REF-SIBLING", "REF-RETURNED", "REF-SCHEDULED"]),
    ],
)
def test_search_filters_and_sort(client, cast, payments, query, expected):
    client.force_login(cast.employer)

    assert _listed(client.get(HISTORY, query)) == expected


def test_filter_by_group_takes_only_the_users_own_groups(client, cast, payments):
    client.force_login(cast.groupadmin)

    sibling = client.get(HISTORY, {"group": cast.employer_groups[2].pk})
    own = client.get(HISTORY, {"group": cast.employer_groups[0].pk})

    # A group the user may not see is not a choice: the search says so and lists their own.
    assert "Select a valid choice" in sibling.text
    assert "REF-SIBLING" not in sibling.text
    assert len(_listed(own)) == 3


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "13/45/2026"}, "Enter a valid date."),
        ({"start": "10/01/2026", "end": "09/01/2026"}, "The end date must be on or after"),
    ],
)
def test_a_bad_date_is_explained_and_the_rest_of_the_search_stands(
    client, cast, payments, query, message
):
    client.force_login(cast.groupadmin)

    response = client.get(HISTORY, {**query, "status": "settled"})

    assert response.status_code == 200
    assert message in response.text
    assert _listed(response) == ["REF-SETTLED"]


def test_htmx_swaps_only_the_results(client, cast, payments):
    client.force_login(cast.groupadmin)

    response = client.get(
        HISTORY,
        {"status": "scheduled"},
        headers={"HX-Request": "true", "HX-Target": "payment-history-results"},
    )

    assert response.text.lstrip().startswith('<div id="payment-history-results">')
    assert "REF-SCHEDULED" in response.text
    assert "<h1>" not in response.text


def test_empty_states(client, cast, payments):
    client.force_login(cast.groupadmin)

    assert "No payments match this search." in client.get(HISTORY, {"q": "nothing"}).text
    Payment.objects.all().delete()
    assert "No payment has been made to your groups' bills yet." in client.get(HISTORY).text


def test_the_payments_shown_are_audited(client, cast, payments):
    client.force_login(cast.groupadmin)

    client.get(HISTORY, {"status": "returned"})

    assert list(
        AuditEvent.objects.filter(user=cast.groupadmin, object_type="billing.Payment").values_list(
            "action", "object_id"
        )
    ) == [(AuditEvent.Action.VIEW, str(payments["returned"].pk))]


def test_pages_of_25(client, cast):
    group = cast.employer_groups[0]
    PaymentFactory.create_batch(30, group=group)
    client.force_login(cast.groupadmin)

    second = client.get(HISTORY, {"page": 2})

    assert len(second.context["page"].object_list) == 5
    assert "Page 2/2" in second.text


@pytest.mark.parametrize("count", [3, 40])
def test_the_list_is_a_constant_number_of_queries(client, cast, django_assert_num_queries, count):
    group = cast.employer_groups[0]
    account = _account(group, by=cast.employer)
    for n in range(count):
        invoice = _invoice(group, start=datetime.date(2020, 1, 1) + datetime.timedelta(days=31 * n))
        PaymentFactory(group=group, invoice=invoice, account=account, reference=f"R{n}")
    client.force_login(cast.groupadmin)
    client.get(HISTORY)  # the session and permission rows warm up

    # session, user, admin record; the groups for the filter and the permission's id (twice: the
    # choices and the search); the count and the page; the groups whose bills the invoice
    # numbers link to, with the permission's id; the audit rows; the session's inactivity clock
    # (an UPDATE within a savepoint)
    with django_assert_num_queries(14):
        client.get(HISTORY)


def test_export_holds_the_search_and_is_audited(
    client, cast, payments, django_capture_on_commit_callbacks
):
    client.force_login(cast.groupadmin)
    export = client.get(HISTORY, {"start": "11/01/2026"}).context["export_parameters"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("jobs:job-create"), {"kind": "payment_history_xlsx", **export}
        )

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert (job.requester, job.status, job.progress) == (cast.groupadmin, "done", 100)
    download = client.get(reverse("jobs:job-download", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[9] for row in rows] == ["REF-SCHEDULED", "REF-RETURNED"]
    returned = rows[1]
    assert returned[3:8] == [
        "OWN-2611",
        250.25,
        "Operating (…6789)",
        "Bank account (ACH)",
        "Returned: R01 Insufficient funds",
    ]
    exported = AuditEvent.objects.filter(
        user=cast.groupadmin, action=AuditEvent.Action.EXPORT, object_type="billing.Payment"
    ).values_list("object_id", flat=True)
    assert sorted(exported) == sorted(str(payments[key].pk) for key in ("scheduled", "returned"))


def test_export_of_a_group_the_user_may_not_see_is_refused(client, cast, payments):
    client.force_login(cast.groupadmin)

    response = client.post(
        reverse("jobs:job-create"),
        {"kind": "payment_history_xlsx", "group": cast.employer_groups[2].pk},
    )

    assert response.status_code == 404
    assert not ReportJob.objects.exists()


def test_export_made_after_access_was_taken_away_holds_nothing_of_that_group(
    client, cast, payments, django_capture_on_commit_callbacks
):
    from portal.jobs.registry import get_report

    report = get_report("payment_history_xlsx", {"group": cast.employer_groups[0].pk})
    assert report.is_available_to(cast.groupadmin)
    admin = access.admin_for(cast.groupadmin)
    access.admin_access_set(admin, access.Access())

    assert list(report.payments(cast.groupadmin)) == []
