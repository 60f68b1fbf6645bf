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

    def layout(self):
        """The fields as the template draws them: plain values, not widgets.

        Django's widget templates took a third of the page's rendering time; these inputs are
        simple enough to write out. Returns the search fields, the two date ranges and the
        page size.
        """
        fields = {name: self._plain(name) for name in self.fields}
        return {
            "search": [
                fields[name]
                for name in (
                    "name",
                    "parent_id",
                    "suffix_id",
                    "status",
                    "alert",
                    "plan_name",
                    "plan_type",
                )
            ],
            "ranges": [
                ("Original Enrollment Date", fields["original_from"], fields["original_to"]),
                ("Renewal Date", fields["renewal_from"], fields["renewal_to"]),
            ],
            "per_page": fields["per_page"],
        }

    def _plain(self, name):
        field = self.fields[name]
        bound = self[name]
        value = self.data.get(name, "") if self.is_bound else ""
        if isinstance(field, forms.DateField) and getattr(self, "cleaned_data", {}).get(name):
            value = self.cleaned_data[name].isoformat()  # what a date input can show
        plain = {
            "name": name,
            "id": bound.auto_id,
            "label": field.label,
            "value": value,
            "error": " ".join(self.errors.get(name, [])),
            "type": "date" if isinstance(field, forms.DateField) else "text",
            "maxlength": getattr(field, "max_length", None),
        }
        if isinstance(field, forms.ChoiceField):
            current = value or (str(DEFAULT_PAGE_SIZE) if name == "per_page" else "")
            plain["options"] = [
                (str(key), label, str(key) == current) for key, label in field.choices
            ]
        return plain

    def filters(self):
        """The valid fields' values: a bad field is left out rather than failing the page."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name != "per_page"}

    def page_size(self):
        self.is_valid()
        return self.cleaned_data.get("per_page") or DEFAULT_PAGE_SIZE

    @property
    def searched(self):
        return any(self.filters().values())
