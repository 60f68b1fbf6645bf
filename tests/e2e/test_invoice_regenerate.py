"""Ops regenerate a bill in the admin: from the bill's page, through the confirmation that shows
what will change, to the rebuilt bill. Every page passes axe-core."""

import datetime

import pytest
from playwright.sync_api import expect

from billing import generation
from billing.models import PremiumRate
from enrollment.models import Coverage
from tests.e2e.helpers import assert_accessible, log_in
from tests.e2e.test_audience_portals import ADMIN_ONLY_DISABLED_RULES
from tests.factories import CoverageFactory, MemberFactory, PlanFactory

pytestmark = pytest.mark.e2e


def test_ops_regenerate_a_bill_after_a_backdated_termination(live_cast, page, axe_source):
    group = live_cast.employer_groups[0]
    plan = PlanFactory()
    PremiumRate.objects.create(
        plan=plan, tier="EE", effective_date=datetime.date(2026, 1, 1), monthly_premium=500
    )
    member = MemberFactory(group=group, plan=plan, last_name="Okafor", first_name="Ben")
    CoverageFactory(member=member, plan=plan, start_date=datetime.date(2026, 1, 1))
    generation.invoice_generate(group_id=group.pk, period=datetime.date(2026, 11, 1))
    december = generation.invoice_generate(group_id=group.pk, period=datetime.date(2026, 12, 1))
    Coverage.objects.filter(member=member).update(end_date=datetime.date(2026, 11, 3))

    log_in(page, "ops@demo.test")
    page.goto(f"/admin/billing/invoice/{december.pk}/change/")
    page.get_by_role("link", name="Regenerate").click()

    expect(page.get_by_role("heading", name=f"Regenerate bill {december.number}")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Retroactive credit for Okafor, Ben", exact=False)
    ).to_be_visible()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)

    page.get_by_role("button", name=f"Regenerate bill {december.number}").click()

    expect(page.get_by_text(f"Bill {december.number} regenerated")).to_be_visible()
    expect(page.get_by_text("Balance due 1000.00 → 50.00")).to_be_visible()
    # Back on the bill's page, whose lines are Django's tabular inline: its inputs are named by
    # the column headings, which axe does not count as labels.
    assert_accessible(
        page, axe_source, disable_rules=[*ADMIN_ONLY_DISABLED_RULES, "label", "select-name"]
    )
