import re

from django import forms

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


class ForgotUsernameForm(forms.Form):
    """NPN and Tax ID, as on the broker's contract; the Tax ID with or without its dash."""

    npn = forms.CharField(
        label="National Producer Number (NPN)",
        max_length=10,
        widget=forms.TextInput(attrs=NUMERIC),
    )
    tax_id = forms.CharField(
        label="Tax ID",
        help_text="Nine digits, with or without the dash.",
        max_length=11,
        widget=forms.TextInput(attrs=NUMERIC),
    )

    def clean_npn(self):
        npn = self.cleaned_data["npn"].strip()
        if not re.fullmatch(r"\d{1,10}", npn):
            raise forms.ValidationError("Enter your NPN: up to 10 digits.")
        return npn

    def clean_tax_id(self):
        tax_id = re.sub(r"[\s-]", "", self.cleaned_data["tax_id"])
        if not re.fullmatch(r"\d{9}", tax_id):
            raise forms.ValidationError("Enter your Tax ID: nine digits, with or without the dash.")
        return tax_id

    def rate_limit_key(self):
        return f"broker-npn:{self.cleaned_data['npn']}"
