"""Ops' data load of premium rates: a plan's monthly premium per tier from a date on.

All or nothing, with a dry run (portal/data_loads.py). A row for a plan, tier and date already
on file corrects that rate; any other row adds one (a renewal is a new row, never an edit).
"""

from decimal import Decimal

from django.db import transaction

from billing.models import PremiumRate
from enrollment.models import Coverage, Plan
from portal.data_loads import DataLoadForm, data_load_log, data_load_message
from portal.imports import ImportRowsError, cell_date, cell_decimal, cell_text

PREMIUM_RATE_COLUMNS = ("plan_code", "tier", "effective_date", "monthly_premium")
MAX_PREMIUM = Decimal("99999999.99")


class PremiumRateImportForm(DataLoadForm):
    columns = PREMIUM_RATE_COLUMNS
    required = PREMIUM_RATE_COLUMNS


def _rate_values(values, plans):
    """(plan, tier, effective date, premium) from a row, and its problems as (column, message)."""
    problems = []
    plan = plans.get(cell_text(values.get("plan_code")))
    if plan is None:
        problems.append(("plan_code", "No plan has this code."))
    tier = cell_text(values.get("tier")).upper()
    if tier not in Coverage.Tier.values:
        problems.append(("tier", f"Use one of {', '.join(Coverage.Tier.values)}."))
    effective_date = premium = None
    try:
        effective_date = cell_date(values.get("effective_date"))
    except ValueError:
        problems.append(("effective_date", "Enter a date, YYYY-MM-DD or MM/DD/YYYY."))
    try:
        premium = cell_decimal(values.get("monthly_premium"))
    except ValueError:
        problems.append(("monthly_premium", "Enter an amount in dollars and cents."))
    else:
        if not 0 <= premium <= MAX_PREMIUM:
            problems.append(("monthly_premium", "Enter an amount of zero or more."))
    return (plan, tier, effective_date, premium), problems


def premium_rates_import(*, rows, by, dry_run=False) -> str:
    """Add or correct premium rates from a file's rows, every row or none; the message to show.

    A plan, tier and date twice in one file is an error. Any problem raises ImportRowsError
    listing them all, and nothing is saved; so does nothing on a dry run.
    """
    rows = list(rows)
    plans = Plan.objects.in_bulk(
        {cell_text(values.get("plan_code")) for _, values in rows}, field_name="code"
    )
    existing = {
        (rate.plan_id, rate.tier, rate.effective_date): rate
        for rate in PremiumRate.objects.filter(plan__in=plans.values())
    }
    errors, rates, first_row_of = [], [], {}
    for number, values in rows:
        (plan, tier, effective_date, premium), problems = _rate_values(values, plans)
        if not problems:
            key = (plan.pk, tier, effective_date)
            if key in first_row_of:
                problems.append(
                    ("effective_date", f"The same rate is also on row {first_row_of[key]}.")
                )
            first_row_of.setdefault(key, number)
            rate = existing.get(key) or PremiumRate(
                plan=plan, tier=tier, effective_date=effective_date
            )
            rate.monthly_premium = premium
            rates.append(rate)
        errors += [(number, column, message) for column, message in problems]
    if errors:
        raise ImportRowsError(errors)
    created = [rate for rate in rates if rate.pk is None]
    updated = [rate for rate in rates if rate.pk is not None]
    if not dry_run:
        with transaction.atomic():
            PremiumRate.objects.bulk_create(created)
            PremiumRate.objects.bulk_update(updated, ["monthly_premium"])
            data_load_log(by=by, created=created, updated=updated)
    return data_load_message(
        noun="premium rates", created=created, updated=updated, dry_run=dry_run
    )
