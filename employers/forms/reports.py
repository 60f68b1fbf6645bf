"""Manage Accounts & Reports → Reports: the form that sets up a standard or custom report, its
filters, format, schedule and notification. Each kind shows only the options it takes
(employers.reporting.catalogue.STANDARD)."""

from django import forms
from django.utils import timezone

from employers.forms.accounts import group_label
from employers.models import ReportDefinition
from employers.reporting import catalogue

DATE_INPUT_FORMATS = ["%m/%d/%Y", "%Y-%m-%d"]
WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
Schedule = ReportDefinition.Schedule


class ReportDefinitionForm(forms.Form):
    name = forms.CharField(label="Report name", max_length=100)
    employer = forms.TypedChoiceField(label="Employer", coerce=int)
    groups = forms.TypedMultipleChoiceField(
        label="Groups (suffixes)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none for every group you may report on when the report runs.",
    )
    statuses = forms.MultipleChoiceField(
        label="Member status",
        choices=catalogue.MEMBER_STATUSES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none for every status.",
    )
    plans = forms.TypedMultipleChoiceField(
        label="Plans",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none for every plan.",
    )
    columns = forms.MultipleChoiceField(
        label="Columns",
        choices=[(key, column.label) for key, column in catalogue.CUSTOM_COLUMNS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    date_field = forms.ChoiceField(
        label="Filter by date",
        choices=[("", "No date filter"), *catalogue.DATE_FIELDS],
        required=False,
    )
    period = forms.ChoiceField(label="Period", choices=catalogue.PERIODS)
    start = forms.DateField(
        label="First day", required=False, input_formats=DATE_INPUT_FORMATS, help_text="MM/DD/YYYY"
    )
    end = forms.DateField(
        label="Last day", required=False, input_formats=DATE_INPUT_FORMATS, help_text="MM/DD/YYYY"
    )
    within_days = forms.TypedChoiceField(
        label="Within the next", choices=catalogue.WITHIN_DAYS, coerce=int, initial=90
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("", "Group, then employee with dependents")]
        + [
            (key, column.label)
            for key, column in catalogue.CUSTOM_COLUMNS.items()
            if column.sortable
        ],
    )
    descending = forms.BooleanField(label="Largest or latest first", required=False)
    format = forms.ChoiceField(
        label="Format",
        choices=ReportDefinition.Format.choices,
        initial=ReportDefinition.Format.XLSX,
        widget=forms.RadioSelect,
    )
    schedule = forms.ChoiceField(
        label="When",
        choices=ReportDefinition.Schedule.choices,
        initial=Schedule.NONE,
        widget=forms.RadioSelect,
    )
    weekday = forms.TypedChoiceField(
        label="Weekly, on", choices=[("", "—"), *WEEKDAYS], coerce=int, required=False
    )
    month_day = forms.IntegerField(
        label="Monthly, on day",
        min_value=1,
        max_value=28,
        required=False,
        help_text="1 to 28, so that every month has it.",
    )
    notify = forms.BooleanField(label="Email me when each report is ready", required=False)

    def __init__(self, *args, kind, groups, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.groups_by_pk = {group.pk: group for group in groups}
        options = catalogue.STANDARD[kind].options
        for name, option in [
            ("statuses", "statuses"),
            ("plans", "plans"),
            ("columns", "columns"),
            ("sort", "sort"),
            ("descending", "sort"),
            ("date_field", "date_field"),
            ("within_days", "within_days"),
        ]:
            if option not in options:
                del self.fields[name]
        if "period" not in options and "date_field" not in options:
            for name in ("period", "start", "end"):
                del self.fields[name]
        elif "period" not in options:
            self.fields["period"].required = False
            self.fields["period"].choices = [("", "—"), *catalogue.PERIODS]
        self.fields["groups"].choices = [(group.pk, group_label(group)) for group in groups]
        employers = {group.parent.employer_id: group.parent.employer for group in groups}
        if len(employers) > 1:
            self.fields["employer"].choices = [("", "Choose the employer")] + [
                (pk, employer.name) for pk, employer in sorted(employers.items())
            ]
        else:
            # One employer: nothing to choose.
            del self.fields["employer"]
            self.only_employer = next(iter(employers), None)
        if "plans" in self.fields:
            self.fields["plans"].choices = [(plan.pk, str(plan)) for plan in plans]
        if "columns" in self.fields and not self.is_bound and not self.initial.get("columns"):
            self.initial["columns"] = catalogue.CUSTOM_DEFAULT_COLUMNS

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        employer = data.get("employer") if "employer" in self.fields else self.only_employer
        chosen = [self.groups_by_pk[pk] for pk in data.get("groups") or []]
        if employer and any(group.parent.employer_id != employer for group in chosen):
            self.add_error("groups", "Choose groups of the one employer the report is about.")
        data["employer_id"] = employer
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", "Enter the first day of the period.")
            if not end:
                self.add_error("end", "Enter the last day of the period.")
            if start and end and start > end:
                self.add_error("end", "The last day must be on or after the first.")
            if end and end > today:
                self.add_error("end", "The period cannot end in the future.")
            if start and start < catalogue.earliest_date(today):
                self.add_error(
                    "start",
                    f"Reports reach back two years at most: "
                    f"{catalogue.earliest_date(today):%m/%d/%Y} or later.",
                )
        if data.get("date_field") and not data.get("period"):
            self.add_error("period", "Choose the period the date filter covers.")
        columns = data.get("columns") or []
        if data.get("format") == "pdf" and len(columns) > catalogue.PDF_MAX_COLUMNS:
            self.add_error(
                "format",
                f"A printed report holds {catalogue.PDF_MAX_COLUMNS} columns at most; "
                "choose Excel (XLSX) or fewer columns.",
            )
        if data.get("schedule") == Schedule.WEEKLY and data.get("weekday") in (None, ""):
            self.add_error("weekday", "Choose the weekday a weekly report runs on.")
        if data.get("schedule") == Schedule.MONTHLY and not data.get("month_day"):
            self.add_error("month_day", "Enter the day of the month a monthly report runs on.")
        return data

    def definition_fields(self):
        """The definition's fields (see employers.reporting.services.EDITABLE), once valid."""
        data = self.cleaned_data
        filters = {"groups": data.get("groups") or []}
        for name in ("statuses", "plans", "within_days", "date_field"):
            if name in self.fields:
                filters[name] = data.get(name)
        if data.get("period"):
            filters["period"] = data["period"]
            if data["period"] == "custom":
                filters["start"] = data["start"].isoformat()
                filters["end"] = data["end"].isoformat()
        sort = data.get("sort") or ""
        if sort and data.get("descending"):
            sort = f"-{sort}"
        schedule = data["schedule"]
        return {
            "name": data["name"],
            "kind": self.kind,
            "format": data["format"],
            "columns": data.get("columns") or [],
            "filters": filters,
            "sort": sort,
            "schedule": schedule,
            "schedule_day": {
                Schedule.WEEKLY: data.get("weekday"),
                Schedule.MONTHLY: data.get("month_day"),
            }.get(schedule),
            "notify": data["notify"],
        }


def initial_of(definition):
    """The form's initial values for editing `definition`."""
    filters = definition.filters or {}
    return {
        "name": definition.name,
        "employer": definition.employer_id,
        "groups": filters.get("groups", []),
        "statuses": filters.get("statuses", []),
        "plans": filters.get("plans", []),
        "within_days": filters.get("within_days", 90),
        "date_field": filters.get("date_field", ""),
        "period": filters.get("period", ""),
        "start": filters.get("start"),
        "end": filters.get("end"),
        "columns": definition.columns,
        "sort": definition.sort.removeprefix("-"),
        "descending": definition.sort.startswith("-"),
        "format": definition.format,
        "schedule": definition.schedule,
        "weekday": definition.schedule_day if definition.schedule == Schedule.WEEKLY else "",
        "month_day": definition.schedule_day if definition.schedule == Schedule.MONTHLY else None,
        "notify": definition.notify,
    }
