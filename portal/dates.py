"""Calendar months, which statements, bills and charts count in."""

import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after `day`'s month (before it, if negative)."""
    years, month = divmod(day.month - 1 + months, 12)
    return datetime.date(day.year + years, month + 1, 1)


def last_months(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the last `count` months, oldest first, `today`'s month last."""
    return [add_months(today, n) for n in range(1 - count, 1)]
