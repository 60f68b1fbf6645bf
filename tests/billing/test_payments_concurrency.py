"""Two submissions at the same moment, on PostgreSQL: the same idempotency key makes one
submission (the second request gets the first one back), and two different submissions that
would together overpay a bill can't both pass (the bill's row is locked while it is checked).

Real threads with their own connections and committed data, so PostgreSQL only: SQLite takes
one writer at a time, so nothing can race there. CI runs the suite on PostgreSQL."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from billing import payments
from billing.models import Payment, PaymentSubmission
from billing.payments import PaymentError, PaymentLine
from tests.cast import build_cast
from tests.factories import InvoiceFactory, PaymentAccountFactory
from tests.threads import run_at_once

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: SQLite runs one writer at a time, so two submissions can't race "
    "(CI runs this on PostgreSQL; locally set DATABASE_URL=postgres://...)",
)


@pytest.fixture
def scene(transactional_db):
    cast = build_cast()
    bill = InvoiceFactory(group=cast.employer_groups[0], current_amount=Decimal("1000.00"))
    account = PaymentAccountFactory(employer=bill.group.parent.employer, created_by=cast.employer)
    return cast, bill, account


def _race(monkeypatch, submit_calls):
    """Run the calls in threads that all get past the "already made?" check before any of them
    writes, and hold their transaction a moment after taking the key, so that they overlap."""
    barrier = threading.Barrier(len(submit_calls))
    real_earlier, real_locked = payments._earlier, payments._locked_payable
    seen = threading.local()

    def earlier_after_everyone_looked(key):
        found = real_earlier(key)
        if not getattr(seen, "looked", False):
            seen.looked = True
            barrier.wait(timeout=10)
        return found

    def locked_slowly(invoice_ids):
        result = real_locked(invoice_ids)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(payments, "_earlier", earlier_after_everyone_looked)
    monkeypatch.setattr(payments, "_locked_payable", locked_slowly)
    return run_at_once(submit_calls)


def _submit(user, bill, account, amount, key):
    return lambda: payments.payment_submit(
        employer=bill.group.parent.employer,
        lines=[PaymentLine(invoice=bill, account=account, amount=Decimal(amount))],
        pay_on=timezone.localdate() + datetime.timedelta(days=2),
        idempotency_key=key,
        by=user,
    )


def test_two_concurrent_submissions_with_one_key_make_one_payment(scene, monkeypatch):
    cast, bill, account = scene
    call = _submit(cast.employer, bill, account, "600.00", "double-click")

    first, second = _race(monkeypatch, [call, call])

    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert first[0].pk == second[0].pk
    assert sorted([first[1], second[1]]) == [False, True]
    assert PaymentSubmission.objects.count() == 1
    assert Payment.objects.count() == 1


def test_two_concurrent_submissions_cannot_together_overpay_a_bill(scene, monkeypatch):
    cast, bill, account = scene
    calls = [
        _submit(cast.employer, bill, account, "600.00", "first"),
        _submit(cast.groupadmin, bill, account, "600.00", "second"),
    ]

    results = _race(monkeypatch, calls)

    refused = [r for r in results if isinstance(r, PaymentError)]
    made = [r for r in results if isinstance(r, tuple)]
    assert len(refused) == 1 and len(made) == 1, results
    assert "at most $400.00" in refused[0].message
    assert Payment.objects.get().amount == Decimal("600.00")
