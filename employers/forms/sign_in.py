import re

from django import forms

from enrollment.models import Employer


class ForgotUsernameForm(forms.Form):
    """A group number and the policyholder ID, as on the employer's invoices and contract."""

    group_number = forms.CharField(
        label="Group number",
        help_text="Your group number or parent group ID, as on your invoice.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    policyholder_id = forms.CharField(
        label="Policyholder ID",
        max_length=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_group_number(self):
        return self.cleaned_data["group_number"].strip().upper()

    def clean_policyholder_id(self):
        value = self.cleaned_data["policyholder_id"].strip()
        if not re.fullmatch(r"\d{1,9}", value):
            raise forms.ValidationError("Enter your policyholder ID: up to nine digits.")
        return Employer.pad_policyholder_id(value)

    def rate_limit_key(self):
        return f"employer-policyholder:{self.cleaned_data['policyholder_id']}"
