"""Create New User, Manage Users and the first sign-in: the forms.

Only the administrator's own organisation's Tax IDs and providers are offered, so a crafted
choice beyond them is a form error; the services check again.
"""

import re

from allauth.mfa.totp.internal.auth import validate_totp_code
from django import forms
from django.contrib.auth import password_validation

from portal.accounts.models import UserStatus
from providers.access import FUNCTION_NAMES
from providers.user_admin import EXTRA_FUNCTIONS
from providers.user_selectors import STATUS_LABELS

KIND_CHOICES = [
    ("end_user", "End user: looks up patients, claims and authorizations"),
    ("admin", "Delegated administrator: manages the office's users, sees no patient data"),
]


def practitioner_label(practitioner) -> str:
    specialty = f", {practitioner.specialty}" if practitioner.specialty else ""
    return (
        f"{practitioner.last_name}, {practitioner.first_name} (NPI {practitioner.npi}{specialty})"
    )


class UserAccessForm(forms.Form):
    """Which Tax IDs an end user works under, optionally only for some of the individual
    providers billing under them, and which functions beyond eligibility verification."""

    tax_ids = forms.MultipleChoiceField(
        label="Tax IDs",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkboxes"}),
    )
    individual_providers = forms.BooleanField(
        label="Only for some individual providers under these Tax IDs",
        required=False,
        help_text="Claims and authorizations of other providers are then not shown to them.",
    )
    practitioners = forms.MultipleChoiceField(
        label="Individual providers",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkboxes"}),
    )
    functions = forms.MultipleChoiceField(
        label="Additional functions",
        required=False,
        help_text=f"{FUNCTION_NAMES['check_eligibility']} is standard for every end user.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkboxes"}),
        choices=[(name, FUNCTION_NAMES[name]) for name in EXTRA_FUNCTIONS],
    )

    def __init__(self, *args, tax_ids, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.tax_id_objects = {str(tax_id.pk): tax_id for tax_id in tax_ids}
        self.practitioner_objects = {}
        # Which of the offered Tax IDs each provider bills under, from the prefetched rows.
        self.practitioner_tax_ids = {}
        for tax_id in tax_ids:
            for practitioner in tax_id.practitioners.all():
                self.practitioner_objects[str(practitioner.pk)] = practitioner
                self.practitioner_tax_ids.setdefault(practitioner.pk, set()).add(tax_id.pk)
        self.fields["tax_ids"].choices = [
            (pk, f"{tax_id.number} {tax_id.name}") for pk, tax_id in self.tax_id_objects.items()
        ]
        self.fields["practitioners"].choices = [
            (pk, practitioner_label(practitioner))
            for pk, practitioner in sorted(
                self.practitioner_objects.items(),
                key=lambda item: (item[1].last_name, item[1].first_name),
            )
        ]

    def needs_access(self) -> bool:
        return True

    def clean(self):
        cleaned = super().clean()
        if not self.needs_access() or self.errors:
            return cleaned
        if not cleaned.get("tax_ids"):
            self.add_error("tax_ids", "Choose at least one Tax ID.")
        if cleaned.get("individual_providers"):
            chosen = [self.practitioner_objects[pk] for pk in cleaned.get("practitioners", ())]
            if not chosen:
                self.add_error("practitioners", "Choose at least one provider, or untick the box.")
            tax_id_pks = {int(pk) for pk in cleaned.get("tax_ids", ())}
            outside = [
                practitioner
                for practitioner in chosen
                if not tax_id_pks & self.practitioner_tax_ids[practitioner.pk]
            ]
            if outside:
                self.add_error(
                    "practitioners",
                    "Choose only providers who bill under the chosen Tax IDs: "
                    + "; ".join(practitioner_label(p) for p in outside)
                    + ".",
                )
        return cleaned

    def access(self) -> dict:
        """The chosen access as the services take it."""
        if not self.needs_access():
            return {"tax_ids": [], "practitioners": [], "functions": []}
        practitioners = []
        if self.cleaned_data.get("individual_providers"):
            practitioners = [
                self.practitioner_objects[pk] for pk in self.cleaned_data["practitioners"]
            ]
        return {
            "tax_ids": [self.tax_id_objects[pk] for pk in self.cleaned_data["tax_ids"]],
            "practitioners": practitioners,
            "functions": list(self.cleaned_data["functions"]),
        }

    @staticmethod
    def initial_for(access: dict) -> dict:
        return {
            "tax_ids": [str(pk) for pk in access["tax_ids"]],
            "individual_providers": bool(access["practitioners"]),
            "practitioners": [str(pk) for pk in access["practitioners"]],
            "functions": access["functions"],
        }


class UserCreateForm(UserAccessForm):
    """Create New User: who they are, what kind of user, and (end users) their access."""

    email = forms.EmailField(
        label="Email address (user name)",
        max_length=254,
        help_text="The user signs in with it. Their user name and their temporary password are "
        "sent to it in two separate emails.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(
        label="First name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    kind = forms.ChoiceField(
        label="Kind of user", choices=KIND_CHOICES, initial="end_user", widget=forms.RadioSelect
    )
    field_order = ["email", "first_name", "last_name", "kind"]

    def needs_access(self) -> bool:
        # A delegated administrator administers every Tax ID and is given no patient access.
        return self.cleaned_data.get("kind") != "admin"

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class UserFilterForm(forms.Form):
    q = forms.CharField(label="Name or email", max_length=150, required=False)
    tax_id = forms.ChoiceField(label="Tax ID", required=False)
    kind = forms.ChoiceField(
        label="Kind of user",
        required=False,
        choices=[
            ("", "Any kind"),
            ("end_user", "End users"),
            ("admin", "Delegated administrators"),
        ],
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *((s.value, STATUS_LABELS[s]) for s in UserStatus)],
    )

    def __init__(self, *args, tax_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.tax_id_objects = {str(tax_id.pk): tax_id for tax_id in tax_ids}
        self.fields["tax_id"].choices = [("", "Any Tax ID")] + [
            (pk, tax_id.number) for pk, tax_id in self.tax_id_objects.items()
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["tax_id"] = self.tax_id_objects.get(data["tax_id"])
        return data


class EmailChangeForm(forms.Form):
    """Update the profile email: typed twice (it is the user name) and the current password."""

    email = forms.EmailField(label="New email address", max_length=254)
    email_again = forms.EmailField(label="New email address again", max_length=254)
    password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("email"), cleaned.get("email_again")
        if first and second and first.strip().lower() != second.strip().lower():
            self.add_error("email_again", "The two email addresses are not the same.")
        return cleaned


class TermsForm(forms.Form):
    accept_terms = forms.BooleanField(
        label="I agree to these terms",
        error_messages={"required": "Agree to the terms to continue."},
    )


class NewPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="Confirm new password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.user = user
        self.fields[
            "new_password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean_new_password2(self):
        first = self.cleaned_data.get("new_password1")
        second = self.cleaned_data["new_password2"]
        if first and first != second:
            raise forms.ValidationError("The two passwords are not the same.")
        if first:
            password_validation.validate_password(second, self.user)
            if self.user.check_password(second):
                raise forms.ValidationError("Choose a password other than the temporary one.")
        return second


class AuthenticatorForm(forms.Form):
    code = forms.CharField(
        label="Authenticator code",
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, totp_secret, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.totp_secret = totp_secret

    def clean_code(self):
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not validate_totp_code(self.totp_secret, code):
            raise forms.ValidationError(
                "That code is not right. Enter the code your authenticator app shows now."
            )
        return code
