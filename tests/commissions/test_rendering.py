"""Commission statement documents (commissions/rendering.py): the PDF a broker files and the XLSX
they work in show the same statement, and agree to the cent."""

import dataclasses
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pypdf
import pytest

from commissions.documents import DetailLine, StatementContent, SummaryRow
from commissions.rendering import statement_pdf, statement_xlsx

CENT = Decimal("0.01")
PDF_HEADINGS = re.compile(
    r"Kind\s+Group/Member\s+Description\s+Product\s+Coverage\s+Subscribers\s+Premium\s+Rate\s+Amount"
)
XLSX_HEADINGS = [
    "Kind",
    "Group",
    "Member ID",
    "Description",
    "Product",
    "Coverage month",
    "Subscribers",
    "Premium",
    "Rate",
    "Amount",
]
MONEY = re.compile(r"-?[\d,]+\.\d\d")
# (kind, sign): commissions, an adjustment that takes money back and a chargeback in every five.
KINDS = [
    ("Commission", 1),
    ("Adjustment", 1),
    ("Commission", 1),
    ("Adjustment", -1),
    ("Chargeback", -1),
]


def _line(number):
    kind, sign = KINDS[number % len(KINDS)]
    individual = number % 4 == 3
    subscribers = 1 if individual else 2 + number % 40
    premium = (Decimal("412.37") * subscribers + number).quantize(CENT)
    rate = [Decimal("0.0500"), Decimal("0.0350"), Decimal("0.0625")][number % 3]
    description = f"Member {number}" if individual else f"Harbor Vineyards {number}"
    if number % 10 == 0:
        description += " Employee Benefits Trust, retroactive rate correction"
    return DetailLine(
        kind=kind,
        group_number="" if individual else f"200001-{number:04d}",
        member_id=f"{10000000000 + number:011d}" if individual else "",
        description=description,
        product="Gold PPO 1000/25",
        coverage_period=datetime.date(2026, 7 - number % 3, 1),
        subscribers=subscribers,
        premium=premium,
        rate=rate,
        amount=sign * (premium * rate).quantize(CENT),
    )


def _statement(lines):
    """A group statement whose summary adds up its lines by category, as services build it."""
    totals = {}
    for line in lines:
        label = "Group – CA" if line.group_number else "Individual – CA"
        column = ["Commission", "Adjustment", "Chargeback"].index(line.kind)
        totals.setdefault(label, [Decimal("0.00")] * 3)[column] += line.amount
    return StatementContent(
        name="BRK_GRP_STMNT_CA_2026-08-07",
        title="Group Commission Statement – CA",
        broker_code="BRK0042",
        npn="17345678",
        payee_name="Dana Whitfield",
        agency_name="Whitfield Benefits Group",
        period=datetime.date(2026, 7, 1),
        statement_date=datetime.date(2026, 8, 7),
        summary=[SummaryRow(label, *columns) for label, columns in sorted(totals.items())],
        lines=lines,
    )


def _checks_and_efts():
    return StatementContent(
        name="BRK_CHK_EFT_2026-08-07",
        title="IFP / Group Checks & EFTs",
        broker_code="BRK0042",
        npn="17345678",
        payee_name="Dana Whitfield",
        agency_name="Whitfield Benefits Group",
        period=datetime.date(2026, 7, 1),
        statement_date=datetime.date(2026, 8, 7),
        summary=[
            SummaryRow(
                "Group – CA: EFT 1234567",
                Decimal("1520.40"),
                Decimal("12.00"),
                Decimal("-80.25"),
            ),
            SummaryRow(
                "Individual – CA: Check 88812", Decimal("310.05"), Decimal("0"), Decimal("0")
            ),
        ],
    )


def _pdf_pages(content):
    out = io.BytesIO()
    statement_pdf(content, out)
    return [page.extract_text() for page in pypdf.PdfReader(out).pages]


def _workbook(content):
    out = io.BytesIO()
    statement_xlsx(content, out)
    return openpyxl.load_workbook(out)


def _row_starting(text, start):
    (line,) = [line for line in text.splitlines() if line.startswith(start)]
    return line


def _money(text):
    return Decimal(text.replace(",", ""))


def _cell_money(value):
    """A money cell's number as the Decimal it was written from."""
    assert isinstance(value, int | float)
    return Decimal(repr(value)).quantize(CENT)


@pytest.fixture(scope="module")
def statement():
    return _statement([_line(number) for number in range(150)])


@pytest.fixture(scope="module")
def pdf_pages(statement):
    return _pdf_pages(statement)


@pytest.fixture(scope="module")
def workbook(statement):
    return _workbook(statement)


def test_the_fixture_has_every_kind_of_line_and_fills_several_pages(statement, pdf_pages):
    assert {line.kind for line in statement.lines} == {"Commission", "Adjustment", "Chargeback"}
    assert sum(line.amount for line in statement.lines) == statement.total
    assert len(pdf_pages) >= 3


def test_pdf_numbers_every_page_of_the_total_and_names_the_statement(statement, pdf_pages):
    for number, text in enumerate(pdf_pages, start=1):
        assert f"Page {number} of {len(pdf_pages)}" in text
        assert f"{statement.name} · Broker ID {statement.broker_code}" in text


def test_pdf_repeats_the_column_headings_on_every_page(pdf_pages):
    for text in pdf_pages:
        assert len(PDF_HEADINGS.findall(text)) == 1


def test_pdf_heads_the_statement_with_carrier_broker_and_period(settings, statement):
    settings.CARRIER = {
        **settings.CARRIER,
        "name": "Lakeside Mutual Health",
        "address": "100 Lake Street\nSacramento, CA 95814",
    }
    first_page = _pdf_pages(statement)[0]

    for shown in [
        "Lakeside Mutual Health",
        "100 Lake Street",
        "Sacramento, CA 95814",
        "Group Commission Statement – CA",
        "BRK_GRP_STMNT_CA_2026-08-07",
        "Dana Whitfield",
        "Whitfield Benefits Group",
        "BRK0042",
        "17345678",
        "July 2026",
        "August 7, 2026",
    ]:
        assert shown in first_page
    assert _workbook(statement)["Summary"]["A1"].value == "Lakeside Mutual Health"


def test_pdf_and_xlsx_totals_agree_with_the_lines_to_the_cent(statement, pdf_pages, workbook):
    # given
    lines_total = sum(line.amount for line in statement.lines)
    # when: the summary's total row and the detail's total line in the PDF
    summary_total = MONEY.findall(_row_starting(pdf_pages[0], "Total "))
    detail_total = MONEY.findall(_row_starting(pdf_pages[-1], "Total "))
    # then
    assert [_money(amount) for amount in summary_total] == [
        sum(row.commission for row in statement.summary),
        sum(row.adjustments for row in statement.summary),
        sum(row.chargebacks for row in statement.summary),
        lines_total,
    ]
    assert f"{len(statement.lines)} lines" in _row_starting(pdf_pages[-1], "Total ")
    assert _money(detail_total[-1]) == lines_total

    summary = workbook["Summary"]
    (total_row,) = [row for row in summary.iter_rows() if row[0].value == "Total"]
    assert _cell_money(total_row[4].value) == lines_total
    detail = workbook["Detail"]
    amounts = [
        row[9].value for row in detail.iter_rows(min_row=2, max_row=len(statement.lines) + 1)
    ]
    assert sum(_cell_money(amount) for amount in amounts) == lines_total
    assert detail.cell(len(statement.lines) + 3, 1).value == "Total"
    assert _cell_money(detail.cell(len(statement.lines) + 3, 10).value) == lines_total


def test_xlsx_summary_has_dates_as_dates_and_money_as_currency(statement, workbook):
    sheet = workbook["Summary"]
    facts = {row[0].value: row[1] for row in sheet.iter_rows(max_col=2) if row[0].value}

    assert facts["Broker ID"].value == "BRK0042"
    assert facts["NPN"].value == "17345678"
    assert facts["Payee"].value == "Dana Whitfield"
    assert facts["Agency"].value == "Whitfield Benefits Group"
    # openpyxl reads a date cell back as a naive datetime.
    assert facts["Period"].is_date
    assert facts["Period"].value.date() == datetime.date(2026, 7, 1)
    assert facts["Statement date"].is_date
    assert facts["Statement date"].value.date() == datetime.date(2026, 8, 7)
    (heading,) = [row for row in sheet.iter_rows() if row[0].value == "Category"]
    assert [cell.value for cell in heading] == [
        "Category",
        "Commission",
        "Adjustments",
        "Chargebacks",
        "Net",
    ]
    group = next(row for row in sheet.iter_rows() if row[0].value == "Group – CA")
    expected = next(row for row in statement.summary if row.label == "Group – CA")
    assert [_cell_money(cell.value) for cell in group[1:]] == [
        expected.commission,
        expected.adjustments,
        expected.chargebacks,
        expected.net,
    ]
    assert all("$" in cell.number_format for cell in group[1:])


def test_xlsx_detail_has_a_frozen_header_an_autofilter_and_typed_cells(statement, workbook):
    sheet = workbook["Detail"]
    line = statement.lines[3]  # an individual (IFP) adjustment

    assert [cell.value for cell in sheet[1]] == XLSX_HEADINGS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:J{len(statement.lines) + 1}"
    row = sheet[5]
    assert [cell.value for cell in row[:5]] == [
        line.kind,
        None,
        line.member_id,
        line.description,
        line.product,
    ]
    assert row[5].is_date
    assert row[5].value.date() == line.coverage_period
    assert row[6].value == line.subscribers
    assert _cell_money(row[7].value) == line.premium
    assert "$" in row[7].number_format
    assert row[8].value == pytest.approx(float(line.rate))
    assert row[8].number_format == "0.00%"
    assert _cell_money(row[9].value) == line.amount < 0
    assert "$" in row[9].number_format


def test_xlsx_never_turns_statement_text_into_a_formula():
    content = _statement([dataclasses.replace(_line(1), description="=HYPERLINK(1)")])

    cell = _workbook(content)["Detail"]["D2"]

    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_pdf_keeps_a_line_with_a_line_break_in_its_text_on_its_row():
    content = _statement([dataclasses.replace(_line(1), description="Harbor\nVineyards")])

    (text,) = _pdf_pages(content)

    assert re.search(r"Adjustment\s+200001-0001\s+Harbor Vineyards\s+Gold PPO", text)


def test_checks_and_efts_statement_shows_its_payments_in_both_formats():
    content = _checks_and_efts()

    pages = _pdf_pages(content)
    workbook = _workbook(content)

    assert len(pages) == 1
    assert "Page 1 of 1" in pages[0]
    assert "Payments" in pages[0]
    assert "Group – CA: EFT 1234567" in pages[0]
    assert "Individual – CA: Check 88812" in pages[0]
    assert not PDF_HEADINGS.search(pages[0])
    assert MONEY.findall(_row_starting(pages[0], "Total "))[-1] == f"{content.total:,}"
    assert workbook.sheetnames == ["Summary"]
    sheet = workbook["Summary"]
    (total_row,) = [row for row in sheet.iter_rows() if row[0].value == "Total"]
    assert _cell_money(total_row[4].value) == content.total == Decimal("1762.20")
    assert any(row[0].value == "Payment" for row in sheet.iter_rows())
