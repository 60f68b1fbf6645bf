"""The report job kinds behind Manage Accounts & Reports → Reports, one per standard report and
one for custom reports (registered with portal.jobs through employers/reports.py).

A job's parameters are a copy of its definition's settings with the period resolved to dates,
so the file says what was asked when it ran. The groups are checked again as the job's
requester when the worker makes the file and when it is downloaded: run_reports and the
function the data needs (see selectors.report_groups_for), on every group named, or on at least
one of the employer's groups when none is named ("all my groups").
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from billing.models import Payment
from employers import selectors as employer_selectors
from employers.reporting import catalogue
from employers.reporting.catalogue import CUSTOM_COLUMNS, STANDARD, Kind
from employers.reporting.selectors import JOB_KIND_PREFIX, report_groups_for
from enrollment.models import Coverage, EnrollmentEvent, Member
from portal.jobs.registry import PDF, XLSX, Report, ReportError, register
from portal.jobs.writers import write_xlsx

RELATIONSHIPS = dict(Member.Relationship.choices)
MEMBER_STATUSES = dict(Member.Status.choices)
GENDERS = dict(Member.Gender.choices)
TIERS = dict(Coverage.Tier.choices)
EVENT_KINDS = dict(EnrollmentEvent.Kind.choices)
PDF_TOO_LONG = (
    "This report has {rows:,} rows, more than a printed report holds ({limit:,}). "
    "Choose Excel (XLSX) for it, or narrow its filters."
)


def job_kind(kind: str) -> str:
    return f"{JOB_KIND_PREFIX}{kind}"


def _ids(value, *, allowed=None):
    if not isinstance(value, list | tuple) or len(value) > 500:
        raise ValueError("A list was expected.")
    out = []
    for item in value:
        if allowed is not None:
            if item not in allowed:
                raise ValueError(f"Not allowed: {item!r}")
            out.append(item)
        else:
            number = int(item)
            if number <= 0:
                raise ValueError("Not an id.")
            out.append(number)
    return out


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


class EmployerReport(Report):
    """What every employer report shares: parameters, access, the two formats and the writing.

    A kind sets `report_kind` (a ReportDefinition.Kind), `headers`, `widths`, `audit_type` and
    implements `values(user, groups)` (a values_list whose first item is the audited id) and
    `row(values)` (the cells, without that id).
    """

    report_kind = ""
    audit_type = "enrollment.Member"
    headers = ()
    widths = ()

    def __init__(self, parameters):
        super().__init__(parameters)
        if parameters.get("format") == "pdf":
            self.content_type, self.extension = PDF, "pdf"
        else:
            self.content_type, self.extension = XLSX, "xlsx"

    @classmethod
    def clean_parameters(cls, data):
        """The stored parameters, checked strictly: they may come from a crafted request to
        the jobs' own "request a report" URL, not only from a saved definition."""
        options = STANDARD[cls.report_kind].options
        try:
            params = {
                "definition": int(data["definition"]) if data.get("definition") else None,
                "name": str(data.get("name") or cls.title)[:100],
                "employer": int(data["employer"]),
                "groups": _ids(data.get("groups") or []),
                "format": str(data.get("format") or "xlsx"),
                "run_on": _date(data.get("run_on")) or timezone.localdate(),
            }
            if params["format"] not in ("xlsx", "pdf") or params["employer"] <= 0:
                raise ValueError("Unknown format or employer.")
            if "statuses" in options:
                params["statuses"] = _ids(data.get("statuses") or [], allowed=MEMBER_STATUSES)
            if "plans" in options:
                params["plans"] = _ids(data.get("plans") or [])
            if "within_days" in options:
                params["within_days"] = int(data.get("within_days") or 90)
                if params["within_days"] not in dict(catalogue.WITHIN_DAYS):
                    raise ValueError("Unknown number of days.")
            if "period" in options or "date_field" in options:
                params.update(cls._clean_dates(data, required="period" in options))
            if "columns" in options:
                params.update(cls._clean_columns(data))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"The report's settings are not usable: {error}") from None
        params["run_on"] = params["run_on"].isoformat()
        return params

    @staticmethod
    def _clean_dates(data, *, required):
        date_field = str(data.get("date_field") or "")
        if not required and date_field not in dict(catalogue.DATE_FIELDS):
            return {"date_field": "", "start": "", "end": ""}
        start, end = _date(data.get("start")), _date(data.get("end"))
        today = timezone.localdate()
        if not (start and end) or start > end or end > today:
            raise ValueError("A period that has begun and ended in order is needed.")
        if start < catalogue.earliest_date(today):
            raise ValueError("Reports reach back two years at most.")
        dates = {"start": start.isoformat(), "end": end.isoformat()}
        return dates if required else {"date_field": date_field, **dates}

    @staticmethod
    def _clean_columns(data):
        columns = _ids(data.get("columns") or [], allowed=CUSTOM_COLUMNS)
        if not columns or len(set(columns)) != len(columns):
            raise ValueError("Choose each column once.")
        sort = str(data.get("sort") or "")
        key = sort.removeprefix("-")
        if sort and (key not in CUSTOM_COLUMNS or not CUSTOM_COLUMNS[key].sortable):
            raise ValueError("Not a sortable column.")
        return {"columns": columns, "sort": sort}

    # Access

    def groups(self, user):
        """The groups this report covers for `user`: those named (all of them must still be
        theirs), else every group of the employer they may report on."""
        groups = report_groups_for(user, self.report_kind).filter(
            parent__employer_id=self.parameters["employer"]
        )
        named = self.parameters.get("groups") or []
        return groups.filter(pk__in=named) if named else groups

    def is_available_to(self, user):
        named = self.parameters.get("groups") or []
        groups = self.groups(user)
        return groups.count() == len(set(named)) if named else groups.exists()

    # Output

    def filename(self):
        name = slugify(self.parameters.get("name") or self.title) or "report"
        return f"{name[:60]}-{self.parameters['run_on']}.{self.extension}"

    @property
    def run_on(self):
        return datetime.date.fromisoformat(self.parameters["run_on"])

    def subtitle(self):
        """What the report covers, in words, under its title."""
        start, end = _date(self.parameters.get("start")), _date(self.parameters.get("end"))
        return f"{start:%m/%d/%Y} to {end:%m/%d/%Y}" if start and end else ""

    def values(self, user, groups):
        raise NotImplementedError

    def row(self, values):
        raise NotImplementedError

    def rows(self, user):
        """(audited id, cells) for each row, in order."""
        for values in self.values(user, self.groups(user)).iterator(chunk_size=2000):
            yield values[0], self.row(values[1:])

    def count(self, user):
        return self.values(user, self.groups(user)).count()

    def generate(self, job, out, progress):
        user = job.requester
        total = self.count(user)
        audited = []
        if self.extension == "pdf":
            self._write_pdf(out, user, total, audited, progress)
        else:

            def cells():
                for audited_id, row in self.rows(user):
                    audited.append(audited_id)
                    yield row

            write_xlsx(
                out,
                sheet_title=self.parameters.get("name") or self.title,
                headers=list(self.headers),
                rows=cells(),
                widths=self.widths,
                total=total,
                progress=progress,
            )
        return {self.audit_type: list(dict.fromkeys(audited))}

    def _write_pdf(self, out, user, total, audited, progress):
        # WeasyPrint is loaded only by the processes that draw PDFs.
        from portal.jobs.pdf import carrier_letterhead, render_pdf

        if total > catalogue.PDF_MAX_ROWS:
            raise ReportError(PDF_TOO_LONG.format(rows=total, limit=catalogue.PDF_MAX_ROWS))
        rows = []
        # Reading the rows is the first half of the bar, drawing the pages the second.
        for done, (audited_id, row) in enumerate(self.rows(user), start=1):
            audited.append(audited_id)
            rows.append([cell_text(cell) for cell in row])
            progress(done, 2 * max(total, 1))
        out.write(
            render_pdf(
                "employers/reports/report.pdf.html",
                {
                    "title": self.parameters.get("name") or self.title,
                    "kind_title": self.title,
                    "subtitle": self.subtitle(),
                    "run_on": self.run_on,
                    "generated_at": timezone.localtime(),
                    "headers": self.headers,
                    "rows": rows,
                    "carrier": carrier_letterhead("employer"),
                    "carrier_name": settings.CARRIER["name"],
                },
            )
        )
        progress(2 * max(total, 1) - 1, 2 * max(total, 1))


def cell_text(value) -> str:
    """A cell as a printed table shows it."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%m/%d/%Y}"
    if isinstance(value, Decimal):
        sign = "-" if value < 0 else ""
        return f"{sign}${abs(value):,.2f}"
    return str(value)


def _family_order(members):
    """Members ordered suffix by suffix, each employee followed by their dependents."""
    return members.annotate(
        family_last=Coalesce("subscriber__last_name", "last_name"),
        family_first=Coalesce("subscriber__first_name", "first_name"),
        family_id=Coalesce("subscriber_id", "pk"),
        dependent_order=Case(
            When(relationship=Member.Relationship.SUBSCRIBER, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by(
        "group__number", "family_last", "family_first", "family_id", "dependent_order", "dob"
    )


def _member_filters(members, parameters):
    if parameters.get("statuses"):
        members = members.filter(status__in=parameters["statuses"])
    if parameters.get("plans"):
        members = members.filter(plan_id__in=parameters["plans"])
    return members


@register
class RosterReport(EmployerReport):
    """Enrollment roster: everyone enrolled by suffix, employees with their dependents."""

    report_kind = Kind.ROSTER
    kind = job_kind(Kind.ROSTER)
    title = "Enrollment roster"
    headers = (
        "Group",
        "Suffix name",
        "Member ID",
        "Relationship",
        "Subscriber ID",
        "Last name",
        "First name",
        "Date of birth",
        "Gender",
        "Status",
        "Plan",
        "Coverage tier",
        "Coverage start",
    )
    widths = (12, 28, 14, 16, 14, 20, 16, 12, 12, 10, 36, 18, 14)

    def values(self, user, groups):
        members = _member_filters(Member.objects.filter(group__in=groups), self.parameters)
        return (
            _family_order(members)
            .annotate(
                coverage_tier=catalogue.COVERAGE_ANNOTATIONS["coverage_tier"],
                coverage_start=catalogue.COVERAGE_ANNOTATIONS["coverage_start"],
            )
            .values_list(
                "pk",
                "group__number",
                "group__name",
                "member_id",
                "relationship",
                "subscriber__member_id",
                "last_name",
                "first_name",
                "dob",
                "gender",
                "status",
                "plan__name",
                "coverage_tier",
                "coverage_start",
            )
        )

    def row(self, values):
        (
            number,
            name,
            member_id,
            rel,
            sub_id,
            last,
            first,
            dob,
            gender,
            status,
            plan,
            tier,
            start,
        ) = values
        return (
            number,
            name,
            member_id,
            RELATIONSHIPS.get(rel, rel),
            sub_id or member_id,
            last,
            first,
            dob,
            GENDERS.get(gender, gender),
            MEMBER_STATUSES.get(status, status),
            plan or "",
            TIERS.get(tier, tier or ""),
            start,
        )


@register
class ChangesReport(EmployerReport):
    """Enrollment changes recorded in a period, oldest first."""

    report_kind = Kind.CHANGES
    kind = job_kind(Kind.CHANGES)
    title = "Enrollment changes"
    headers = (
        "Recorded on",
        "Effective",
        "Group",
        "Member ID",
        "Last name",
        "First name",
        "Relationship",
        "Change",
        "Made by",
        "On behalf of",
    )
    widths = (12, 12, 12, 14, 20, 16, 16, 22, 24, 24)

    def values(self, user, groups):
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(_date(self.parameters["start"]), datetime.time(), tz)
        end = datetime.datetime.combine(
            _date(self.parameters["end"]) + datetime.timedelta(days=1), datetime.time(), tz
        )
        return (
            EnrollmentEvent.objects.filter(group__in=groups, at__gte=start, at__lt=end)
            .order_by("at", "pk")
            .values_list(
                "member_id",
                "at",
                "effective_date",
                "group__number",
                "member__member_id",
                "member__last_name",
                "member__first_name",
                "member__relationship",
                "kind",
                "by__first_name",
                "by__last_name",
                "on_behalf_of",
            )
        )

    def row(self, values):
        at, effective, group, member_id, last, first, rel, kind, by_first, by_last, behalf = values
        return (
            timezone.localtime(at).date(),
            effective,
            group,
            member_id,
            last,
            first,
            RELATIONSHIPS.get(rel, rel),
            EVENT_KINDS.get(kind, kind),
            f"{by_first} {by_last}".strip() if by_first or by_last else "",
            behalf,
        )


@register
class BillingSummaryReport(EmployerReport):
    """Each bill whose period begins in the report's period: billed, paid, due, status."""

    report_kind = Kind.BILLING_SUMMARY
    kind = job_kind(Kind.BILLING_SUMMARY)
    title = "Billing summary"
    audit_type = "billing.Invoice"
    headers = (
        "Group",
        "Suffix name",
        "Invoice",
        "Period start",
        "Period end",
        "Due date",
        "Balance forward",
        "Current amount",
        "Adjustments",
        "Payments",
        "Balance due",
        "Paid",
        "Status",
    )
    widths = (12, 28, 18, 12, 12, 12, 14, 14, 14, 14, 14, 14, 14)
    statuses = dict(employer_selectors.INVOICE_STATUSES)

    def values(self, user, groups):
        return (
            employer_selectors.invoices_for(user, today=self.run_on, sort="period")
            .filter(
                group__in=groups,
                period_start__gte=self.parameters["start"],
                period_start__lte=self.parameters["end"],
            )
            .order_by("group__number", "period_start", "pk")
            .values_list(
                "pk",
                "group__number",
                "group__name",
                "number",
                "period_start",
                "period_end",
                "due_date",
                "balance_forward",
                "current_amount",
                "adjustments",
                "payments",
                "balance_due",
                "paid",
                "status",
            )
        )

    def row(self, values):
        *cells, status = values
        return (*cells, self.statuses.get(status, status))


@register
class PaymentHistoryReport(EmployerReport):
    """Every payment received in the period, oldest first."""

    report_kind = Kind.PAYMENT_HISTORY
    kind = job_kind(Kind.PAYMENT_HISTORY)
    title = "Payment history report"
    audit_type = "billing.Payment"
    headers = (
        "Date",
        "Group",
        "Suffix name",
        "Invoice",
        "Amount",
        "Account",
        "Method",
        "Status",
        "Confirmation",
        "Reference",
    )
    widths = (12, 12, 28, 18, 14, 28, 20, 30, 24, 20)

    methods = dict(Payment.Method.choices)
    payment_statuses = dict(Payment.Status.choices)

    def values(self, user, groups):
        return (
            employer_selectors.payments_for(
                user,
                sort="date",
                start=_date(self.parameters["start"]),
                end=_date(self.parameters["end"]),
            )
            .filter(group__in=groups)
            .values_list(
                "pk",
                "received_on",
                "group__number",
                "group__name",
                "invoice__number",
                "amount",
                "account__nickname",
                "account__account_last4",
                "method",
                "status",
                "return_reason",
                "gateway_reference",
                "reference",
            )
        )

    def row(self, values):
        day, group, name, invoice, amount, nickname, last4, method, status, reason, gateway, ref = (
            values
        )
        status_text = self.payment_statuses.get(status, status)
        if reason and status == Payment.Status.RETURNED:
            status_text = f"{status_text}: {reason}"
        return (
            day,
            group,
            name,
            invoice or "",
            amount,
            f"{nickname} (…{last4})" if nickname else "",
            self.methods.get(method, method),
            status_text,
            gateway,
            ref,
        )


@register
class CobraReport(EmployerReport):
    """Members on COBRA continuation on the day the report runs."""

    report_kind = Kind.COBRA
    kind = job_kind(Kind.COBRA)
    title = "COBRA members"
    headers = (
        "Group",
        "Member ID",
        "Last name",
        "First name",
        "Relationship",
        "Qualifying event",
        "Event date",
        "COBRA start",
        "COBRA end",
        "Plan",
        "Coverage tier",
    )
    widths = (12, 14, 20, 16, 16, 24, 12, 12, 12, 36, 18)

    def subtitle(self):
        return f"On COBRA on {self.run_on:%m/%d/%Y}"

    def values(self, user, groups):
        today = self.run_on
        coverages = Coverage.objects.filter(
            group__in=groups, is_cobra=True, start_date__lte=today
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        if self.parameters.get("plans"):
            coverages = coverages.filter(plan_id__in=self.parameters["plans"])
        return coverages.order_by(
            "group__number", "member__last_name", "member__first_name", "pk"
        ).values_list(
            "member_id",
            "group__number",
            "member__member_id",
            "member__last_name",
            "member__first_name",
            "member__relationship",
            "cobra_event",
            "cobra_event_date",
            "start_date",
            "end_date",
            "plan__name",
            "tier",
        )

    def row(self, values):
        group, member_id, last, first, rel, event, event_date, start, end, plan, tier = values
        return (
            group,
            member_id,
            last,
            first,
            RELATIONSHIPS.get(rel, rel),
            event,
            event_date,
            start,
            end,
            plan,
            TIERS.get(tier, tier),
        )


class TurningAgeReport(EmployerReport):
    """Members (not cancelled) whose `age`th birthday falls in the coming `within_days` days."""

    age = 0
    headers = (
        "Group",
        "Member ID",
        "Last name",
        "First name",
        "Relationship",
        "Subscriber ID",
        "Date of birth",
        "Birthday",
        "Status",
        "Plan",
    )
    widths = (12, 14, 20, 16, 16, 14, 12, 12, 10, 36)

    def window(self):
        start = self.run_on
        return start, start + datetime.timedelta(days=self.parameters.get("within_days", 90))

    def subtitle(self):
        start, end = self.window()
        return f"Turning {self.age} from {start:%m/%d/%Y} to {end:%m/%d/%Y}"

    def members(self, groups):
        return Member.objects.filter(group__in=groups).exclude(status=Member.Status.CANCELLED)

    def values(self, user, groups):
        start, end = self.window()
        # A birthday in the window is a date of birth in the window moved back `age` years
        # (February 29 births are rechecked row by row in rows()).
        members = self.members(groups).filter(
            dob__gte=catalogue.add_years(start, -self.age) - datetime.timedelta(days=1),
            dob__lte=catalogue.add_years(end, -self.age),
        )
        return members.order_by("dob", "group__number", "last_name", "pk").values_list(
            "pk",
            "group__number",
            "member_id",
            "last_name",
            "first_name",
            "relationship",
            "subscriber__member_id",
            "dob",
            "status",
            "plan__name",
        )

    def rows(self, user):
        start, end = self.window()
        for audited_id, row in super().rows(user):
            if start <= row[7] <= end:
                yield audited_id, row

    def row(self, values):
        group, member_id, last, first, rel, sub_id, dob, status, plan = values
        return (
            group,
            member_id,
            last,
            first,
            RELATIONSHIPS.get(rel, rel),
            sub_id or member_id,
            dob,
            catalogue.add_years(dob, self.age),
            MEMBER_STATUSES.get(status, status),
            plan or "",
        )


@register
class TurningTwentySixReport(TurningAgeReport):
    """Dependent children, whose dependent coverage ends at 26."""

    report_kind = Kind.TURNING_26
    kind = job_kind(Kind.TURNING_26)
    title = "Dependents turning 26"
    age = 26

    def members(self, groups):
        return (
            super()
            .members(groups)
            .filter(relationship__in=[Member.Relationship.CHILD, Member.Relationship.OTHER])
        )


@register
class TurningSixtyFiveReport(TurningAgeReport):
    report_kind = Kind.TURNING_65
    kind = job_kind(Kind.TURNING_65)
    title = "Members turning 65"
    age = 65


@register
class CustomReport(EmployerReport):
    """Members with the columns (catalogue.CUSTOM_COLUMNS), filters and order chosen."""

    report_kind = Kind.CUSTOM
    kind = job_kind(Kind.CUSTOM)
    title = "Custom report"

    @property
    def columns(self):
        return [CUSTOM_COLUMNS[key] for key in self.parameters["columns"]]

    @property
    def headers(self):
        return [column.label for column in self.columns]

    @property
    def widths(self):
        return [column.width for column in self.columns]

    def values(self, user, groups):
        members = _member_filters(Member.objects.filter(group__in=groups), self.parameters)
        fields = [column.field for column in self.columns]
        date_field = self.parameters.get("date_field")
        needed = {f for f in [*fields, date_field] if f in catalogue.COVERAGE_ANNOTATIONS}
        sort = self.parameters.get("sort") or ""
        sort_field = CUSTOM_COLUMNS[sort.removeprefix("-")].field if sort else ""
        if sort_field in catalogue.COVERAGE_ANNOTATIONS:
            needed.add(sort_field)
        members = members.annotate(
            **{name: catalogue.COVERAGE_ANNOTATIONS[name] for name in needed}
        )
        if date_field:
            members = members.filter(
                **{
                    f"{date_field}__gte": self.parameters["start"],
                    f"{date_field}__lte": self.parameters["end"],
                }
            )
        if sort_field:
            descending = sort.startswith("-")
            order = [f"-{sort_field}" if descending else sort_field, "-pk" if descending else "pk"]
            members = members.order_by(*order)
        else:
            members = _family_order(members)
        return members.values_list("pk", *fields)

    def row(self, values):
        return tuple(
            column.choices.get(value, value) if column.choices and value is not None else value
            for column, value in zip(self.columns, values, strict=True)
        )

    def subtitle(self):
        if self.parameters.get("date_field"):
            label = dict(catalogue.DATE_FIELDS)[self.parameters["date_field"]]
            return f"{label} {super().subtitle()}"
        return ""


REPORT_CLASSES = {
    report.report_kind: report
    for report in (
        RosterReport,
        ChangesReport,
        BillingSummaryReport,
        PaymentHistoryReport,
        CobraReport,
        TurningTwentySixReport,
        TurningSixtyFiveReport,
        CustomReport,
    )
}
