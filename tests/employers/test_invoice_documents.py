"""A bill's PDF and XLS files from Pay My Bill: drawn once per content by the worker, a 202
page that polls while it is drawn, an audited download whose totals equal the screen to the
cent, and the same 404s as the bill itself."""

import io
import re
from decimal import Decimal
from unittest import mock

import openpyxl
import pypdf
import pytest
from django.urls import reverse

from billing import invoice_documents
from billing.models import InvoiceDocument, InvoiceLine
from portal.audit.models import AuditEvent
from tests.factories import InvoiceFactory, InvoiceLineFactory, RosterLineFactory

CENT = Decimal("0.01")
MONEY = re.compile(r"-?\$?-?[\d,]+\.\d\d")
# The figures of the bill's summary on the page: <dt>label</dt><dd>$1,234.56</dd>.
SCREEN_FIGURE = re.compile(r"<dt>(?P<label>[^<]+)</dt><dd>(?P<value>-?\$[\d,]+\.\d\d)</dd>")


def _document_url(invoice, format, namespace="employers"):
    return reverse(f"{namespace}:invoice-document", args=[invoice.pk, format])


def _detail_url(invoice):
    return reverse("employers:invoice-detail", args=[invoice.pk])


def _money(text):
    return Decimal(text.replace("$", "").replace(",", ""))


def _cell_money(value):
    return Decimal(repr(value)).quantize(CENT)


@pytest.fixture
def bill(cast):
    """A bill of groupadmin@'s suffix whose every summary figure is non-zero and odd-cented."""
    invoice = InvoiceFactory(
        group=cast.employer_groups[0],
        number="OWN-2611",
        balance_forward=Decimal("980.15"),
        current_amount=Decimal("412.37") * 7,
        adjustments=Decimal("-125.40"),
        payments=Decimal("980.15"),
    )
    for _ in range(7):
        RosterLineFactory(invoice=invoice, amount=Decimal("412.37"))
    InvoiceLineFactory(
        invoice=invoice,
        kind=InvoiceLine.Kind.ADJUSTMENT,
        description="Retroactive change: member terminated",
        amount=Decimal("-125.40"),
    )
    return invoice


def _screen_figures(client, invoice):
    page = client.get(_detail_url(invoice)).content.decode()
    return {m["label"]: _money(m["value"]) for m in SCREEN_FIGURE.finditer(page)}


def _downloaded(response):
    return b"".join(response.streaming_content)


def test_the_pdf_and_xlsx_totals_equal_the_screen_to_the_cent(client, cast, bill):
    # given
    client.force_login(cast.groupadmin)
    screen = _screen_figures(client, bill)
    assert screen["Balance due"] == Decimal("2761.19")

    # when (tasks run in-process: the first request draws the file and sends it)
    pdf = client.get(_document_url(bill, "pdf"))
    xlsx = client.get(_document_url(bill, "xlsx"))

    # then
    assert pdf.status_code == xlsx.status_code == 200
    assert pdf["Content-Disposition"] == 'attachment; filename="Invoice_OWN-2611.pdf"'
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(_downloaded(pdf))).pages)
    pdf_figures = {}
    for label, line_start in [
        ("Balance forward (prior balance)", "Balance forward"),
        ("Current period amount", "Current charges"),
        ("Adjustments", "Adjustments"),
        ("Payments received", "Payments received"),
        ("Balance due", "Balance due"),
    ]:
        # Each line of the summary box; the balance due also heads the bill, with the same sum.
        amounts = {
            _money(MONEY.findall(line)[-1])
            for line in text.splitlines()
            if line.startswith(line_start) and MONEY.search(line)
        }
        assert len(amounts) == 1, (label, amounts)
        pdf_figures[label] = amounts.pop()
    # The paper bill prints payments as a credit; the screen as the amount received.
    pdf_figures["Payments received"] = -pdf_figures["Payments received"]
    assert pdf_figures == {label: screen[label] for label in pdf_figures}

    workbook = openpyxl.load_workbook(io.BytesIO(_downloaded(xlsx)))
    facts = {row[0].value: row[1].value for row in workbook["Invoice"].iter_rows(max_col=2)}
    assert _cell_money(facts["Balance due"]) == screen["Balance due"]
    assert _cell_money(facts["Balance forward"]) == screen["Balance forward (prior balance)"]
    assert _cell_money(facts["Current charges"]) == screen["Current period amount"]
    assert _cell_money(facts["Adjustments"]) == screen["Adjustments"]
    assert -_cell_money(facts["Payments received"]) == screen["Payments received"]
    premiums = [row[5].value for row in workbook["Roster"].iter_rows(min_row=2, max_row=8)]
    assert sum(_cell_money(p) for p in premiums) == screen["Current period amount"]


def test_while_the_worker_draws_it_the_link_answers_202_and_polls(client, cast, bill):
    client.force_login(cast.groupadmin)
    url = _document_url(bill, "pdf")

    # given a worker that has not got to it yet
    with mock.patch("billing.tasks.invoice_document_generate.delay") as queue:
        waiting = client.get(url)
        poll = client.get(url, headers={"HX-Request": "true"})

    # then: queued once, a page that polls, and nothing downloaded or audited
    assert waiting.status_code == 202
    assert queue.call_args_list == [mock.call(bill.pk, "pdf")]
    assert f'hx-get="{url}"' in waiting.text
    assert 'hx-trigger="every 2s"' in poll.text
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()

    # when the worker has drawn it, the next poll offers the link and the link the file
    invoice_documents.invoice_document_generate(bill.pk, "pdf")
    ready = client.get(url, headers={"HX-Request": "true"})
    assert "Your invoice is ready." in ready.text
    assert f'href="{url}"' in ready.text
    download = client.get(url)
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(
        user=cast.groupadmin,
        action=AuditEvent.Action.DOWNLOAD,
        object_type="billing.Invoice",
        object_id=str(bill.pk),
    ).exists()


def test_a_document_is_drawn_once_and_again_only_when_the_bill_changes(client, cast, bill):
    client.force_login(cast.groupadmin)
    with mock.patch("billing.rendering.invoice_pdf", wraps=_fake_pdf) as draw:
        client.get(_document_url(bill, "pdf"))
        client.get(_document_url(bill, "pdf"))
        assert draw.call_count == 1
        first = InvoiceDocument.objects.get(invoice=bill, format="pdf")

        # an adjustment is posted to the bill: what the file shows has changed
        InvoiceLineFactory(
            invoice=bill, kind=InvoiceLine.Kind.ADJUSTMENT, description="Credit", amount=0
        )
        client.get(_document_url(bill, "pdf"))

    assert draw.call_count == 2
    second = InvoiceDocument.objects.get(invoice=bill, format="pdf")
    assert second.pk == first.pk
    assert second.content_hash != first.content_hash
    assert not first.file.storage.exists(first.file.name)
    assert second.file.storage.exists(second.file.name)


def _fake_pdf(content, out):
    out.write(b"%PDF-1.4 " + content.number.encode())


def test_a_file_lost_from_storage_is_drawn_again(client, cast, bill):
    client.force_login(cast.groupadmin)
    client.get(_document_url(bill, "xlsx"))
    document = InvoiceDocument.objects.get(invoice=bill, format="xlsx")
    document.file.storage.delete(document.file.name)

    response = client.get(_document_url(bill, "xlsx"))

    assert response.status_code == 200
    assert _downloaded(response).startswith(b"PK")


@pytest.mark.parametrize(
    "role, group, status",
    [
        ("groupadmin", "own", 200),
        ("groupadmin", "sibling", 404),
        ("employer", "sibling", 200),
        ("employer2", "own", 404),
        ("provider", "own", 404),
    ],
)
def test_only_who_may_see_the_bill_gets_its_file(client, cast, role, group, status):
    groups = {"own": cast.employer_groups[0], "sibling": cast.employer_groups[2]}
    invoice = InvoiceFactory(group=groups[group])
    client.force_login(cast.users[role])

    assert client.get(_document_url(invoice, "xlsx")).status_code == status


def test_an_unknown_format_is_404(client, cast, bill):
    client.force_login(cast.groupadmin)

    assert client.get(_document_url(bill, "pdf").replace(".pdf", ".docx")).status_code == 404


def test_the_list_and_the_bill_link_to_both_files(client, cast, bill):
    client.force_login(cast.groupadmin)

    listing = client.get(reverse("employers:billing")).text
    detail = client.get(_detail_url(bill)).text

    for page in (listing, detail):
        assert _document_url(bill, "pdf") in page
        assert _document_url(bill, "xlsx") in page


def test_the_task_for_an_invoice_gone_meanwhile_draws_nothing(db):
    from billing import tasks

    tasks.invoice_document_generate.delay(999_999, "pdf")

    assert not InvoiceDocument.objects.exists()
