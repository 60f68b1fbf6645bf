"""Manage Broker Access: the Access Privileges form, a box for every function on every group
the broker writes for the employer (the seed's Billing Functions and Enrollment Functions
tables), and the terms the administrator accepts to submit it."""

from django import forms

from employers import services
from employers.forms.accounts import group_label

FUNCTION_CHOICES = list(services.BROKER_FUNCTION_LABELS.items())


def field_name(group) -> str:
    return f"group_{group.pk}"


class BrokerAccessForm(forms.Form):
    """One field per group of the broker's book at this employer, its value the functions
    granted there. Only those groups are fields: a crafted group or function is ignored or an
    error, never granted."""

    terms = forms.BooleanField(label="I accept the terms and conditions", required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = list(groups)
        for group in self.groups:
            self.fields[field_name(group)] = forms.MultipleChoiceField(
                label=group_label(group),
                required=False,
                choices=FUNCTION_CHOICES,
                widget=forms.CheckboxSelectMultiple,
            )

    @staticmethod
    def initial_for(broker_access) -> dict:
        """The form's values from what the broker holds now (a BrokerOfRecordAccess)."""
        return {field_name(row.group): list(row.functions) for row in broker_access.groups}

    def clean(self):
        cleaned = super().clean()
        groups_by_pk = {group.pk: group for group in self.groups}
        for group in self.groups:
            name = field_name(group)
            if name not in cleaned:
                continue
            # The service's own rule (Pay bill needs View invoice), shown beside the group.
            for problem in services.broker_access_problems(
                {group: set(cleaned[name])}, groups_by_pk
            ):
                self.add_error(name, problem)
        return cleaned

    def functions_by_group(self) -> dict:
        """{group: functions} as chosen; call after is_valid()."""
        return {group: sorted(self.cleaned_data[field_name(group)]) for group in self.groups}

    def require_terms(self) -> bool:
        """Submitting needs the terms accepted; says so on the box when they are not."""
        if not self.cleaned_data.get("terms"):
            self.add_error("terms", services.TERMS_REQUIRED)
            return False
        return True

    def rows(self):
        """The groups with their boxes as the page's two tables draw them: each box's name,
        value, id, accessible label and whether it is ticked."""
        rows = []
        for group in self.groups:
            bound = self[field_name(group)]
            ticked = set(bound.value() or [])

            def boxes(functions, group=group, ticked=ticked):
                return [
                    {
                        "name": field_name(group),
                        "value": value,
                        "id": f"id_{field_name(group)}_{value}",
                        "label": f"{label}, group {group.number}",
                        "checked": value in ticked,
                    }
                    for value, label in functions.items()
                ]

            rows.append(
                {
                    "group": group,
                    "label": group_label(group),
                    "errors": bound.errors,
                    "error_id": f"{field_name(group)}-errors",
                    "billing": boxes(services.BROKER_BILLING_FUNCTIONS),
                    "enrollment": boxes(services.BROKER_ENROLLMENT_FUNCTIONS),
                    "ticked": sorted(ticked),
                }
            )
        return rows


class HistoryFilterForm(forms.Form):
    """The history's broker filter; an unknown broker is ignored (the whole history shows)."""

    broker = forms.ChoiceField(label="Broker", required=False)

    def __init__(self, *args, brokers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["broker"].choices = [("", "All brokers")] + [
            (str(broker.pk), f"{broker.first_name} {broker.last_name} (NPN {broker.npn})")
            for broker in brokers
        ]
