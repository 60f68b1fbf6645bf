"""The provider registration wizard's forms, one a step: Terms of Use, region(s), account
type, user type and the registrant's details. Finishing the account from the emailed link uses
the form every audience shares (password, terms, authenticator)."""

import re

from django import forms

from brokers.forms.account import PhoneForm
from brokers.forms.registration import RegistrationCompleteForm, tax_id_normalize
from providers import registration
from providers.models import ProviderOrganization, RegistrationRequest

__all__ = [
    "ACCOUNT_TYPES",
    "AccountTypeForm",
    "DetailsForm",
    "RegionsForm",
    "RegistrationCompleteForm",
    "TermsForm",
    "UserTypeForm",
]

Org = ProviderOrganization.OrgType
# The account types as the seed's registration page names them.
ACCOUNT_TYPES = [
    (Org.PHYSICIAN, "Physician"),
    (Org.MEDICAL_GROUP, "Medical Group"),
    (Org.HOSPITAL, "Hospital"),
    (Org.ANCILLARY, "Ancillary Facility"),
]
USER_TYPES = [
    (
        RegistrationRequest.UserType.SOLO_PRACTITIONER,
        "Solo Practitioner: I am the physician, registering for my own practice",
    ),
    (
        RegistrationRequest.UserType.DELEGATED_ADMIN,
        "Delegated Administrator: I manage the portal's users for a physician's practice",
    ),
]
LICENSE_NUMBER = re.compile(r"[A-Z0-9-]{3,20}")


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class TermsForm(_Form):
    agree = forms.BooleanField(
        label="I Agree to these terms",
        error_messages={"required": "Select I Agree to these terms to register."},
    )


class RegionsForm(_Form):
    regions = forms.MultipleChoiceField(
        label="Regions where you see members",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one region.",
            "invalid_choice": "Choose regions from the list.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = registration.regions()


class AccountTypeForm(_Form):
    account_type = forms.ChoiceField(
        label="Account type",
        choices=ACCOUNT_TYPES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose your account type.",
            "invalid_choice": "Choose your account type from the list.",
        },
    )


class UserTypeForm(_Form):
    user_type = forms.ChoiceField(
        label="User type",
        choices=USER_TYPES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose your user type.",
            "invalid_choice": "Choose your user type from the list.",
        },
    )


class DetailsForm(PhoneForm, _Form):
    """Who is registering and for which office. A physician also gives their NPI and license;
    an organisation may give its group NPI."""

    first_name = forms.CharField(
        label="First name",
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="Your user name: we send the registration email here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organization_name = forms.CharField(
        label="Organization name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    tax_id_number = forms.CharField(
        label="Tax ID",
        max_length=11,
        help_text="The Tax ID you bill under: nine digits; the dash is optional.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    npi = forms.CharField(
        label="NPI",
        max_length=12,
        help_text="Your ten-digit National Provider Identifier.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    license_state = forms.CharField(
        label="License state",
        max_length=2,
        help_text="Two letters, for example CA.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    license_number = forms.CharField(
        label="License number",
        max_length=20,
        help_text="As on your state medical license, for example A123456.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    field_order = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "organization_name",
        "tax_id_number",
        "npi",
        "license_state",
        "license_number",
    ]

    def __init__(self, *args, account_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_physician = account_type == Org.PHYSICIAN
        self.fields["phone"].label = "Phone number"
        if self.is_physician:
            self.fields["organization_name"].label = "Practice name"
        else:
            del self.fields["license_state"], self.fields["license_number"]
            self.fields["npi"].required = False
            self.fields["npi"].label = "Group NPI (optional)"
            self.fields["npi"].help_text = "The organization's ten-digit NPI, if it has one."

    def clean_first_name(self):
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_organization_name(self):
        return self.cleaned_data["organization_name"].strip()

    def clean_tax_id_number(self):
        tax_id = tax_id_normalize(self.cleaned_data["tax_id_number"])
        if not re.fullmatch(r"\d{9}", tax_id):
            raise forms.ValidationError("Enter the nine digits of your Tax ID.")
        return tax_id

    def clean_npi(self):
        npi = re.sub(r"[\s-]", "", self.cleaned_data["npi"])
        if npi and not re.fullmatch(r"\d{10}", npi):
            raise forms.ValidationError("Enter the ten digits of the NPI.")
        return npi

    def clean_license_state(self):
        state = self.cleaned_data["license_state"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", state):
            raise forms.ValidationError("Enter the two letters of the state, for example CA.")
        return state

    def clean_license_number(self):
        number = re.sub(r"\s", "", self.cleaned_data["license_number"]).upper()
        if not LICENSE_NUMBER.fullmatch(number):
            raise forms.ValidationError(
                "Enter the license number as on your license: letters, digits and dashes."
            )
        return number

    def details(self) -> dict:
        """The cleaned values, named as RegistrationRequest's fields."""
        return {
            "first_name": self.cleaned_data["first_name"],
            "last_name": self.cleaned_data["last_name"],
            "email": self.cleaned_data["email"],
            "phone": self.cleaned_data["phone"],
            "organization_name": self.cleaned_data["organization_name"],
            "tax_id_number": self.cleaned_data["tax_id_number"],
            "npi": self.cleaned_data.get("npi", ""),
            "license_state": self.cleaned_data.get("license_state", ""),
            "license_number": self.cleaned_data.get("license_number", ""),
        }
