"""Invoice documents (billing/rendering.py), drawn from content built in memory.

The brief's budget: a 500-member roster invoice renders to PDF in a few seconds, and stays
within the worker's memory limit (settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD). Peak memory is
measured in a fresh process, as bench/commissions.py does and for the same reason.
"""

import datetime
import io
import random
from decimal import Decimal

from bench import scenario
from bench.render_memory import check_memory
from billing.documents import AdjustmentLine, InvoiceContent, RosterLine
from billing.rendering import invoice_pdf, invoice_xlsx

CENT = Decimal("0.01")
# The invoice the fresh-process memory check draws (see bench/render_memory.py).
CONTENT = "bench.billing_documents:synthetic_invoice"
PLANS = ["Gold PPO 1000/25", "Silver HMO 2500/40", "Bronze EPO 6300/65", "Platinum PPO 500/15"]
FIRST_NAMES = ["Maria", "James", "Linh", "Chidi", "Anna", "Omar", "Sofia", "Kenji", "Priya"]
SURNAMES = ["Garcia", "Nguyen", "Smith", "Okafor", "Kowalski", "Haddad", "Johansson", "Tanaka"]
TIERS = {"EE": Decimal("1.0"), "ES": Decimal("2.0"), "EC": Decimal("1.8"), "FAM": Decimal("2.85")}


def synthetic_invoice(members: int, *, seed: int = 2026) -> InvoiceContent:
    """An invoice of `members` roster lines whose premiums add up to its current amount."""
    rng = random.Random(seed)
    lines = []
    for number in range(members):
        tier = rng.choice(list(TIERS))
        premium = (Decimal(rng.randint(48_000, 82_000)) * TIERS[tier] * CENT).quantize(CENT)
        lines.append(
            RosterLine(
                member_name=f"{rng.choice(SURNAMES)}, {rng.choice(FIRST_NAMES)}",
                member_id=f"M{100_000_000 + number * 7:09d}",
                relationship="Subscriber",
                plan=rng.choice(PLANS),
                tier=tier,
                premium=premium,
            )
        )
    current = sum((line.premium for line in lines), Decimal("0.00"))
    balance_forward, adjustments, payments = (
        Decimal("1520.40"),
        Decimal("-412.37"),
        Decimal("1520.40"),
    )
    return InvoiceContent(
        number="200001-0001-2611",
        group_number="200001-0001",
        group_name="Harbor Vineyards – Staff",
        employer_name="Harbor Vineyards LLC",
        billing_address=["Robin Payables", "500 Capitol Mall", "Sacramento, CA 95814"],
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
        issued_on=datetime.date(2026, 10, 17),
        due_date=datetime.date(2026, 11, 1),
        balance_forward=balance_forward,
        current_amount=current,
        adjustments=adjustments,
        payments=payments,
        balance_due=balance_forward + current + adjustments - payments,
        lines=lines,
        adjustment_lines=[AdjustmentLine("Retroactive change: member terminated", adjustments)],
    )


@scenario("invoice-pdf-500", baseline="bare-pdf-page", repeat=3, warmup=1)
def invoice_pdf_500(ctx):
    """A 500-member roster invoice as PDF (budget: a few seconds)."""
    check_memory("invoice pdf 500 members", CONTENT, "billing.rendering:invoice_pdf", 500)
    content = synthetic_invoice(500)

    def run():
        invoice_pdf(content, io.BytesIO())

    return run


@scenario("invoice-xlsx-500", baseline="bare-xlsx-lines", repeat=3, warmup=1)
def invoice_xlsx_500(ctx):
    """A 500-member roster invoice as XLSX."""
    check_memory("invoice xlsx 500 members", CONTENT, "billing.rendering:invoice_xlsx", 500)
    content = synthetic_invoice(500)

    def run():
        invoice_xlsx(content, io.BytesIO())

    return run
