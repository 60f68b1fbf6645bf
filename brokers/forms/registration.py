"""The forms a broker (or an office staff user) fills in to register."""

import re

from allauth.mfa.totp.internal.auth import validate_totp_code
from django import forms
from django.contrib.auth import password_validation
from django.core import signing

from portal.validators import digits_between

# The signed reference to a matched contracting record that the Send Email button carries: the
# browser can hold it but not swap it for another record's. It lapses after a while, so an old
# page left open can't keep sending mail.
RECORD_REFERENCE_SALT = "brokers.registration.contracting-record"
RECORD_REFERENCE_MAX_AGE = 60 * 60


def tax_id_normalize(value) -> str:
    """Nine digits from a Tax ID typed with or without its dash (12-3456789 or 123-45-6789)."""
    return re.sub(r"[\s-]", "", str(value or ""))


class RegistrationLookupForm(forms.Form):
    npn = forms.CharField(
        label="National Producer Number (NPN)",
        max_length=10,
        validators=[digits_between(1, 10)],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    tax_id = forms.CharField(
        label="Tax ID",
        max_length=11,
        help_text="Your FEIN or SSN, nine digits; the dash is optional.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_npn(self):
        return self.cleaned_data["npn"].strip()

    def clean_tax_id(self):
        tax_id = tax_id_normalize(self.cleaned_data["tax_id"])
        if not re.fullmatch(r"\d{9}", tax_id):
            raise forms.ValidationError("Enter the nine digits of your Tax ID.")
        return tax_id


def record_reference(record) -> str:
    return signing.dumps(record.pk, salt=RECORD_REFERENCE_SALT)


class RegistrationSendForm(forms.Form):
    """Send Email / Resend: which record, as signed on the page that showed the match."""

    record = forms.CharField(widget=forms.HiddenInput)

    def clean_record(self):
        try:
            return signing.loads(
                self.cleaned_data["record"],
                salt=RECORD_REFERENCE_SALT,
                max_age=RECORD_REFERENCE_MAX_AGE,
            )
        except signing.BadSignature as error:
            raise forms.ValidationError("This page has expired.") from error


class RegistrationCompleteForm(forms.Form):
    """Password, terms and the first authenticator code, checked together."""

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
    accept_terms = forms.BooleanField(
        label="I accept the Terms and Conditions",
        error_messages={"required": "Accept the Terms and Conditions to register."},
    )
    code = forms.CharField(
        label="Authenticator code",
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, user, totp_secret, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.user = user
        self.totp_secret = totp_secret
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
        return second

    def clean_code(self):
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not validate_totp_code(self.totp_secret, code):
            raise forms.ValidationError(
                "That code is not right. Enter the code your authenticator app shows now."
            )
        return code
