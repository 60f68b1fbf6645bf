from allauth.account.models import EmailAddress
from django import forms

from brokers.access import Tool
from portal.accounts.models import User, UserStatus

# The tools in the words of the broker portal's navigation (the permissions' names).
TOOL_CHOICES = [
    (Tool.BOOK_OF_BUSINESS, "Book of Business"),
    (Tool.COMMISSION_STATEMENTS, "Commission Statements"),
    (Tool.ELIGIBILITY, "Eligibility & Application Status"),
    (Tool.MANAGE_ACCOUNTS, "Manage Accounts"),
]


class StaffToolsForm(forms.Form):
    """Names and tools of a staff user; only the tools the acting user holds are offered."""

    first_name = forms.CharField(
        label="First name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    tools = forms.MultipleChoiceField(
        label="Tools this user may use",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkboxes"}),
    )

    def __init__(self, *args, grantable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tools"].choices = [
            (tool, label) for tool, label in TOOL_CHOICES if tool in grantable
        ]


class StaffCreateForm(StaffToolsForm):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="The user signs in with it; the registration email goes there.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    field_order = ["email", "first_name", "last_name", "tools"]

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        taken = (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        )
        if taken:
            raise forms.ValidationError("A portal user with this email address already exists.")
        return email


class StaffFilterForm(forms.Form):
    email = forms.CharField(label="Email", max_length=254, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *UserStatus.choices]
    )


class UplineAccessForm(forms.Form):
    rosters_allowed = forms.BooleanField(
        label="Also let them see subscriber lists (rosters)",
        required=False,
        help_text="Without this they see group details only.",
    )
