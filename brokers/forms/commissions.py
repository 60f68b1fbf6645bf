"""Commission Statements' search: report type, category and a start and end month."""

import datetime

from django import forms

from commissions.models import CommissionStatement

REPORT_TYPES = [
    ("", "All"),
    ("group", "Group"),
    ("ifp", "IFP"),
    ("payments", "Checks & EFTs"),
]


def month_value(month: datetime.date) -> str:
    return month.strftime("%Y-%m")


class StatementSearchForm(forms.Form):
    """Months are offered only within the window the carrier keeps, so any other is refused."""

    report_type = forms.ChoiceField(label="Report type", choices=REPORT_TYPES, required=False)
    category = forms.ChoiceField(label="Category", required=False)
    start = forms.ChoiceField(label="Start month")
    end = forms.ChoiceField(label="End month")

    def __init__(self, *args, months, categories, **kwargs):
        super().__init__(*args, **kwargs)
        month_choices = [(month_value(m), m.strftime("%b %Y")) for m in months]
        self.fields["start"].choices = self.fields["end"].choices = month_choices
        self.fields["category"].choices = [("", "All")] + [
            (
                f"{category}-{state}",
                CommissionStatement(category=category, state=state).category_label,
            )
            for category, state in categories
        ]

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name):
                data[name] = datetime.date.fromisoformat(f"{data[name]}-01")
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("Choose a start month on or before the end month.")
        category = data.get("category")
        data["category"], data["state"] = category.split("-", 1) if category else (None, None)
        return data
