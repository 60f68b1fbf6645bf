"""Commission Statements: the page and its window, the files drawn once and again when the lines
change, the purge, and who may see what."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from brokers import access
from brokers.services import office_staff_update
from commissions import services, tasks
from commissions.models import CommissionLine, CommissionStatement, StatementDocument
from portal.audit.models import AuditEvent
from portal.dates import add_months
from tests import factories as f
from tests.factories import PASSWORD

TODAY = datetime.date(2026, 11, 27)
LIST = reverse("brokers:statement-list")


def _statement(code, period, *, category="group", lines=((Decimal("1000.00"), "commission"),)):
    statement = f.CommissionStatementFactory(
        broker_code=code,
        period=period,
        category=category,
        statement_date=period + datetime.timedelta(days=6),
        total=sum(amount for amount, _ in lines),
        payee_name="Test Broker",
        agency_name="Harbor Benefits Group",
    )
    for amount, kind in lines:
        f.CommissionLineFactory(
            statement=statement, kind=kind, amount=amount, premium=amount * 20, rate="0.0500"
        )
    return statement


def _document_url(statement, format="pdf", name=None):
    return reverse(
        "brokers:statement-document",
        args=[statement.broker_code, name or statement.document_name, format],
    )


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def code(cast):
    return access.broker_codes_for(cast.broker)[0].code


@pytest.fixture
def history(code, frozen):
    """broker@'s statements: 20 months, the oldest two beyond the window; an IFP one too."""
    statements = [_statement(code, add_months(datetime.date(2025, 4, 1), n)) for n in range(20)]
    statements.append(
        _statement(
            code,
            datetime.date(2026, 11, 1),
            category="ifp",
            lines=[(Decimal("60.00"), "commission"), (Decimal("-60.00"), "chargeback")],
        )
    )
    return statements


def _log_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def test_the_page_opens_on_the_latest_month(client, cast, history, code):
    _log_in(client, cast.broker)
    response = client.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    [(month, documents)] = response.context["months"]
    assert month == datetime.date(2026, 11, 1)
    assert [heading for heading, _ in documents] == [
        "IFP / Group Checks & EFTs",
        "Group – CA",
        "IFP – CA",
    ]
    assert "BRK_GRP_STMNT_CA_2026-11-07" in body
    assert "BRK_IFP_STMNT_CA_2026-11-07" in body
    assert "BRK_CHK_EFT_2026-11-07" in body
    assert "kept for 18 months" in body
    # The chart's table has every month of the window.
    assert response.context["chart"].bars[0].title == "June 2025"
    assert len(response.context["chart"].bars) == 18


def test_search_by_months_type_and_category_within_the_window(client, cast, history):
    _log_in(client, cast.broker)
    response = client.get(LIST, {"start": "2025-06", "end": "2026-11", "report_type": ""})
    months = [month for month, _ in response.context["months"]]
    assert len(months) == 18
    assert months[0] == datetime.date(2026, 11, 1) and months[-1] == datetime.date(2025, 6, 1)

    response = client.get(LIST, {"start": "2026-11", "end": "2026-11", "report_type": "payments"})
    [(_, documents)] = response.context["months"]
    assert documents == [("IFP / Group Checks & EFTs", "BRK_CHK_EFT_2026-11-07")]

    response = client.get(
        LIST, {"start": "2026-11", "end": "2026-11", "report_type": "", "category": "ifp-CA"}
    )
    [(_, documents)] = response.context["months"]
    assert ("IFP – CA", "BRK_IFP_STMNT_CA_2026-11-07") in documents
    assert all("GRP" not in name for _, name in documents)


@pytest.mark.parametrize(
    "query, message",
    [
        (
            {"start": "2026-11", "end": "2026-10"},
            "Choose a start month on or before the end month.",
        ),
        ({"start": "2025-04", "end": "2026-11"}, "Select a valid choice."),
        ({"start": "nonsense", "end": "2026-11"}, "Select a valid choice."),
    ],
)
def test_a_bad_search_says_why_and_shows_nothing(client, cast, history, query, message):
    _log_in(client, cast.broker)
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["months"] == []


def test_a_broker_without_statements_is_told_so(client, cast, frozen):
    _log_in(client, cast.broker)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "no commission statements for this Broker ID in the last 18 months" in (
        response.content.decode()
    )


def test_the_file_is_drawn_once_served_again_and_audited(client, cast, history):
    statement = history[-2]  # November's group statement
    _log_in(client, cast.broker)
    first = client.get(_document_url(statement))
    assert first.status_code == 200
    assert first["Content-Disposition"] == (
        'attachment; filename="BRK_GRP_STMNT_CA_2026-11-07.pdf"'
    )
    assert b"".join(first.streaming_content).startswith(b"%PDF-")
    document = StatementDocument.objects.get(name=statement.document_name, format="pdf")

    again = client.get(_document_url(statement))
    assert again.status_code == 200
    assert StatementDocument.objects.get(pk=document.pk).file.name == document.file.name
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.DOWNLOAD,
            object_type="commissions.CommissionStatement",
            object_id=str(statement.pk),
            user=cast.broker,
        ).count()
        == 2
    )


def test_a_changed_line_draws_the_file_again(client, cast, history):
    statement = history[-2]
    _log_in(client, cast.broker)
    client.get(_document_url(statement, "xlsx"))
    before = StatementDocument.objects.get(name=statement.document_name, format="xlsx")

    line = statement.lines.get()
    line.amount = Decimal("1234.56")
    line.save()
    response = client.get(_document_url(statement, "xlsx"))

    after = StatementDocument.objects.get(pk=before.pk)
    assert after.content_hash != before.content_hash
    assert after.file.name != before.file.name
    assert not after.file.storage.exists(before.file.name)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert 1234.56 in [cell.value for row in workbook["Detail"].iter_rows() for cell in row]


def test_while_the_file_is_drawn_the_page_checks_back(client, cast, history, settings):
    statement = history[-2]
    url = _document_url(statement)
    _log_in(client, cast.broker)
    queued = []
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def queue(*args):
        queued.append(args)

    tasks.statement_document_generate.delay = queue
    try:
        response = client.get(url)
        assert response.status_code == 202
        assert 'hx-trigger="every 2s"' in response.content.decode()
        assert queued == [(statement.broker_code, statement.document_name, "pdf")]
        poll = client.get(url, headers={"HX-Request": "true"})
        assert "every 2s" in poll.content.decode()
        assert len(queued) == 1  # queued once, not on every poll
    finally:
        del tasks.statement_document_generate.delay

    tasks.statement_document_generate(*queued[0])
    poll = client.get(url, headers={"HX-Request": "true"})
    assert "Your statement is ready." in poll.content.decode()
    assert "every 2s" not in poll.content.decode()


def test_statements_beyond_the_window_are_not_served_and_are_purged(client, cast, history, code):
    oldest = history[0]
    _log_in(client, cast.broker)
    assert client.get(_document_url(oldest)).status_code == 404
    kept = history[2]  # June 2025, the window's first month
    assert client.get(_document_url(kept)).status_code == 200

    tasks.statements_purge()

    periods = set(
        CommissionStatement.objects.filter(broker_code=code).values_list("period", flat=True)
    )
    assert min(periods) == datetime.date(2025, 6, 1)
    assert len(periods) == 18
    assert StatementDocument.objects.filter(name=kept.document_name).exists()
    with time_machine.travel(datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC), tick=False):
        tasks.statements_purge()
    # A month later the window starts in July 2025: June's statement and its file are gone.
    assert not CommissionStatement.objects.filter(pk=kept.pk).exists()
    assert not StatementDocument.objects.filter(name=kept.document_name).exists()


def test_who_may_see_statements(client, cast, history):
    statement = history[-2]
    other = _statement(f.BrokerCodeFactory(broker=cast.broker2.broker).code, statement.period)
    colleague = access.broker_for(cast.sibling_office_staff)
    sibling = _statement(f.BrokerCodeFactory(broker=colleague).code, statement.period)
    url = _document_url(statement)
    # Office staff: only with the Commission Statements tool.
    _log_in(client, cast.staff)
    assert client.get(LIST).status_code == 403
    assert client.get(url).status_code == 403
    office_staff_update(
        user=cast.staff,
        first_name=cast.staff.first_name,
        last_name=cast.staff.last_name,
        tools=[access.Tool.COMMISSION_STATEMENTS],
        by=cast.broker,
    )
    assert client.get(LIST).status_code == 200
    assert client.get(url).status_code == 200
    # Another agency's statements, or a colleague's in the same agency, asked for by their own
    # Broker ID or under ours: 404.
    assert client.get(_document_url(other)).status_code == 404
    assert client.get(_document_url(sibling)).status_code == 404
    assert client.get(_document_url(statement, name=other.document_name + "X")).status_code == 404
    _log_in(client, cast.broker2)
    assert client.get(url).status_code == 404
    assert client.get(_document_url(other)).status_code == 200


def test_import_loads_statements_all_or_nothing_and_redraws_their_files(
    cast, history, code, django_capture_on_commit_callbacks
):
    statement = history[-2]
    services.document_generate(code, statement.document_name, "pdf", today=TODAY)
    before = StatementDocument.objects.get(name=statement.document_name, format="pdf")
    group = cast.employer_groups[0]
    row = {
        "broker_id": code,
        "npn": "12345678",
        "period": "2026-11-01",
        "category": "group",
        "state": "CA",
        "statement_date": "2026-11-07",
        "payment_method": "eft",
        "kind": "commission",
        "group_number": group.number,
        "description": f"Group {group.number}",
        "coverage_period": "11/01/2026",
        "subscribers": "12",
        "premium": "12,000.00",
        "rate": "0.05",
        "amount": "600.00",
    }
    rows = [
        (2, row),
        (3, {**row, "kind": "chargeback", "amount": "-150.00"}),
        (4, {**row, "period": "2026-10-01", "statement_date": "2026-10-07"}),
    ]

    bad = [*rows, (5, {**row, "kind": "chargeback", "amount": "5", "group_number": "nope"})]
    with pytest.raises(services.ImportRowsError) as error:
        services.commission_lines_import(rows=bad, by=cast.ops, today=TODAY)
    assert {(number, column) for number, column, _ in error.value.errors} == {
        (5, "amount"),
        (5, "group_number"),
    }
    assert statement.lines.count() == 1  # nothing imported

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.commission_lines_import(rows=rows, by=cast.ops, today=TODAY)
    assert counts == {"created": 0, "updated": 2, "lines": 3}
    statement.refresh_from_db()
    assert statement.total == Decimal("450.00")
    assert sorted(statement.lines.values_list("amount", flat=True)) == [
        Decimal("-150.00"),
        Decimal("600.00"),
    ]
    assert statement.lines.filter(kind=CommissionLine.Kind.CHARGEBACK).count() == 1
    # The stored PDF showed the old lines, so it was drawn again after the commit.
    after = StatementDocument.objects.get(pk=before.pk)
    assert after.content_hash != before.content_hash


def test_import_refuses_rows_of_one_statement_that_disagree(cast, history, code):
    row = {
        "broker_id": code,
        "npn": "12345678",
        "period": "2026-11-01",
        "category": "group",
        "state": "CA",
        "statement_date": "2026-11-07",
        "payment_method": "eft",
        "description": "Adjustment",
        "coverage_period": "2026-11-01",
        "premium": "0",
        "rate": "0",
        "amount": "10.00",
        "kind": "adjustment",
    }
    rows = [(2, row), (3, {**row, "payment_method": "check"})]
    with pytest.raises(services.ImportRowsError) as error:
        services.commission_lines_import(rows=rows, by=cast.ops, today=TODAY)
    assert error.value.errors == [(3, "", "The statement's columns differ from row 2's.")]


def test_the_page_costs_the_same_queries_for_one_month_or_eighteen(
    client, cast, history, django_assert_max_num_queries
):
    _log_in(client, cast.broker)
    client.get(LIST)  # sessions and permissions warmed up as in any later request
    with django_assert_max_num_queries(12) as one_month:
        client.get(LIST)
    with django_assert_max_num_queries(len(one_month)) as all_months:
        response = client.get(LIST, {"start": "2025-06", "end": "2026-11"})
    assert len(response.context["months"]) == 18
    assert len(all_months) == len(one_month)


def test_a_file_lost_from_storage_is_drawn_again(client, cast, history):
    statement = history[-2]
    _log_in(client, cast.broker)
    client.get(_document_url(statement))
    document = StatementDocument.objects.get(name=statement.document_name, format="pdf")
    document.file.storage.delete(document.file.name)
    response = client.get(_document_url(statement))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
