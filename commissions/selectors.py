"""Reading commission statements: the retention window, a Broker ID's statements and totals."""

import datetime

from django.db.models import Sum

from commissions.models import RETENTION_MONTHS, CommissionStatement
from portal.dates import add_months


def window_start(today: datetime.date) -> datetime.date:
    """The first month still kept: the current month and the 17 before it."""
    return add_months(today.replace(day=1), 1 - RETENTION_MONTHS)


def window_months(today: datetime.date) -> list[datetime.date]:
    """The first day of each month in the window, newest first."""
    first = window_start(today)
    return [add_months(first, n) for n in range(RETENTION_MONTHS)][::-1]


def statements_for(broker_code: str, *, today, start=None, end=None, category=None, state=None):
    """The Broker ID's statements in the window, or in [start, end] within it, newest first."""
    statements = CommissionStatement.objects.filter(
        broker_code=broker_code, period__gte=max(start or window_start(today), window_start(today))
    )
    if end:
        statements = statements.filter(period__lte=end)
    if category:
        statements = statements.filter(category=category)
    if state:
        statements = statements.filter(state=state)
    return statements.order_by("-period", "category", "state")


def latest_period_for(broker_code: str, *, today) -> datetime.date | None:
    return statements_for(broker_code, today=today).values_list("period", flat=True).first()


def categories_for(broker_code: str, *, today) -> list[tuple[str, str]]:
    """The (category, state) pairs the Broker ID has statements in, for the Category filter."""
    pairs = (
        statements_for(broker_code, today=today)
        .order_by("category", "state")
        .values_list("category", "state")
        .distinct()
    )
    return list(pairs)


def monthly_totals_for(broker_code: str, *, today) -> dict[datetime.date, object]:
    """{month: commission paid} over the whole window, for the chart."""
    rows = (
        statements_for(broker_code, today=today)
        .order_by()
        .values("period")
        .annotate(paid=Sum("total"))
        .values_list("period", "paid")
    )
    return dict(rows)
