"""Patient Info and Transactions searches.

The seed's three ways to find a member (member ID, SSN, name) are one form with a choice of
which: each way checks only its own fields, so a stale value in another box is ignored rather
than refused. Authorization status adds a fourth way, the authorization number.
"""

import re

from django import forms

DATE_FORMATS = ["%m/%d/%Y", "%Y-%m-%d"]
# Besides letters, what a name as people type it may hold: O'Neil, Smith-Jones, St. John.
NAME_MARKS = " '.-"
MEMBER_ID = re.compile(r"[A-Za-z0-9-]{3,12}")


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _is_name(value):
    return value[:1].isalpha() and all(ch.isalpha() or ch in NAME_MARKS for ch in value)


class MemberSearchForm(_Form):
    BY_CHOICES = [
        ("member_id", "Member ID"),
        ("ssn", "Member SSN"),
        ("name", "Member name and date of birth"),
    ]

    by = forms.ChoiceField(
        label="Search by",
        widget=forms.RadioSelect,
        initial="member_id",
        error_messages={
            "required": "Choose how to search.",
            "invalid_choice": "Choose how to search.",
        },
    )
    member_id = forms.CharField(
        label="Member ID",
        required=False,
        max_length=12,
        help_text="As printed on the member's ID card, e.g. M000123456.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    ssn = forms.CharField(
        label="Member SSN",
        required=False,
        max_length=11,
        help_text="9 digits; dashes are fine.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    last_name = forms.CharField(
        label="Last name",
        required=False,
        max_length=60,
        help_text="The start of the last name is enough.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    first_name = forms.CharField(
        label="First name (optional)",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    dob = forms.DateField(
        label="Date of birth",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="mm/dd/yyyy",
        error_messages={"invalid": "Enter the date of birth as mm/dd/yyyy, e.g. 05/17/1980."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    # The boxes each way reads; the other ways' boxes are ignored, errors and all.
    WAY_FIELDS = {
        "member_id": {"member_id"},
        "ssn": {"ssn"},
        "name": {"last_name", "first_name", "dob"},
        "number": {"number"},
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by"].choices = self.BY_CHOICES

    def clean(self):
        cleaned = super().clean()
        by = cleaned.get("by")
        used = self.WAY_FIELDS.get(by, set())
        for name in [name for name in self._errors if name in self.fields and name != "by"]:
            if name not in used:
                del self._errors[name]
        if by == "member_id":
            value = (cleaned.get("member_id") or "").strip()
            if not value:
                self.add_error("member_id", "Enter the member ID.")
            elif not MEMBER_ID.fullmatch(value):
                self.add_error("member_id", "A member ID is 3 to 12 letters and digits.")
            cleaned["member_id"] = value.upper()
        elif by == "ssn":
            digits = "".join(ch for ch in cleaned.get("ssn") or "" if ch.isdigit())
            if not cleaned.get("ssn"):
                self.add_error("ssn", "Enter the member's SSN.")
            elif len(digits) != 9 or not re.fullmatch(r"[\d -]+", cleaned["ssn"]):
                self.add_error("ssn", "An SSN is 9 digits, e.g. 123-45-6789.")
            cleaned["ssn"] = digits
        elif by == "name":
            last = (cleaned.get("last_name") or "").strip()
            first = (cleaned.get("first_name") or "").strip()
            if not last:
                self.add_error("last_name", "Enter the member's last name.")
            elif not _is_name(last):
                self.add_error("last_name", "Enter the last name in letters.")
            if first and not _is_name(first):
                self.add_error("first_name", "Enter the first name in letters, or leave it out.")
            if not cleaned.get("dob") and "dob" not in self.errors:
                self.add_error("dob", "Enter the date of birth to search by name.")
            cleaned["last_name"], cleaned["first_name"] = last, first
        return cleaned

    def search(self):
        """The cleaned search as keyword arguments for the selectors: only the chosen way's."""
        data = self.cleaned_data
        by = data["by"]
        if by == "member_id":
            return {"member_id": data["member_id"]}
        if by == "ssn":
            return {"ssn": data["ssn"]}
        if by == "number":
            return {"number": data["number"]}
        return {
            "last_name": data["last_name"],
            "first_name": data["first_name"],
            "dob": data["dob"],
        }


class AuthorizationSearchForm(MemberSearchForm):
    BY_CHOICES = [*MemberSearchForm.BY_CHOICES, ("number", "Authorization number")]

    number = forms.CharField(
        label="Authorization number",
        required=False,
        max_length=20,
        help_text="For example AU0000001234.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("by") == "number":
            value = (cleaned.get("number") or "").strip().upper()
            if not value:
                self.add_error("number", "Enter the authorization number.")
            elif not re.fullmatch(r"[A-Z0-9-]{3,20}", value):
                self.add_error("number", "An authorization number is letters and digits.")
            cleaned["number"] = value
        return cleaned


class ClaimSearchForm(_Form):
    """Claim status: one of the user's Tax IDs, and a subscriber ID to narrow to one family."""

    # A plain choice over the user's Tax IDs, read once: a ModelChoiceField queries them again
    # to validate and again for each rendering of the select.
    tax_id = forms.TypedChoiceField(
        label="Tax ID",
        coerce=int,
        error_messages={
            "required": "Choose the Tax ID the claims were billed under.",
            "invalid_choice": "Choose one of your Tax IDs from the list.",
        },
    )
    subscriber = forms.CharField(
        label="Subscriber ID (optional)",
        required=False,
        max_length=12,
        help_text="The member ID of the subscriber or of anyone on their policy. "
        "Leave it empty for every claim of the Tax ID, newest first.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, tax_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.tax_ids = {tax_id.pk: tax_id for tax_id in tax_ids}
        self.fields["tax_id"].choices = [
            (pk, f"{tax_id.number} · {tax_id.name}") for pk, tax_id in self.tax_ids.items()
        ]

    def clean_tax_id(self):
        return self.tax_ids[self.cleaned_data["tax_id"]]

    def clean_subscriber(self):
        value = self.cleaned_data["subscriber"].strip()
        if value and not MEMBER_ID.fullmatch(value):
            raise forms.ValidationError("A subscriber ID is 3 to 12 letters and digits.")
        return value.upper()
