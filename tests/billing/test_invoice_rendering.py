"""Invoice documents (billing/documents.py, billing/rendering.py): the PDF an employer pays from
and the XLSX they reconcile in show the same invoice, and agree to the cent."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from django.db import transaction

from billing.documents import invoice_content
from billing.models import InvoiceLine
from billing.rendering import invoice_pdf, invoice_xlsx
from enrollment.models import Member
from tests.factories import (
    DependentFactory,
    GroupFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    PlanFactory,
    RosterLineFactory,
)

CENT = Decimal("0.01")
MONEY = re.compile(r"-?[\d,]+\.\d\d")
PDF_HEADINGS = re.compile(r"Member\s+Member ID\s+Relationship\s+Plan\s+Tier\s+Premium")
XLSX_HEADINGS = ["Member", "Member ID", "Relationship", "Plan", "Tier", "Premium"]


def _invoice(members, *, premium=Decimal("412.37")):
    """An invoice whose premium lines add up to its current amount, with a balance forward, a
    credit adjustment and a payment, so that every summary figure is non-zero."""
    group = GroupFactory(billing_contact_name="Robin Payables", billing_street="500 Capitol Mall")
    adjustment = Decimal("-125.40")
    current = premium * members
    invoice = InvoiceFactory(
        group=group,
        balance_forward=Decimal("980.15"),
        current_amount=current,
        adjustments=adjustment,
        payments=Decimal("980.15"),
    )
    for number in range(members):
        RosterLineFactory(invoice=invoice, amount=premium, tier=["EE", "ES", "FAM"][number % 3])
    InvoiceLineFactory(
        invoice=invoice,
        kind=InvoiceLine.Kind.ADJUSTMENT,
        description="Retroactive change: member terminated",
        amount=adjustment,
    )
    return invoice


def _pdf_pages(content):
    out = io.BytesIO()
    invoice_pdf(content, out)
    return [page.extract_text() for page in pypdf.PdfReader(out).pages]


def _workbook(content):
    out = io.BytesIO()
    invoice_xlsx(content, out)
    return openpyxl.load_workbook(out)


def _money(text):
    return Decimal(text.replace(",", ""))


def _cell_money(value):
    """A money cell's number as the Decimal it was written from."""
    assert isinstance(value, int | float)
    return Decimal(repr(value)).quantize(CENT)


def _row_starting(text, start):
    (line,) = [line for line in text.splitlines() if line.startswith(start)]
    return line


@pytest.fixture(scope="module")
def content(django_db_setup, django_db_blocker):
    """One invoice built once for the module's PDF and XLSX, its rows rolled back at once."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = invoice_content(_invoice(120))
        transaction.set_rollback(True)
    return built


@pytest.fixture(scope="module")
def pdf_pages(content):
    return _pdf_pages(content)


@pytest.fixture(scope="module")
def workbook(content):
    return _workbook(content)


def test_content_carries_the_invoice_figures_and_its_roster(db):
    invoice = _invoice(3)
    spouse = DependentFactory(
        subscriber=invoice.lines.filter(member__isnull=False).first().member,
        relationship=Member.Relationship.SPOUSE,
        first_name="Ana",
        last_name="Quintero",
        middle_initial="L",
    )
    RosterLineFactory(invoice=invoice, member=spouse, amount=Decimal("0.00"), tier="ES")

    content = invoice_content(invoice)

    assert content.number == invoice.number
    assert content.group_number == invoice.group.number
    assert content.employer_name == invoice.group.parent.employer.name
    assert content.billing_address == [
        "Robin Payables",
        "500 Capitol Mall",
        "Sacramento, CA 95814",
    ]
    assert content.balance_due == invoice.balance_due == Decimal("1111.71")
    assert len(content.lines) == 4
    assert content.lines[-1].member_name == "Quintero, Ana L."
    assert content.lines[-1].relationship == "Spouse"
    assert content.lines[-1].member_id == spouse.member_id
    assert content.lines[0].plan == invoice.lines.first().plan.name
    assert [line.description for line in content.adjustment_lines] == [
        "Retroactive change: member terminated"
    ]
    assert content.roster_total == invoice.current_amount


@pytest.mark.parametrize("members", [5, 50])
def test_content_is_two_queries_whatever_the_roster(db, django_assert_num_queries, members):
    invoice = _invoice(members)

    with django_assert_num_queries(2):
        content = invoice_content(invoice)

    assert len(content.lines) == members


def test_the_fixture_fills_several_pages(content, pdf_pages):
    assert len(content.lines) == 120
    assert len(pdf_pages) >= 3


def test_pdf_numbers_every_page_of_the_total_and_names_the_invoice(content, pdf_pages):
    for number, text in enumerate(pdf_pages, start=1):
        assert f"Page {number} of {len(pdf_pages)}" in text
        assert f"Invoice {content.number} · Group {content.group_number}" in text


def test_pdf_repeats_the_roster_headings_on_every_page(pdf_pages):
    for text in pdf_pages:
        assert len(PDF_HEADINGS.findall(text)) == 1


def test_pdf_heads_the_invoice_with_carrier_bill_to_and_balance_due(settings, content):
    settings.CARRIER = {
        **settings.CARRIER,
        "name": "Lakeside Mutual Health",
        "address": "100 Lake Street\nSacramento, CA 95814",
    }
    first_page = _pdf_pages(content)[0]

    for shown in [
        "Lakeside Mutual Health",
        "100 Lake Street",
        content.number,
        content.group_number,
        content.employer_name,
        "Robin Payables",
        "500 Capitol Mall",
        "November 1, 2026 – November 30, 2026",
        "October 15, 2026",
        f"${content.balance_due:,}",
        "Retroactive change: member terminated",
    ]:
        assert shown in first_page
    assert re.search(r"Due date\s*November 1, 2026", first_page)
    assert _workbook(content)["Invoice"]["A1"].value == "Lakeside Mutual Health"


def test_pdf_and_xlsx_totals_agree_with_the_invoice_to_the_cent(content, pdf_pages, workbook):
    # given: the roster adds up to the current charges, the summary to the balance due
    assert content.roster_total == content.current_amount == Decimal("412.37") * 120
    assert (
        content.balance_forward + content.current_amount + content.adjustments - content.payments
        == content.balance_due
    )
    # when
    pdf_balance_due = MONEY.findall(_row_starting(pdf_pages[0], "Balance due"))
    pdf_roster_total = MONEY.findall(_row_starting(pdf_pages[-1], "Total "))
    # then
    assert _money(pdf_balance_due[-1]) == content.balance_due
    assert f"{len(content.lines)} lines" in _row_starting(pdf_pages[-1], "Total ")
    assert _money(pdf_roster_total[-1]) == content.current_amount

    facts = {row[0].value: row[1].value for row in workbook["Invoice"].iter_rows(max_col=2)}
    assert _cell_money(facts["Balance due"]) == content.balance_due
    assert (
        _cell_money(facts["Balance forward"])
        + _cell_money(facts["Current charges"])
        + _cell_money(facts["Adjustments"])
        + _cell_money(facts["Payments received"])
        == content.balance_due
    )
    roster = workbook["Roster"]
    premiums = [row[5].value for row in roster.iter_rows(min_row=2, max_row=121)]
    assert sum(_cell_money(premium) for premium in premiums) == content.current_amount
    assert roster.cell(123, 1).value == "Total"
    assert _cell_money(roster.cell(123, 6).value) == content.current_amount


def test_xlsx_has_dates_as_dates_and_money_as_currency(content, workbook):
    sheet = workbook["Invoice"]
    facts = {row[0].value: row[1] for row in sheet.iter_rows(max_col=2) if row[0].value}

    assert facts["Invoice"].value == content.number
    assert facts["Due date"].is_date
    assert facts["Due date"].value.date() == datetime.date(2026, 11, 1)
    assert facts["Period from"].value.date() == content.period_start
    assert facts["Issued"].value.date() == content.issued_on
    for label in ["Balance forward", "Current charges", "Adjustments", "Balance due"]:
        assert "$" in facts[label].number_format


def test_xlsx_roster_has_a_frozen_header_an_autofilter_and_typed_cells(content, workbook):
    sheet = workbook["Roster"]
    line = content.lines[1]

    assert [cell.value for cell in sheet[1]] == XLSX_HEADINGS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:F{len(content.lines) + 1}"
    row = sheet[3]
    assert [cell.value for cell in row[:5]] == [
        line.member_name,
        line.member_id,
        "Subscriber",
        line.plan,
        "ES",
    ]
    assert _cell_money(row[5].value) == line.premium
    assert "$" in row[5].number_format


def test_xlsx_never_turns_a_name_into_a_formula(db):
    invoice = _invoice(1)
    line = invoice.lines.get(kind=InvoiceLine.Kind.PREMIUM)
    Member.objects.filter(pk=line.member_id).update(last_name="=HYPERLINK(1)")

    cell = _workbook(invoice_content(invoice))["Roster"]["A2"]

    assert cell.value.startswith("=HYPERLINK(1)")
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_a_one_page_invoice_says_page_1_of_1(db):
    (text,) = _pdf_pages(invoice_content(_invoice(2)))

    assert "Page 1 of 1" in text
    assert PDF_HEADINGS.search(text)


def test_a_line_billed_per_plan_shows_its_description_in_place_of_a_member(db):
    # given: the demo's invoices bill a plan's count of tiers on one line, with no member
    invoice = InvoiceFactory(current_amount=Decimal("2835.66"))
    line = InvoiceLineFactory(
        invoice=invoice,
        plan=PlanFactory(name="Gold PPO 1000/25"),
        description="Gold PPO: 2 EE, 1 FAM",
        amount=Decimal("2835.66"),
    )
    # when
    content = invoice_content(invoice)
    # then
    (roster_line,) = content.lines
    assert (roster_line.member_name, roster_line.member_id, roster_line.relationship) == (
        line.description,
        "",
        "",
    )
    assert roster_line.plan == "Gold PPO 1000/25"
    assert content.roster_total == content.current_amount == content.balance_due
    (text,) = _pdf_pages(content)
    assert re.search(r"Gold PPO: 2 EE, 1 FAM\s+Gold PPO 1000/25\s+2,835.66", text)
    assert _workbook(content)["Roster"]["A2"].value == line.description
