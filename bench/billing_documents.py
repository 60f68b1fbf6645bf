"""Invoice documents (billing/rendering.py), drawn from content built in memory.

The brief's budget: a 500-member roster invoice renders to PDF in a few seconds, and stays
within the worker's memory limit (settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD). Peak memory is
measured in a fresh process, as bench/commissions.py does and for the same reason.
"""

import datetime
import io
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from bench import scenario
from billing.documents import AdjustmentLine, InvoiceContent, RosterLine
from billing.rendering import invoice_pdf, invoice_xlsx

CENT = Decimal("0.01")
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


# Peak memory from /proc (VmHWM) in a fresh process: see bench/commissions.py.
MEMORY_PROBE = """
import re, sys, tempfile, time
import django
django.setup()
from bench.billing_documents import synthetic_invoice
from billing.rendering import invoice_pdf, invoice_xlsx

def kb(field):
    with open("/proc/self/status") as status:
        return int(re.search(field + r":\\s+(\\d+) kB", status.read()).group(1))

render = {"pdf": invoice_pdf, "xlsx": invoice_xlsx}[sys.argv[1]]
content = synthetic_invoice(int(sys.argv[2]))
before = kb("VmHWM")
started = time.perf_counter()
with tempfile.TemporaryFile() as out:
    render(content, out)
elapsed = time.perf_counter() - started
print(before, kb("VmHWM"), round(elapsed, 2))
"""


def peak_memory(kind, members):
    """(KB resident before, peak KB, seconds) of one invoice rendered in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, kind, str(members)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    before, peak, seconds = result.stdout.split()
    return int(before), int(peak), float(seconds)


def check_memory(kind, members):
    """Print one fresh-process render's time and peak memory; raise past the worker's limit."""
    limit = settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    before, peak, seconds = peak_memory(kind, members)
    verdict = "within limit" if peak <= limit else "OVER THE LIMIT"
    print(
        f"    invoice {kind} {members:,} members: {seconds:.2f} s in a fresh process, peak RSS "
        f"{peak // 1024} MB ({before // 1024} MB before the render, {(peak - before) // 1024} MB "
        f"for it); worker limit {limit // 1024} MB: {verdict}",
        flush=True,
    )
    if peak > limit:
        raise RuntimeError(
            f"A {members}-member invoice {kind} peaked at {peak} KB, over the worker's "
            f"CELERY_WORKER_MAX_MEMORY_PER_CHILD of {limit} KB."
        )


@scenario("invoice-pdf-500", baseline="bare-pdf-page", repeat=3, warmup=1)
def invoice_pdf_500(ctx):
    """A 500-member roster invoice as PDF (budget: a few seconds)."""
    check_memory("pdf", 500)
    content = synthetic_invoice(500)

    def run():
        invoice_pdf(content, io.BytesIO())

    return run


@scenario("invoice-xlsx-500", baseline="bare-xlsx-lines", repeat=3, warmup=1)
def invoice_xlsx_500(ctx):
    """A 500-member roster invoice as XLSX."""
    check_memory("xlsx", 500)
    content = synthetic_invoice(500)

    def run():
        invoice_xlsx(content, io.BytesIO())

    return run
