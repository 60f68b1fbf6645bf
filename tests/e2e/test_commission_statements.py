"""Commission Statements in a real browser: broker@ opens the page on the latest month, reads the
chart's table, searches a range and a report type, and downloads a month's statement as PDF and
as Excel; the totals in both files are the sum of the commission lines. Every state passes axe."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from brokers import access
from commissions.models import CommissionLine
from portal.dates import add_months
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

pytestmark = pytest.mark.e2e


def _statement(code, period, lines):
    statement = f.CommissionStatementFactory(
        broker_code=code,
        period=period,
        statement_date=period + datetime.timedelta(days=6),
        total=sum(amount for _, amount in lines),
        payee_name="Dana Whitfield",
        agency_name="Harbor Benefits Group",
    )
    for n, (kind, amount) in enumerate(lines):
        f.CommissionLineFactory(
            statement=statement,
            kind=kind,
            description=f"Group 10{n:04d}",
            premium=abs(amount) * 20,
            rate=Decimal("0.0500"),
            amount=amount,
        )
    return statement


@pytest.fixture
def statements(live_cast):
    code = access.broker_codes_for(live_cast.broker)[0].code
    this_month = timezone.localdate().replace(day=1)
    for n in range(1, 4):
        _statement(code, add_months(this_month, -n), [("commission", Decimal("100.00") * n)])
    # The latest month: 60 lines over several PDF pages, with chargebacks and an adjustment.
    lines = [("commission", Decimal("123.45") + n) for n in range(56)]
    lines += [("chargeback", Decimal("-200.10")), ("chargeback", Decimal("-15.00"))]
    lines += [("adjustment", Decimal("7.77")), ("adjustment", Decimal("-1.01"))]
    return _statement(code, this_month, lines)


def _download(page, link_name, tmp_path):
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name).click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path.read_bytes()


def test_latest_month_search_and_download_pdf_and_excel(
    live_cast, page, axe_source, statements, tmp_path
):
    expected_total = sum(statements.lines.values_list("amount", flat=True))
    chargebacks = sum(
        statements.lines.filter(kind=CommissionLine.Kind.CHARGEBACK).values_list(
            "amount", flat=True
        )
    )
    log_in(page, "broker@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Commission Statements"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Commission Statements")).to_be_visible()
    # The latest month only, with the checks & EFTs and the category statement.
    expect(page.get_by_text("1 month found.")).to_be_visible()
    name = statements.document_name
    expect(page.get_by_role("link", name=f"PDF of {name}")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Excel of BRK_CHK_EFT_"))).to_be_visible()
    assert_accessible(page, axe_source)

    # The chart's numbers as a table.
    page.get_by_text("The numbers as a table").click()
    table = page.get_by_role("table", name="Commission paid each month")
    expect(table.get_by_role("row")).to_have_count(19)
    expect(table.get_by_role("row").last).to_contain_text(f"${expected_total:,.2f}")
    assert_accessible(page, axe_source)

    # Four months, group statements only.
    first = add_months(timezone.localdate(), -3)
    page.get_by_label("Start month").select_option(first.strftime("%Y-%m"))
    page.get_by_label("Report type").select_option(label="Group")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("4 months found.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"of BRK_CHK_EFT_"))).to_have_count(0)
    assert_accessible(page, axe_source)

    # A start after the end: said, and nothing listed.
    page.get_by_label("Start month").select_option(timezone.localdate().strftime("%Y-%m"))
    page.get_by_label("End month").select_option(first.strftime("%Y-%m"))
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Choose a start month on or before the end month.")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Latest month").click()
    filename, pdf = _download(page, f"PDF of {name}", tmp_path)
    assert filename == f"{name}.pdf"
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 2
    assert f"{expected_total:,.2f}" in text
    assert f"{chargebacks:,.2f}".lstrip("-") in text
    assert f"Page 1 of {len(reader.pages)}" in text

    filename, xlsx = _download(page, f"Excel of {name}", tmp_path)
    assert filename == f"{name}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx))
    detail = list(workbook["Detail"].iter_rows(values_only=True))
    count = statements.lines.count()
    header, rows, total_row = detail[0], detail[1 : count + 1], detail[-1]
    amounts = [Decimal(str(row[header.index("Amount")])) for row in rows]
    assert sum(amounts) == expected_total
    assert total_row[0] == "Total" and Decimal(str(total_row[-1])) == expected_total
    summary_values = [
        cell for row in workbook["Summary"].iter_rows(values_only=True) for cell in row
    ]
    assert float(expected_total) in summary_values
