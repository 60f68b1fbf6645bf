"""What an employer report may ask for: the standard reports, the custom report's columns, the
periods a report covers and the dates it may reach back to.

The custom report's columns are a fixed catalogue (CUSTOM_COLUMNS): each is a field of the
member, their group or plan, or their latest coverage period. SSNs are never among them.
"""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from employers.models import ReportDefinition
from enrollment.models import Coverage, Member

Kind = ReportDefinition.Kind
# How far back a report may reach, as the seed's portal promises ("up to two years of account
# activity").
HISTORY_YEARS = 2
# A printed table longer than this is not read by anyone; the PDF is refused in favour of XLSX
# (WeasyPrint takes ~6 s and ~210 MB for 1,000 table rows, DESIGN.md).
PDF_MAX_ROWS = 2000
PDF_MAX_COLUMNS = 10


@dataclass(frozen=True)
class Standard:
    """One kind of report: what it is about, which options its form offers, and the group
    function (besides run_reports) its data needs."""

    kind: str
    description: str
    options: tuple
    data_perm: str


STANDARD = {
    Kind.ROSTER: Standard(
        Kind.ROSTER,
        "Everyone enrolled, suffix by suffix, each employee followed by their dependents.",
        ("groups", "statuses", "plans"),
        "view_roster",
    ),
    Kind.CHANGES: Standard(
        Kind.CHANGES,
        "Enrollments, cancellations, plan, PCP and COBRA changes recorded in a period.",
        ("groups", "period"),
        "view_roster",
    ),
    Kind.BILLING_SUMMARY: Standard(
        Kind.BILLING_SUMMARY,
        "Each bill of the period: amounts billed, paid and due, and its status.",
        ("groups", "period"),
        "view_invoice",
    ),
    Kind.PAYMENT_HISTORY: Standard(
        Kind.PAYMENT_HISTORY,
        "Every payment made in a period, with its bill, account and status.",
        ("groups", "period"),
        "view_payment_history",
    ),
    Kind.COBRA: Standard(
        Kind.COBRA,
        "Members on COBRA continuation today, with the qualifying event.",
        ("groups", "plans"),
        "view_roster",
    ),
    Kind.TURNING_26: Standard(
        Kind.TURNING_26,
        "Dependents who reach 26 (and the end of dependent coverage) in the coming days.",
        ("groups", "within_days"),
        "view_roster",
    ),
    Kind.TURNING_65: Standard(
        Kind.TURNING_65,
        "Members who reach 65 (Medicare age) in the coming days.",
        ("groups", "within_days"),
        "view_roster",
    ),
    Kind.CUSTOM: Standard(
        Kind.CUSTOM,
        "Members of your groups with the columns, filters and order you choose.",
        ("groups", "statuses", "plans", "date_field", "columns", "sort"),
        "view_roster",
    ),
}
# Periods are kept relative ("the previous month"), so that a recurring report covers the
# right days each time it runs; "custom" keeps the two dates given.
PERIODS = [
    ("last_7_days", "The last 7 days"),
    ("last_30_days", "The last 30 days"),
    ("previous_month", "The previous calendar month"),
    ("month_to_date", "This month so far"),
    ("custom", "Dates I choose"),
]
WITHIN_DAYS = [
    (30, "30 days"),
    (60, "60 days"),
    (90, "90 days"),
    (180, "180 days"),
    (365, "a year"),
]


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (or earlier); February 29 becomes March 1 in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


def earliest_date(today: datetime.date) -> datetime.date:
    return add_years(today, -HISTORY_YEARS)


def period_dates(period: str, *, today: datetime.date, start=None, end=None):
    """The first and last day (both included) that `period` means on `today`."""
    if period == "last_7_days":
        return today - datetime.timedelta(days=6), today
    if period == "last_30_days":
        return today - datetime.timedelta(days=29), today
    if period == "previous_month":
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return last.replace(day=1), last
    if period == "month_to_date":
        return today.replace(day=1), today
    if period == "custom" and start and end:
        return start, end
    raise ValueError(f"Not a period: {period!r}")


def period_label(period: str, start=None, end=None) -> str:
    """A period in words; `start` and `end` (dates or ISO strings) for a custom one."""
    if period == "custom" and start and end:
        start, end = (
            datetime.date.fromisoformat(d) if isinstance(d, str) else d for d in (start, end)
        )
        return f"{start:%m/%d/%Y} to {end:%m/%d/%Y}"
    return dict(PERIODS).get(period, "")


# The custom report's columns. `field` is what .values_list() reads, `choices` turns a stored
# code into its label, `sortable` whether the report may be ordered by it.
@dataclass(frozen=True)
class Column:
    label: str
    field: str
    width: int = 14
    choices: dict | None = None
    sortable: bool = True


def _latest_coverage(field):
    """The member's latest coverage period's `field`, read through Coverage's
    (member, -start_date) index."""
    return Subquery(
        Coverage.objects.filter(member=OuterRef("pk")).order_by("-start_date").values(field)[:1]
    )


COVERAGE_ANNOTATIONS = {
    "coverage_tier": _latest_coverage("tier"),
    "coverage_start": _latest_coverage("start_date"),
    "coverage_end": _latest_coverage("end_date"),
    "coverage_cobra": _latest_coverage("is_cobra"),
}
CUSTOM_COLUMNS = {
    "group_number": Column("Group number", "group__number", 14),
    "group_name": Column("Suffix name", "group__name", 28),
    "parent_number": Column("Parent group", "group__parent__number", 14),
    "member_id": Column("Member ID", "member_id", 14),
    "subscriber_id": Column("Subscriber ID", "subscriber__member_id", 14),
    "relationship": Column("Relationship", "relationship", 16, dict(Member.Relationship.choices)),
    "last_name": Column("Last name", "last_name", 20),
    "first_name": Column("First name", "first_name", 16),
    "middle_initial": Column("Middle initial", "middle_initial", 8, sortable=False),
    "dob": Column("Date of birth", "dob", 12),
    "gender": Column("Gender", "gender", 12, dict(Member.Gender.choices)),
    "status": Column("Status", "status", 12, dict(Member.Status.choices)),
    "plan_name": Column("Plan", "plan__name", 36),
    "plan_type": Column("Plan type", "plan__plan_type", 10),
    "tier": Column("Coverage tier", "coverage_tier", 18, dict(Coverage.Tier.choices)),
    "coverage_start": Column("Coverage start", "coverage_start", 14),
    "coverage_end": Column("Coverage end", "coverage_end", 14),
    "cobra": Column("COBRA", "coverage_cobra", 8, {True: "Yes", False: "No"}),
    "city": Column("City", "city", 18),
    "state": Column("State", "state", 6),
    "zip_code": Column("ZIP code", "zip_code", 10),
    "email": Column("Email", "email", 28, sortable=False),
    "home_phone": Column("Home phone", "home_phone", 14, sortable=False),
    "pcp_name": Column("PCP", "pcp_name", 24),
}
CUSTOM_DEFAULT_COLUMNS = ["group_number", "member_id", "last_name", "first_name", "status"]
# The dates a custom report may filter on: both within the last two years.
DATE_FIELDS = [("coverage_start", "Coverage started"), ("coverage_end", "Coverage ended")]
MEMBER_STATUSES = Member.Status.choices
