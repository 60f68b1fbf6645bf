from django import forms

from brokers.alerts import ALERT_CHOICES
from enrollment.models import Group, Plan

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
# Dates come from the browser's date picker (ISO) or are typed the way the seeds show them.
DATE_INPUTS = ["%Y-%m-%d", "%m/%d/%Y"]


def _date(label):
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date as MM/DD/YYYY."},
    )


class BookFilterForm(forms.Form):
    """The Book of Business filter. An invalid field is reported and left out of the search."""

    name = forms.CharField(label="Group Name", max_length=150, required=False)
    parent_id = forms.CharField(label="Parent Group ID", max_length=12, required=False)
    suffix_id = forms.CharField(label="Group Suffix ID", max_length=4, required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Group.Status.choices]
    )
    alert = forms.ChoiceField(
        label="Alert Type", required=False, choices=[("", "Any or none"), *ALERT_CHOICES]
    )
    plan_name = forms.CharField(label="Plan Name", max_length=120, required=False)
    plan_type = forms.ChoiceField(
        label="Plan Type", required=False, choices=[("", "Any type"), *Plan.PlanType.choices]
    )
    original_from = _date("Original enrollment date from")
    original_to = _date("Original enrollment date to")
    renewal_from = _date("Renewal date from")
    renewal_to = _date("Renewal date to")
    per_page = forms.TypedChoiceField(
        label="Show entries",
        required=False,
        coerce=int,
        empty_value=DEFAULT_PAGE_SIZE,
        choices=[(size, str(size)) for size in PAGE_SIZES],
        error_messages={"invalid_choice": "Choose 10, 25, 50 or 100 entries."},
    )

    def clean(self):
        data = super().clean()
        for start, end in (("original_from", "original_to"), ("renewal_from", "renewal_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                # An inverted range is left out whole: half of it would mislead.
                data.pop(start)
                self.add_error(end, "The end date is before the start date.")
        return data

    def search_fields(self):
        """The text and choice fields, laid out before the two date ranges."""
        names = ("name", "parent_id", "suffix_id", "status", "alert", "plan_name", "plan_type")
        return [self[name] for name in names]

    def filters(self):
        """The valid fields' values: a bad field is left out rather than failing the page."""
        self.is_valid()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"
        return {name: value for name, value in self.cleaned_data.items() if name != "per_page"}

    def page_size(self):
        self.is_valid()
        return self.cleaned_data.get("per_page") or DEFAULT_PAGE_SIZE

    @property
    def searched(self):
        return any(self.filters().values())
