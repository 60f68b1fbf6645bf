"""Commission statement documents (commissions/rendering.py), drawn from content built in memory.

The issue's budget: a 1,000-line statement renders to PDF in under 5 s and to XLSX in under
1 s, and a 5,000-line PDF stays within the worker's memory limit
(settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD). Peak memory is measured in a fresh process, as
a worker child renders one statement after another and is recycled past that limit.
"""

import dataclasses
import datetime
import io
import random
from decimal import Decimal

import xlsxwriter

from bench import baseline, scenario
from bench.render_memory import check_memory
from commissions.documents import DetailLine, StatementContent, SummaryRow
from commissions.rendering import statement_pdf, statement_xlsx
from portal.jobs.pdf import pdf_document

CENT = Decimal("0.01")
# The statement the fresh-process memory check draws (see bench/render_memory.py).
CONTENT = "bench.commissions:synthetic_content"
PRODUCTS = ["Gold PPO 1000/25", "Silver HMO 2500/40", "Bronze EPO 6300/65", "Dental Plus", "Vision"]
COMPANIES = ["Acme", "Bayside", "Cedar", "Delta", "Evergreen", "Foothill", "Granite", "Harbor"]
TRADES = ["Dental Group", "Roofing Inc.", "Bakery LLC", "Auto Repair", "Law Offices", "Vineyards"]
SURNAMES = ["Garcia", "Nguyen", "Smith", "Okafor", "Kowalski", "Haddad", "Johansson", "Tanaka"]


def synthetic_content(lines: int, *, seed: int = 2026) -> StatementContent:
    """A group commission statement of `lines` lines whose summary adds up to its lines.

    About one line in ten is an adjustment and one in twelve a chargeback (negative), and a
    quarter are individual (IFP) lines, so that both summary categories have all three columns.
    """
    rng = random.Random(seed)
    period = datetime.date(2026, 7, 1)
    detail = []
    totals = {}  # label -> [commission, adjustments, chargebacks]
    for number in range(lines):
        individual = rng.random() < 0.25
        draw = rng.random()
        kind = "Chargeback" if draw < 0.08 else "Adjustment" if draw < 0.18 else "Commission"
        subscribers = 1 if individual else rng.randint(2, 80)
        premium = (Decimal(rng.randint(30_000, 90_000)) * subscribers * CENT).quantize(CENT)
        rate = Decimal(rng.choice(["0.0300", "0.0400", "0.0500", "0.0650"]))
        amount = (premium * rate).quantize(CENT)
        if kind == "Chargeback":
            amount = -amount
        elif kind == "Adjustment":
            amount = (amount * Decimal(rng.choice(["0.25", "-0.5", "1"]))).quantize(CENT)
        if individual:
            description = f"{rng.choice(SURNAMES)}, Member {number}"
            group_number, member_id = "", f"{10_000_000_000 + number * 7:011d}"
        else:
            description = f"{rng.choice(COMPANIES)} {rng.choice(TRADES)}"
            group_number, member_id = f"{200_001 + number % 300}-{1 + number % 3:04d}", ""
        if kind == "Adjustment":
            description += " – retro rate correction"
        coverage = period - datetime.timedelta(days=rng.choice([0, 0, 0, 31, 62]))
        detail.append(
            DetailLine(
                kind=kind,
                group_number=group_number,
                member_id=member_id,
                description=description,
                product=rng.choice(PRODUCTS),
                coverage_period=coverage.replace(day=1),
                subscribers=subscribers,
                premium=premium,
                rate=rate,
                amount=amount,
            )
        )
        label = "Individual – CA" if individual else "Group – CA"
        column = ["Commission", "Adjustment", "Chargeback"].index(kind)
        totals.setdefault(label, [Decimal("0.00")] * 3)[column] += amount
    return StatementContent(
        name=f"BRK_GRP_STMNT_CA_{period:%Y-%m}-07",
        title="Group Commission Statement – CA",
        broker_code="BRK0042",
        npn="17345678",
        payee_name="Dana Whitfield",
        agency_name="Whitfield Benefits Group",
        period=period,
        statement_date=datetime.date(2026, 8, 7),
        summary=[SummaryRow(label, *columns) for label, columns in sorted(totals.items())],
        lines=detail,
    )


@baseline("bare-pdf-page", repeat=3, warmup=1)
def bare_pdf_page(ctx):
    """One page of plain text through portal.jobs.pdf, the least a PDF costs."""
    html = "<h1>Statement</h1>" + "<p>A line of text.</p>" * 40

    def run():
        pdf_document(html).write_pdf(io.BytesIO())

    return run


@baseline("bare-xlsx-lines", repeat=3, warmup=1)
def bare_xlsx_lines(ctx):
    """XlsxWriter constant_memory write of 1,000 statement lines' fields, with no formats."""
    lines = synthetic_content(1000).lines

    def run():
        workbook = xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": True})
        sheet = workbook.add_worksheet("Detail")
        for row, line in enumerate(lines):
            sheet.write_row(row, 0, dataclasses.astuple(line))
        workbook.close()

    return run


@scenario("commission-statement-pdf-1000", baseline="bare-pdf-page", repeat=3, warmup=1)
def statement_pdf_1000(ctx):
    """A 1,000-line commission statement as PDF (budget 5 s)."""
    for lines in (1000, 5000):
        check_memory(f"pdf {lines:,} lines", CONTENT, "commissions.rendering:statement_pdf", lines)
    content = synthetic_content(1000)

    def run():
        statement_pdf(content, io.BytesIO())

    return run


@scenario("commission-statement-xlsx-1000", baseline="bare-xlsx-lines", repeat=3, warmup=1)
def statement_xlsx_1000(ctx):
    """A 1,000-line commission statement as XLSX (budget 1 s)."""
    check_memory("xlsx 1,000 lines", CONTENT, "commissions.rendering:statement_xlsx", 1000)
    content = synthetic_content(1000)

    def run():
        statement_xlsx(content, io.BytesIO())

    return run
