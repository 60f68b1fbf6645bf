"""Business days: Monday to Friday, less the holidays of the calendar the carrier names in
settings.BUSINESS_DAY_HOLIDAYS, a financial calendar of the `holidays` package. The default,
"FED", is the Federal Reserve's: banks settle no ACH payments on its holidays, and it is the
calendar of a US carrier's offices. One calendar serves every deadline the portal states (a
registration request's review target, the payment sandbox's settlement day)."""

import datetime
import functools

import holidays
from django.conf import settings


@functools.cache
def _holidays(calendar: str) -> holidays.HolidayBase:
    # Expands year by year as days are asked about.
    return holidays.financial_holidays(calendar)


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(settings.BUSINESS_DAY_HOLIDAYS)


def business_days_after(day: datetime.date, count: int = 1) -> datetime.date:
    """The day `count` business days after `day` (the next business day, by default)."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day
