"""Commission statement documents: one `StatementContent` drawn as PDF and as XLSX.

Both files are drawn from the same content and format money from the same Decimals, so their
totals agree to the cent.

The PDF's detail table is set in a monospaced font, one block of preformatted text per line,
rather than as an HTML table: WeasyPrint's cost is per box, and nine boxes a line (a table with
fixed layout, or positioned blocks) took 5-6 s for a 1,000-line statement where one box a line
takes 1.1-1.3 s (`python -m bench commission-statement`). Fixed-width columns also line the
column headings repeated in the top margin of every page up exactly with the lines below them.
"""

from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.template.loader import render_to_string

from commissions.documents import StatementContent
from portal.jobs.pdf import carrier_letterhead, fixed_width_line, money, pdf_document
from portal.jobs.writers import MONEY_FORMAT, WORKBOOK_OPTIONS, _clean, write_user_text

ZERO = Decimal("0.00")

# The PDF detail table: (heading, width in characters, right-aligned). 147 characters with the
# gaps, which fill a landscape Letter page at 8 pt.
DETAIL_COLUMNS = [
    ("Kind", 10, False),
    ("Group/Member", 12, False),
    ("Description", 34, False),
    ("Product", 22, False),
    ("Coverage", 8, False),
    ("Subscribers", 11, True),
    ("Premium", 14, True),
    ("Rate", 7, True),
    ("Amount", 13, True),
]

XLSX_DETAIL_COLUMNS = [
    # (heading, width)
    ("Kind", 12),
    ("Group", 14),
    ("Member ID", 14),
    ("Description", 40),
    ("Product", 24),
    ("Coverage month", 15),
    ("Subscribers", 12),
    ("Premium", 14),
    ("Rate", 8),
    ("Amount", 14),
]


def percent(rate: Decimal) -> str:
    return f"{rate * 100:.2f}%"


# PDF


def statement_pdf(content: StatementContent, out):
    """Write `content` as a PDF statement to the binary file `out`."""
    html = render_to_string("commissions/statement.pdf.html", _pdf_context(content))
    pdf_document(html).write_pdf(out)


def _pdf_context(content):
    carrier = carrier_letterhead("broker")
    return {
        "content": content,
        "carrier": carrier,
        "document_id": f"{carrier['name']} · {content.name} · Broker ID {content.broker_code}",
        "summary": [
            {
                "label": row.label,
                "commission": money(row.commission),
                "adjustments": money(row.adjustments),
                "chargebacks": money(row.chargebacks),
                "net": money(row.net),
            }
            for row in content.summary
        ],
        "summary_total": {
            "commission": money(sum((row.commission for row in content.summary), ZERO)),
            "adjustments": money(sum((row.adjustments for row in content.summary), ZERO)),
            "chargebacks": money(sum((row.chargebacks for row in content.summary), ZERO)),
            "net": money(content.total),
        },
        "column_headings": _line_text([heading for heading, _, _ in DETAIL_COLUMNS]),
        "detail_lines": [_detail_line(line) for line in content.lines],
        "detail_total": _line_text(
            [
                "Total",
                "",
                f"{len(content.lines):,} lines",
                *[""] * 5,
                money(sum((line.amount for line in content.lines), ZERO)),
            ]
        ),
    }


def _detail_line(line):
    return _line_text(
        [
            line.kind,
            line.group_number or line.member_id,
            line.description,
            line.product,
            f"{line.coverage_period:%b %Y}",
            str(line.subscribers),
            money(line.premium),
            percent(line.rate),
            money(line.amount),
        ]
    )


# XLSX


def statement_xlsx(content: StatementContent, out):
    """Write `content` as an XLSX workbook to the binary file `out`: a Summary sheet and, when
    the statement has lines, a Detail sheet."""
    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    workbook.set_properties({"title": content.name, "company": settings.CARRIER["name"]})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "bold": workbook.add_format({"bold": True}),
        "quoted": workbook.add_format({"quote_prefix": True}),
        "money": workbook.add_format({"num_format": MONEY_FORMAT}),
        "money_total": workbook.add_format({"num_format": MONEY_FORMAT, "bold": True}),
        "month": workbook.add_format({"num_format": "mmm yyyy", "align": "left"}),
        "period": workbook.add_format({"num_format": "mmmm yyyy", "align": "left"}),
        "date": workbook.add_format({"num_format": "mm/dd/yyyy", "align": "left"}),
        "rate": workbook.add_format({"num_format": "0.00%"}),
    }
    _summary_sheet(workbook, formats, content)
    if content.lines:
        _detail_sheet(workbook, formats, content)
    workbook.close()


def _summary_sheet(workbook, formats, content):
    sheet = workbook.add_worksheet("Summary")
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 4, 16)
    sheet.write_string(0, 0, _clean(settings.CARRIER["name"]), formats["title"])
    sheet.write_string(1, 0, _clean(content.title), formats["bold"])
    facts = [
        ("Statement", content.name),
        ("Broker ID", content.broker_code),
        ("NPN", content.npn),
        ("Payee", content.payee_name),
        ("Agency", content.agency_name),
    ]
    row = 3
    for label, value in facts:
        sheet.write_string(row, 0, label, formats["bold"])
        write_user_text(sheet, row, 1, value, formats["quoted"])
        row += 1
    sheet.write_string(row, 0, "Period", formats["bold"])
    sheet.write_datetime(row, 1, content.period, formats["period"])
    sheet.write_string(row + 1, 0, "Statement date", formats["bold"])
    sheet.write_datetime(row + 1, 1, content.statement_date, formats["date"])

    row += 3
    label = "Category" if content.lines else "Payment"
    for column, heading in enumerate([label, "Commission", "Adjustments", "Chargebacks", "Net"]):
        sheet.write_string(row, column, heading, formats["bold"])
    for summary_row in content.summary:
        row += 1
        write_user_text(sheet, row, 0, summary_row.label, formats["quoted"])
        amounts = [
            summary_row.commission,
            summary_row.adjustments,
            summary_row.chargebacks,
            summary_row.net,
        ]
        for column, amount in enumerate(amounts, start=1):
            sheet.write_number(row, column, float(amount), formats["money"])
    row += 1
    totals = [
        sum((summary_row.commission for summary_row in content.summary), ZERO),
        sum((summary_row.adjustments for summary_row in content.summary), ZERO),
        sum((summary_row.chargebacks for summary_row in content.summary), ZERO),
        content.total,
    ]
    sheet.write_string(row, 0, "Total", formats["bold"])
    for column, amount in enumerate(totals, start=1):
        sheet.write_number(row, column, float(amount), formats["money_total"])


def _detail_sheet(workbook, formats, content):
    sheet = workbook.add_worksheet("Detail")
    for column, (heading, width) in enumerate(XLSX_DETAIL_COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, heading, formats["bold"])
    sheet.freeze_panes(1, 0)
    last_column = len(XLSX_DETAIL_COLUMNS) - 1
    sheet.autofilter(0, 0, len(content.lines), last_column)
    money_format, rate_format, month_format = formats["money"], formats["rate"], formats["month"]
    for row, line in enumerate(content.lines, start=1):
        write_user_text(sheet, row, 0, line.kind, formats["quoted"])
        write_user_text(sheet, row, 1, line.group_number, formats["quoted"])
        write_user_text(sheet, row, 2, line.member_id, formats["quoted"])
        write_user_text(sheet, row, 3, line.description, formats["quoted"])
        write_user_text(sheet, row, 4, line.product, formats["quoted"])
        sheet.write_datetime(row, 5, line.coverage_period, month_format)
        sheet.write_number(row, 6, line.subscribers)
        sheet.write_number(row, 7, float(line.premium), money_format)
        sheet.write_number(row, 8, float(line.rate), rate_format)
        sheet.write_number(row, 9, float(line.amount), money_format)
    # Below the filtered range and a blank row, so that sorting the lines leaves it in place.
    total_row = len(content.lines) + 2
    sheet.write_string(total_row, 0, "Total", formats["bold"])
    total = sum((line.amount for line in content.lines), ZERO)
    sheet.write_number(total_row, last_column, float(total), formats["money_total"])


def _line_text(values):
    return fixed_width_line(values, DETAIL_COLUMNS)
