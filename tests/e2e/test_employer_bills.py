"""Pay My Bill in a real browser: groupadmin@ sees only their suffix's bills, filters them by
status, sorts them, and opens one with the employees and dependents it bills; downloads its PDF
(drawn while the page waits) whose balance due is the screen's; employer@ filters the payment
history and exports it; broker@ views a bill their office was granted, in the broker portal.
Every state passes axe."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from billing import invoice_documents
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import (
    DependentFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    MemberFactory,
    PaymentFactory,
)

pytestmark = pytest.mark.e2e


def test_bills_list_and_a_bill_with_its_roster(live_cast, page, axe_source):
    own = live_cast.employer_groups[0]
    today = timezone.localdate()
    old = InvoiceFactory(
        group=own,
        number="OWN-2610",
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        issued_on=today - datetime.timedelta(days=60),
        due_date=today - datetime.timedelta(days=30),
    )
    PaymentFactory(group=own, invoice=old, amount=old.balance_due)
    current = InvoiceFactory(
        group=own,
        number="OWN-2611",
        issued_on=today - datetime.timedelta(days=5),
        due_date=today + datetime.timedelta(days=20),
        current_amount=Decimal("1237.50"),
    )
    employee = MemberFactory(group=own, first_name="Ada", last_name="Lovelace")
    child = DependentFactory(subscriber=employee, first_name="Byron", last_name="Lovelace")
    InvoiceLineFactory(
        invoice=current, member=employee, plan=employee.plan, tier="FAM", amount=Decimal("1237.50")
    )
    InvoiceLineFactory(
        invoice=current, member=child, plan=employee.plan, tier="FAM", amount=Decimal("0.00")
    )
    InvoiceFactory(group=live_cast.employer_groups[1], number="SIBLING-2611")
    log_in(page, "groupadmin@demo.test")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pay My Bill").click()
    expect(page.get_by_role("heading", level=1, name="Pay My Bill")).to_be_visible()
    expect(page.get_by_text("2 bills found, displaying all.")).to_be_visible()
    expect(page.get_by_role("link", name="SIBLING-2611", exact=True)).to_have_count(0)
    assert_accessible(page, axe_source)

    page.get_by_label("Status").select_option(label="Paid")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 bill found, displaying all.")).to_be_visible()
    expect(page.get_by_role("link", name="OWN-2610", exact=True)).to_be_visible()
    assert "status=paid" in page.url
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Clear").click()
    page.get_by_role("link", name="Due date").click()
    expect(page.locator('th[aria-sort="ascending"]')).to_have_text("Due date")
    expect(page.get_by_role("row").nth(1)).to_contain_text("OWN-2610")
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="OWN-2611", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Invoice OWN-2611")).to_be_visible()
    roster = page.get_by_role("table", name="Premium for each employee and dependent")
    expect(roster.get_by_role("row")).to_have_count(3)
    expect(roster).to_contain_text("Lovelace, Ada")
    expect(roster).to_contain_text("Lovelace, Byron")
    expect(roster).to_contain_text("$1,237.50")
    expect(page.get_by_text("Open", exact=True)).to_be_visible()
    assert_accessible(page, axe_source)


MONEY = re.compile(r"\$?-?[\d,]+\.\d\d")


def _bill_with_roster(group, number):
    today = timezone.localdate()
    invoice = InvoiceFactory(
        group=group,
        number=number,
        issued_on=today - datetime.timedelta(days=5),
        due_date=today + datetime.timedelta(days=20),
        balance_forward=Decimal("980.15"),
        current_amount=Decimal("1237.50"),
        adjustments=Decimal("-125.40"),
        payments=Decimal("980.15"),
    )
    employee = MemberFactory(group=group, first_name="Ada", last_name="Lovelace")
    child = DependentFactory(subscriber=employee, first_name="Byron", last_name="Lovelace")
    InvoiceLineFactory(
        invoice=invoice, member=employee, plan=employee.plan, tier="FAM", amount=Decimal("1237.50")
    )
    InvoiceLineFactory(
        invoice=invoice, member=child, plan=employee.plan, tier="FAM", amount=Decimal("0.00")
    )
    InvoiceLineFactory(
        invoice=invoice,
        kind="adjustment",
        description="Retroactive change: member terminated",
        amount=Decimal("-125.40"),
    )
    return invoice


def _download(page, link, tmp_path):
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path.read_bytes()


def test_a_bills_pdf_is_drawn_while_the_page_waits_and_its_total_is_the_screens(
    live_cast, page, axe_source, tmp_path, monkeypatch
):
    invoice = _bill_with_roster(live_cast.employer_groups[0], "OWN-2611")
    # The worker has not got to it yet: the link answers with the waiting page.
    queued = []
    monkeypatch.setattr(
        "billing.tasks.invoice_document_generate.delay", lambda *args: queued.append(args)
    )
    log_in(page, "groupadmin@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pay My Bill").click()
    page.get_by_role("link", name="OWN-2611", exact=True).click()
    roster = page.get_by_role("table", name="Premium for each employee and dependent")
    expect(roster).to_contain_text("Lovelace, Byron")
    on_screen = page.locator("dt:text-is('Balance due') + dd").inner_text()
    assert on_screen == "$1,112.10"

    page.get_by_role("link", name="PDF", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Invoice OWN-2611 (PDF)")).to_be_visible()
    expect(page.get_by_text("We are preparing this invoice")).to_be_visible()
    assert queued == [(invoice.pk, "pdf")]
    assert_accessible(page, axe_source)

    # The worker draws it; the page's poll turns into the download without a reload.
    invoice_documents.invoice_document_generate(invoice.pk, "pdf")
    link = page.get_by_role("link", name="Download invoice OWN-2611 (PDF)")
    expect(link).to_be_visible()
    assert_accessible(page, axe_source)
    filename, pdf = _download(page, link, tmp_path)

    assert filename == "Invoice_OWN-2611.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    (balance_line,) = {line for line in text.splitlines() if line.startswith("Balance due")}
    assert MONEY.findall(balance_line)[-1].lstrip("$") == on_screen.lstrip("$")


def test_payment_history_filtered_and_exported(live_cast, page, axe_source, tmp_path):
    group = live_cast.employer_groups[0]
    invoice = InvoiceFactory(group=group, number="OWN-2611")
    PaymentFactory(group=group, invoice=invoice, reference="CHK-1001", amount=Decimal("500.00"))
    PaymentFactory(
        group=group,
        invoice=invoice,
        reference="ACH-2002",
        amount=Decimal("250.25"),
        status="returned",
        return_reason="R01 Insufficient funds",
    )
    log_in(page, "employer@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pay My Bill").click()
    page.get_by_role("link", name="Payment history").click()
    expect(page.get_by_role("heading", level=2, name="Payment history")).to_be_visible()
    expect(page.get_by_text("2 payments found, displaying all.")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_label("Status").select_option(label="Returned")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 payment found, displaying all.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("R01 Insufficient funds")
    assert "status=returned" in page.url
    assert_accessible(page, axe_source)

    page.get_by_label("From").fill("13/45/2026")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("From: Enter a valid date.")
    assert_accessible(page, axe_source)
    page.get_by_label("From").fill("")

    page.get_by_role("button", name="Export to Excel (XLSX)").click()
    link = page.get_by_role("link", name=re.compile(r"^Download payment-history-"))
    expect(link).to_be_visible()
    assert_accessible(page, axe_source)
    _, xlsx = _download(page, link, tmp_path)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[9] for row in rows] == ["ACH-2002"]


def test_a_broker_views_a_granted_bill_in_the_broker_portal(live_cast, page, axe_source):
    _bill_with_roster(live_cast.employer_groups[0], "GRANTED-2611")
    InvoiceFactory(group=live_cast.employer_groups[2], number="UNGRANTED-2611")
    log_in(page, "broker@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Eligibility, Status & Activity"
    ).click()
    page.get_by_role("link", name="Group Billing & Enrollment").click()
    page.get_by_role("link", name=f"Bills of {live_cast.employer_groups[0].number}").click()
    expect(page.get_by_role("heading", level=1, name="Group Bills")).to_be_visible()
    expect(page.get_by_text("1 bill found, displaying all.")).to_be_visible()
    expect(page.get_by_role("link", name="UNGRANTED-2611", exact=True)).to_have_count(0)
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="GRANTED-2611", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Invoice GRANTED-2611")).to_be_visible()
    expect(page.get_by_text("Viewing dashboard for")).to_be_visible()
    roster = page.get_by_role("table", name="Premium for each employee and dependent")
    expect(roster).to_contain_text("Lovelace, Ada")
    assert_accessible(page, axe_source)
