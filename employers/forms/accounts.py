"""Manage Accounts: the administrator's own account information, and the users they add and
change, with the groups and functions each may use."""

from django import forms

from employers.access import Access
from employers.models import EmployerAdmin
from portal.accounts.models import UserStatus

# The functions in the words of the seed's Manage Accounts (keys of employers.access.FUNCTIONS).
FUNCTION_CHOICES = [
    ("enrollment_view", "Enrollment: view group details and subscribers"),
    ("enrollment_perform", "Enrollment: enroll, change, cancel and reinstate"),
    ("billing_view", "Billing: view invoices, payment history and balance"),
    ("billing_pay", "Billing: pay the bill"),
    ("reports", "Reports: run enrollment and billing reports"),
]
NOTIFICATIONS = "enrollment_notifications"


def group_label(group) -> str:
    """A suffix as people know it: number, name and where it is."""
    place = ", ".join(part for part in (group.billing_city, group.billing_state) if part)
    return f"{group.number} {group.name}" + (f" ({place})" if place else "")


class AccountForm(forms.Form):
    """Update Account Information: the administrator's own name, job title and phone."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    job_title = forms.CharField(label="Job title", max_length=100, required=False)
    phone = forms.CharField(
        label="Phone",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class AccessForm(forms.Form):
    """The groups (suffixes) a group administrator or delegate may use, the functions they
    may use there and their notification preference. Only what the acting user may give is
    offered, so a crafted choice beyond it is a form error."""

    first_name = forms.CharField(
        label="First name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    groups = forms.MultipleChoiceField(
        label="Groups this user may use",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkboxes"}),
    )
    functions = forms.MultipleChoiceField(
        label="Functions on those groups",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkboxes"}),
    )
    notifications = forms.BooleanField(
        label="Enrollment notifications for those groups",
        required=False,
        help_text="Sent by email when members of those groups are enrolled, changed or cancelled.",
    )

    def __init__(self, *args, groups, bound: Access, with_access=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_access:
            # Client administrators hold every function on every group: only their name changes.
            for name in ("groups", "functions", "notifications"):
                del self.fields[name]
            return
        self.fields["groups"].choices = [
            (str(group.pk), group_label(group)) for group in groups if group.pk in bound.group_ids
        ]
        self.fields["functions"].choices = [
            (key, label) for key, label in FUNCTION_CHOICES if key in bound.functions
        ]
        if NOTIFICATIONS not in bound.functions:
            del self.fields["notifications"]

    def needs_access(self) -> bool:
        return "groups" in self.fields

    def clean(self):
        cleaned = super().clean()
        if self.needs_access() and not self.errors:
            if not cleaned.get("groups"):
                self.add_error("groups", "Choose at least one group.")
            if not cleaned.get("functions"):
                self.add_error("functions", "Choose at least one function.")
        return cleaned

    def access(self) -> Access:
        functions = set(self.cleaned_data.get("functions", ()))
        if self.cleaned_data.get("notifications"):
            functions.add(NOTIFICATIONS)
        return Access(
            frozenset(int(pk) for pk in self.cleaned_data.get("groups", ())), frozenset(functions)
        )

    @staticmethod
    def initial_for(user, access: Access) -> dict:
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "groups": [str(pk) for pk in sorted(access.group_ids)],
            "functions": sorted(access.functions - {NOTIFICATIONS}),
            "notifications": NOTIFICATIONS in access.functions,
        }


class UserCreateForm(AccessForm):
    """Add New User: who they are, what kind of user, and (unless a client administrator)
    their groups, functions and notifications."""

    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="The user signs in with it; the registration email goes there.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    level = forms.ChoiceField(label="Kind of user", widget=forms.RadioSelect)
    field_order = ["email", "first_name", "last_name", "level", "groups", "functions"]

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            (level, EmployerAdmin.Level(level).label) for level in levels
        ]
        if len(levels) == 1:
            self.fields["level"].initial = levels[0]

    def needs_access(self) -> bool:
        # A secondary client administrator holds everything: no groups or functions to choose.
        return self.cleaned_data.get("level") != EmployerAdmin.Level.SECONDARY

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class UserFilterForm(forms.Form):
    email = forms.CharField(label="Email", max_length=254, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *UserStatus.choices]
    )
