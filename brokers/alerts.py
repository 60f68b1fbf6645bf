"""Book of Business alerts: computed from each group's own records, never set by hand.

Each alert is written twice, on purpose: as a SQL condition, so that the list can filter by
alert type over the whole book, and as a check on the page's rows, so that the icons cost one
query for the page (past-due balances and members turning 65 need the invoices and members;
the other three read the group's own columns). tests/brokers/test_book.py checks that both
agree.
"""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Mod

from billing.models import Invoice
from enrollment.models import Group, Member

# A renewal this close is worth a call; a 65th birthday this close leaves time to talk
# Medicare options with the member before the month they become eligible.
RENEWAL_WINDOW_DAYS = 60
TURNING_65_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Alert:
    key: str
    label: str
    symbol: str
    meaning: str


PAST_DUE = Alert(
    "past_due",
    "Past-due balance",
    "$",
    "The group's latest invoice whose due date has passed still shows a balance due.",
)
RENEWAL = Alert(
    "renewal",
    "Renewal within 60 days",
    "R",
    f"The group's next renewal date is within the next {RENEWAL_WINDOW_DAYS} days.",
)
CANCELLED = Alert("cancelled", "Cancelled", "X", "The group's coverage is cancelled.")
PENDING_TERMINATION = Alert(
    "pending_termination",
    "Pending termination",
    "T",
    "The group has a cancellation date in the future: its coverage ends on that date.",
)
TURNING_65 = Alert(
    "turning_65",
    "Member turning 65",
    "65",
    f"A subscriber or dependent of the group turns 65 within the next "
    f"{TURNING_65_WINDOW_DAYS} days.",
)
ALERTS = (PAST_DUE, RENEWAL, CANCELLED, PENDING_TERMINATION, TURNING_65)
ALERT_CHOICES = [(alert.key, alert.label) for alert in ALERTS]


def first_renewal_month(today: datetime.date) -> int:
    """The month of the soonest renewal date not in the past (renewals fall on the 1st)."""
    return today.month if today.day == 1 else today.month % 12 + 1


def next_renewal_date(renewal_month: int, today: datetime.date) -> datetime.date:
    """The next 1st of `renewal_month` on or after today."""
    this_year = datetime.date(today.year, renewal_month, 1)
    return this_year if this_year >= today else this_year.replace(year=today.year + 1)


def renewal_rank(today: datetime.date):
    """SQL: months from the soonest possible renewal to the group's next one (0–11).

    It orders groups as their next renewal dates do, without computing dates in SQL.
    """
    return Mod(F("renewal_month") + (12 - first_renewal_month(today)), 12)


def renewal_months_between(start, end, today: datetime.date) -> list[int]:
    """The renewal months whose next renewal date falls in [start, end] (either may be None)."""
    return [
        month
        for month in range(1, 13)
        if (start is None or next_renewal_date(month, today) >= start)
        and (end is None or next_renewal_date(month, today) <= end)
    ]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def turning_65_dob_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Birth dates (exclusive, inclusive] of people whose 65th birthday is in the window."""
    window_end = today + datetime.timedelta(days=TURNING_65_WINDOW_DAYS)
    return _years_before(today, 65), _years_before(window_end, 65)


def _past_due_flag(today):
    latest_due = (
        Invoice.objects.filter(group=OuterRef("pk"), due_date__lt=today)
        .order_by("-period_start")
        .annotate(flag=ExpressionWrapper(Q(balance_due__gt=0), output_field=BooleanField()))
        .values("flag")[:1]
    )
    return Coalesce(Subquery(latest_due, output_field=BooleanField()), False)


def _turning_65_flag(today):
    after, until = turning_65_dob_range(today)
    return Exists(
        Member.objects.filter(group=OuterRef("pk"), dob__gt=after, dob__lte=until).exclude(
            status=Member.Status.CANCELLED
        )
    )


def alert_condition(key: str, today: datetime.date):
    """The SQL condition on enrollment.Group for the alert `key`."""
    not_cancelled = ~Q(status=Group.Status.CANCELLED)
    if key == PAST_DUE.key:
        return Q(_past_due_flag(today))
    if key == RENEWAL.key:
        soon = today + datetime.timedelta(days=RENEWAL_WINDOW_DAYS)
        return Q(renewal_month__in=renewal_months_between(today, soon, today)) & not_cancelled
    if key == CANCELLED.key:
        return Q(status=Group.Status.CANCELLED)
    if key == PENDING_TERMINATION.key:
        return Q(cancellation_date__gt=today) & not_cancelled
    if key == TURNING_65.key:
        return Q(_turning_65_flag(today))
    raise ValueError(f"No alert {key!r}.")


def flag_annotations(today: datetime.date) -> dict:
    """Annotations `past_due` and `turning_65` of enrollment.Group, for the page's rows only
    (see alerts_of): the same conditions as alert_condition's, written out.

    The page's query is the Book of Business's only query of its own, and the ORM took longer
    to build and compile its correlated subqueries than PostgreSQL to run them (bench/book.py).
    `turning_65` asks for one such member's id rather than EXISTS: in a query whose row count
    PostgreSQL can't tell before its LIMIT, it answered the EXISTS by hashing every member of
    the whole table in the window (375 rows read, up to 12 ms at a million members) where a
    scalar subquery probes (group, dob) for each of the page's rows.
    """
    group = f'"{Group._meta.db_table}"."id"'
    after, until = turning_65_dob_range(today)
    # The latest invoice already due, as alert_condition's past-due check reads it.
    past_due = RawSQL(  # noqa: S611 - table names formatted in, values are params
        f"COALESCE((SELECT i.balance_due > 0 FROM {Invoice._meta.db_table} i "  # noqa: S608
        f"WHERE i.group_id = {group} AND i.due_date < %s "
        "ORDER BY i.period_start DESC LIMIT 1), FALSE)",
        (today,),
        output_field=BooleanField(),
    )
    turning_65 = RawSQL(  # noqa: S611 - table names formatted in, values are params
        f"(SELECT m.id FROM {Member._meta.db_table} m WHERE m.group_id = {group} "  # noqa: S608
        "AND m.dob > %s AND m.dob <= %s AND m.status <> %s LIMIT 1) IS NOT NULL",
        (after, until, Member.Status.CANCELLED.value),
        output_field=BooleanField(),
    )
    return {"past_due": past_due, "turning_65": turning_65}


def alerts_of(group, *, past_due: bool, turning_65: bool, today: datetime.date) -> list[Alert]:
    """The alerts of one page row, given its `flag_annotations`."""
    cancelled = group.status == Group.Status.CANCELLED
    soon = today + datetime.timedelta(days=RENEWAL_WINDOW_DAYS)
    checks = {
        PAST_DUE: past_due,
        RENEWAL: not cancelled and next_renewal_date(group.renewal_month, today) <= soon,
        CANCELLED: cancelled,
        PENDING_TERMINATION: not cancelled
        and group.cancellation_date is not None
        and group.cancellation_date > today,
        TURNING_65: turning_65,
    }
    return [alert for alert in ALERTS if checks[alert]]
