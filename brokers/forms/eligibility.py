"""Eligibility lookup and the IFP application filter."""

import re

from django import forms

from enrollment.models import IFPApplication

DATE_FORMATS = ["%m/%d/%Y", "%Y-%m-%d"]
# Besides letters, what a last name as people type it may hold: O'Neil, Smith-Jones, St. John.
NAME_MARKS = " '.-"


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class EligibilityForm(_Form):
    """Member ID, or last name (or its beginning) and date of birth, as the seed's one box.

    Anything with a digit in it is a member ID; anything else is a last name, which needs
    the date of birth.
    """

    member = forms.CharField(
        label="Member ID or last name",
        max_length=60,
        help_text="For example 123456789 or Smith. The start of a last name is enough.",
        error_messages={"required": "Enter a member ID or a last name."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    dob = forms.DateField(
        label="Date of birth",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="mm/dd/yyyy. Needed with a last name.",
        error_messages={"invalid": "Enter the date of birth as mm/dd/yyyy, e.g. 05/17/1980."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        value = (cleaned.get("member") or "").strip()
        if not value:
            return cleaned
        if any(ch.isdigit() for ch in value):
            if not re.fullmatch(r"[A-Za-z0-9-]{3,12}", value):
                self.add_error("member", "A member ID is 3 to 12 letters and digits.")
            cleaned["member_id"], cleaned["last_name"] = value.upper(), ""
            return cleaned
        if not value[0].isalpha() or not all(ch.isalpha() or ch in NAME_MARKS for ch in value):
            self.add_error("member", "Enter a member ID, or a last name in letters.")
        elif not cleaned.get("dob") and "dob" not in self.errors:
            self.add_error("dob", "Enter the date of birth to search by last name.")
        cleaned["member_id"], cleaned["last_name"] = "", value
        return cleaned


class ApplicationFilterForm(_Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *IFPApplication.Status.choices],
    )
    received_from = forms.DateField(
        label="Received from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        label="Received to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "The end date is before the start date.")
        return cleaned
