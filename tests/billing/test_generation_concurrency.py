"""Two runs of the generator at the same moment, on PostgreSQL: the same group's bill is made
once, and regenerating the latest bill while the next is being made either lands before the next
bill carries it forward or is refused, never in between.

Real threads with their own connections and committed data, so PostgreSQL only (SQLite takes one
writer at a time, so nothing can race there). CI runs the suite on PostgreSQL."""

import datetime
import time
from decimal import Decimal

import pytest
from django.conf import settings

from billing import generation
from billing.models import Invoice, PremiumRate
from enrollment.models import Coverage
from tests.factories import CoverageFactory, GroupFactory, MemberFactory, PlanFactory
from tests.threads import run_at_once

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: SQLite runs one writer at a time, so two runs can't race "
    "(CI runs this on PostgreSQL; locally set DATABASE_URL=postgres://...)",
)

NOV = datetime.date(2026, 11, 1)
DEC = datetime.date(2026, 12, 1)


@pytest.fixture
def scene(transactional_db):
    group, plan = GroupFactory(), PlanFactory()
    PremiumRate.objects.create(
        plan=plan, tier="EE", effective_date=datetime.date(2026, 1, 1), monthly_premium=500
    )
    member = MemberFactory(group=group, plan=plan)
    CoverageFactory(member=member, plan=plan, start_date=datetime.date(2026, 1, 1))
    return group, member


def _together(monkeypatch, calls):
    """Run the calls in threads, each holding its transaction a moment after drafting, so that
    they overlap."""
    real_draft = generation.draft

    def slow_draft(*args, **kwargs):
        result = real_draft(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(generation, "draft", slow_draft)
    return run_at_once(calls, stagger=0.05)


def test_two_runs_at_once_make_the_bill_once(scene, monkeypatch):
    group, _member = scene

    def run():
        return generation.invoices_generate(period=NOV, group_ids=[group.pk])

    first, second = _together(monkeypatch, [run, run])

    assert sorted([(first.created, first.existing), (second.created, second.existing)]) == [
        (0, 1),
        (1, 0),
    ]
    assert Invoice.objects.filter(group=group).count() == 1


def test_regenerating_while_the_next_bill_is_made_never_breaks_the_chain(scene, monkeypatch):
    group, member = scene
    november = generation.invoice_generate(group_id=group.pk, period=NOV)
    Coverage.objects.filter(member=member).update(end_date=datetime.date(2026, 11, 3))

    regenerated, _december = _together(
        monkeypatch,
        [
            lambda: generation.invoice_regenerate(invoice=november),
            lambda: generation.invoice_generate(group_id=group.pk, period=DEC),
        ],
    )

    november.refresh_from_db()
    december = Invoice.objects.get(group=group, period_start=DEC)
    assert december.balance_forward == november.balance_due
    if isinstance(regenerated, generation.GenerationError):
        # December came first: November stays, and December credits the termination.
        assert november.balance_due == Decimal("500.00")
        assert december.adjustments == Decimal("-450.00")
    else:
        assert november.balance_due == Decimal("50.00")
        assert december.adjustments == 0
