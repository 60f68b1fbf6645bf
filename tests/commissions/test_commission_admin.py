"""Ops load commission lines in the admin from a file, all or nothing, and can have a
statement's files drawn again."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commissions.models import CommissionStatement, StatementDocument
from tests import factories as f

IMPORT = reverse("admin:commissions_commissionstatement_import")
CHANGELIST = reverse("admin:commissions_commissionstatement_changelist")
HEADER = (
    "broker_id,npn,period,category,state,statement_date,payment_method,kind,group_number,"
    "description,coverage_period,subscribers,premium,rate,amount"
)


def _csv(*lines):
    return SimpleUploadedFile("lines.csv", "\n".join([HEADER, *lines]).encode(), "text/csv")


def _month():
    return timezone.localdate().replace(day=1)


def test_a_file_of_lines_makes_statements(client, cast):
    client.force_login(cast.ops)
    group = cast.employer_groups[0]
    month = _month().isoformat()
    response = client.post(
        IMPORT,
        {
            "file": _csv(
                f"BK777,12345678,{month},group,CA,{month},eft,,{group.number},Cypress,{month},"
                '12,"12,000.00",0.05,600.00',
                f"BK777,12345678,{month},group,CA,{month},eft,chargeback,{group.number},"
                f"Cypress: ended,{month},0,-1000,0.05,-50.00",
            )
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "Imported 2 commission lines: 1 new statements" in response.content.decode()
    statement = CommissionStatement.objects.get(broker_code="BK777")
    assert statement.total == 550
    assert statement.lines.count() == 2


def test_a_bad_file_imports_nothing_and_lists_every_problem(client, cast):
    client.force_login(cast.ops)
    month = _month().isoformat()
    old = (_month() - datetime.timedelta(days=800)).isoformat()
    response = client.post(
        IMPORT,
        {
            "file": _csv(
                f"BK777,12345678,{month},group,CA,{month},eft,,,Fine line,{month},1,100,0.05,5",
                f"BK777,12345678,{old},group,CA,{month},wire,,,Old,{month},1,100,7,5",
            )
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was imported: 3 problems in the file." in body
    assert "older" in body and "Use check or eft." in body and "as a fraction" in body
    assert not CommissionStatement.objects.exists()


def test_a_file_that_is_not_a_table_says_so(client, cast):
    client.force_login(cast.ops)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("lines.pdf", b"%PDF-1.4")})
    assert "Upload an Excel workbook (.xlsx) or a CSV file (.csv)." in response.content.decode()
    assert not CommissionStatement.objects.exists()


def test_ops_can_have_the_files_drawn_again(client, cast):
    statement = f.CommissionLineFactory(
        statement=f.CommissionStatementFactory(period=_month(), statement_date=_month())
    ).statement
    client.force_login(cast.ops)
    response = client.post(
        CHANGELIST,
        {"action": "documents_regenerate", "_selected_action": [statement.pk]},
        follow=True,
    )
    assert "The files of 1 statement are being drawn again" in response.content.decode()
    # The statement's PDF and Excel, and its date's checks & EFTs in both formats.
    assert StatementDocument.objects.filter(broker_code=statement.broker_code).count() == 4
