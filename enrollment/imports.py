"""Ops' data load of plans: create or update the carrier's plans from an .xlsx or .csv file.

All or nothing, with a dry run (portal/data_loads.py); a plan is found by its code.
"""

from django.db import transaction

from enrollment.models import Plan
from portal.data_loads import (
    DataLoadForm,
    cell_bool,
    cell_state,
    data_load_log,
    data_load_message,
)
from portal.imports import ImportRowsError, cell_text

PLAN_COLUMNS = ("code", "name", "plan_type", "market", "state", "is_active")
PLAN_REQUIRED_COLUMNS = ("code", "name", "plan_type", "market", "state")


class PlanImportForm(DataLoadForm):
    columns = PLAN_COLUMNS
    required = PLAN_REQUIRED_COLUMNS


def _choice(value, choices):
    """A choice given by its value or its label, in any case; ValueError otherwise."""
    text = cell_text(value).lower()
    for key, label in choices:
        if text in (key.lower(), label.lower()):
            return key
    raise ValueError(text)


def _plan_from_row(plan, values):
    """Set the plan's fields from a row; the problems found, as (column, message)."""
    problems = []
    plan.code = cell_text(values.get("code"))
    if not plan.code or len(plan.code) > Plan._meta.get_field("code").max_length:
        problems.append(("code", "Enter the plan code (up to 20 characters)."))
    plan.name = cell_text(values.get("name"))
    if not plan.name or len(plan.name) > Plan._meta.get_field("name").max_length:
        problems.append(("name", "Enter the plan name (up to 120 characters)."))
    parsers = {
        "plan_type": (lambda v: _choice(v, Plan.PlanType.choices), "Use HMO, PPO or EPO."),
        "market": (
            lambda v: _choice(v, Plan.Market.choices),
            "Use small_group, large_group or ifp.",
        ),
        "state": (cell_state, "Use a two-letter state code."),
    }
    for column, (parse, message) in parsers.items():
        try:
            setattr(plan, column, parse(values.get(column)))
        except ValueError:
            problems.append((column, message))
    if cell_text(values.get("is_active")):
        try:
            plan.is_active = cell_bool(values["is_active"])
        except ValueError:
            problems.append(("is_active", "Use yes or no."))
    return problems


def plans_import(*, rows, by, dry_run=False) -> str:
    """Create or update plans from a file's rows, every row or none; the message to show.

    A code already on file updates that plan; a code twice in one file is an error. Any problem
    raises ImportRowsError listing them all, and nothing is saved; so does nothing on a dry run.
    """
    rows = list(rows)
    existing = Plan.objects.in_bulk(
        {cell_text(values.get("code")) for _, values in rows}, field_name="code"
    )
    errors, plans, first_row_of = [], [], {}
    for number, values in rows:
        plan = existing.get(cell_text(values.get("code"))) or Plan()
        problems = _plan_from_row(plan, values)
        if plan.code in first_row_of:
            problems.append(("code", f"Plan {plan.code} is also on row {first_row_of[plan.code]}."))
        first_row_of.setdefault(plan.code, number)
        errors += [(number, column, message) for column, message in problems]
        plans.append(plan)
    if errors:
        raise ImportRowsError(errors)
    created = [plan for plan in plans if plan.pk is None]
    updated = [plan for plan in plans if plan.pk is not None]
    if not dry_run:
        with transaction.atomic():
            for plan in plans:
                plan.save()
            data_load_log(by=by, created=created, updated=updated)
    return data_load_message(noun="plans", created=created, updated=updated, dry_run=dry_run)
