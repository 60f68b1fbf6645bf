"""Invoice documents: one `InvoiceContent` drawn as PDF and as XLSX.

Both files are drawn from the same content and format money from the same Decimals, so their
totals agree to the cent.

The PDF's roster is set in a monospaced font, one block of preformatted text per member, for
the reason commissions/rendering.py gives: WeasyPrint's cost is per box, and a table's six
cells a row make a 500-member roster several times slower than one block a row.
"""

from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.template.loader import render_to_string

from billing.documents import InvoiceContent
from portal.jobs.pdf import carrier_letterhead, fixed_width_line, money, pdf_document
from portal.jobs.writers import MONEY_FORMAT, WORKBOOK_OPTIONS, _clean, write_user_text

ZERO = Decimal("0.00")

# The PDF roster: (heading, width in characters, right-aligned). 110 characters with the gaps,
# which fill a portrait Letter page at 8 pt.
ROSTER_COLUMNS = [
    ("Member", 28, False),
    ("Member ID", 12, False),
    ("Relationship", 16, False),
    ("Plan", 28, False),
    ("Tier", 4, False),
    ("Premium", 12, True),
]

XLSX_ROSTER_COLUMNS = [
    # (heading, width)
    ("Member", 32),
    ("Member ID", 14),
    ("Relationship", 16),
    ("Plan", 32),
    ("Tier", 6),
    ("Premium", 14),
]


def _summary(content):
    """(label, amount) rows of the summary box, ending with the balance due."""
    return [
        ("Balance forward", content.balance_forward),
        ("Current charges", content.current_amount),
        ("Adjustments", content.adjustments),
        ("Payments received", -content.payments),
        ("Balance due", content.balance_due),
    ]


# PDF


def invoice_pdf(content: InvoiceContent, out):
    """Write `content` as a PDF invoice to the binary file `out`."""
    html = render_to_string("billing/invoice.pdf.html", _pdf_context(content))
    pdf_document(html).write_pdf(out)


def _pdf_context(content):
    carrier = carrier_letterhead("employer")
    return {
        "content": content,
        "carrier": carrier,
        "document_id": (
            f"{carrier['name']} · Invoice {content.number} · Group {content.group_number}"
        ),
        "summary": [(label, money(amount)) for label, amount in _summary(content)],
        "adjustment_lines": [
            (line.description, money(line.amount)) for line in content.adjustment_lines
        ],
        "column_headings": _line_text([heading for heading, _, _ in ROSTER_COLUMNS]),
        "roster_lines": [_roster_line(line) for line in content.lines],
        "roster_total": _line_text(
            ["Total", f"{len(content.lines):,} lines", "", "", "", money(content.roster_total)]
        ),
    }


def _roster_line(line):
    return _line_text(
        [
            line.member_name,
            line.member_id,
            line.relationship,
            line.plan,
            line.tier,
            money(line.premium),
        ]
    )


# XLSX


def invoice_xlsx(content: InvoiceContent, out):
    """Write `content` as an XLSX workbook to the binary file `out`: an Invoice sheet with the
    summary and a Roster sheet with the premium lines."""
    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    workbook.set_properties({"title": content.name, "company": settings.CARRIER["name"]})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "bold": workbook.add_format({"bold": True}),
        "quoted": workbook.add_format({"quote_prefix": True}),
        "money": workbook.add_format({"num_format": MONEY_FORMAT}),
        "money_total": workbook.add_format({"num_format": MONEY_FORMAT, "bold": True}),
        "date": workbook.add_format({"num_format": "mm/dd/yyyy", "align": "left"}),
    }
    _invoice_sheet(workbook, formats, content)
    _roster_sheet(workbook, formats, content)
    workbook.close()


def _invoice_sheet(workbook, formats, content):
    sheet = workbook.add_worksheet("Invoice")
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 40)
    sheet.write_string(0, 0, _clean(settings.CARRIER["name"]), formats["title"])
    sheet.write_string(1, 0, "Invoice", formats["bold"])
    facts = [
        ("Invoice", content.number),
        ("Group", content.group_number),
        ("Group name", content.group_name),
        ("Employer", content.employer_name),
        ("Bill to", ", ".join(content.billing_address)),
    ]
    row = 3
    for label, value in facts:
        sheet.write_string(row, 0, label, formats["bold"])
        write_user_text(sheet, row, 1, value, formats["quoted"])
        row += 1
    for label, value in [
        ("Period from", content.period_start),
        ("Period to", content.period_end),
        ("Issued", content.issued_on),
        ("Due date", content.due_date),
    ]:
        sheet.write_string(row, 0, label, formats["bold"])
        sheet.write_datetime(row, 1, value, formats["date"])
        row += 1

    row += 1
    sheet.write_string(row, 0, "Summary", formats["bold"])
    summary = _summary(content)
    for label, amount in summary[:-1]:
        row += 1
        sheet.write_string(row, 0, label)
        sheet.write_number(row, 1, float(amount), formats["money"])
    row += 1
    label, amount = summary[-1]
    sheet.write_string(row, 0, label, formats["bold"])
    sheet.write_number(row, 1, float(amount), formats["money_total"])

    if content.adjustment_lines:
        row += 2
        sheet.write_string(row, 0, "Adjustment lines", formats["bold"])
        for line in content.adjustment_lines:
            row += 1
            write_user_text(sheet, row, 0, line.description, formats["quoted"])
            sheet.write_number(row, 1, float(line.amount), formats["money"])


def _roster_sheet(workbook, formats, content):
    sheet = workbook.add_worksheet("Roster")
    for column, (heading, width) in enumerate(XLSX_ROSTER_COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, heading, formats["bold"])
    sheet.freeze_panes(1, 0)
    last_column = len(XLSX_ROSTER_COLUMNS) - 1
    sheet.autofilter(0, 0, len(content.lines), last_column)
    money_format = formats["money"]
    for row, line in enumerate(content.lines, start=1):
        write_user_text(sheet, row, 0, line.member_name, formats["quoted"])
        write_user_text(sheet, row, 1, line.member_id, formats["quoted"])
        write_user_text(sheet, row, 2, line.relationship, formats["quoted"])
        write_user_text(sheet, row, 3, line.plan, formats["quoted"])
        write_user_text(sheet, row, 4, line.tier, formats["quoted"])
        sheet.write_number(row, 5, float(line.premium), money_format)
    # Below the filtered range and a blank row, so that sorting the lines leaves it in place.
    total_row = len(content.lines) + 2
    sheet.write_string(total_row, 0, "Total", formats["bold"])
    sheet.write_number(total_row, last_column, float(content.roster_total), formats["money_total"])


def _line_text(values):
    return fixed_width_line(values, ROSTER_COLUMNS)
