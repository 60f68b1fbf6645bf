"""The forms a primary client administrator fills in to register, and that every invited
administrator fills in to finish their account."""

import re

from django import forms

from brokers.forms.registration import RegistrationCompleteForm
from employers.services import REGISTRATION_KEY_LENGTH, registration_key_normalize
from enrollment.models import Employer

# Password, terms and the first authenticator code: the same for every audience.
__all__ = ["RegistrationCompleteForm", "RegistrationStartForm"]


class RegistrationStartForm(forms.Form):
    """Group number, policyholder ID and the registration key from the carrier's email."""

    group_number = forms.CharField(
        label="Group number",
        help_text="Your group number or parent group ID, as on your invoice.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    policyholder_id = forms.CharField(
        label="Policyholder ID",
        max_length=9,
        help_text="Up to nine digits. A shorter ID is filled with zeros in front: 1234 is "
        "000001234.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    registration_key = forms.CharField(
        label="Registration key",
        max_length=20,
        help_text="From the registration email we sent you, for example ABCD-EFGH-JKLM.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_group_number(self):
        return self.cleaned_data["group_number"].strip().upper()

    def clean_policyholder_id(self):
        value = self.cleaned_data["policyholder_id"].strip()
        if not re.fullmatch(r"\d{1,9}", value):
            raise forms.ValidationError("Enter your policyholder ID: up to nine digits.")
        return Employer.pad_policyholder_id(value)

    def clean_registration_key(self):
        key = registration_key_normalize(self.cleaned_data["registration_key"])
        if len(key) != REGISTRATION_KEY_LENGTH:
            raise forms.ValidationError(
                f"Enter the {REGISTRATION_KEY_LENGTH} letters and digits of your registration "
                "key; the dashes are optional."
            )
        return key
