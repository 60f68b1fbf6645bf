"""Resources' searches: participating providers, and medical policies and guidelines.

Both are GET forms whose results show whatever is valid: a box with a mistake is named in the
error summary and left out of the search, never a 500 and never an empty page.
"""

import re

from django import forms

from providers.models import MedicalPolicy

# Besides letters, what a name as people type it may hold: O'Neil, Smith-Jones, St. John.
NAME_MARKS = " '.-"
ZIP_PREFIX = re.compile(r"\d{3,5}")


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def valid_filters(self):
        """The cleaned values of the boxes without errors (a form's errors leave the rest)."""
        self.is_valid()
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in self.cleaned_data and name not in self.errors
        }


class ProviderSearchForm(_Form):
    name = forms.CharField(
        label="Provider name",
        required=False,
        max_length=60,
        help_text="First or last name, or the start of either.",
        error_messages={"max_length": "Enter at most %(limit_value)d characters of the name."},
    )
    specialty = forms.ChoiceField(
        label="Specialty",
        required=False,
        error_messages={"invalid_choice": "Choose a specialty from the list."},
    )
    location = forms.CharField(
        label="City or ZIP code",
        required=False,
        max_length=60,
        help_text="A city, or a ZIP code or its first three digits.",
        error_messages={"max_length": "Enter a city or a ZIP code."},
    )
    accepting = forms.BooleanField(label="Accepting new patients only", required=False)

    def __init__(self, *args, specialties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", "All specialties"), *((s, s) for s in specialties)]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if name and not all(ch.isalpha() or ch in NAME_MARKS for ch in name):
            raise forms.ValidationError(
                "Enter a name with letters only (spaces, hyphens, apostrophes and periods are fine)."
            )
        return name

    def clean_location(self):
        location = " ".join(self.cleaned_data["location"].split())
        if location[:1].isdigit():
            location = location.replace("-", "")
            if not ZIP_PREFIX.fullmatch(location[:5]) or len(location) not in (3, 4, 5, 9):
                raise forms.ValidationError("Enter a ZIP code (5 digits) or its first 3 digits.")
            return location[:5]
        if location and not all(ch.isalpha() or ch in NAME_MARKS for ch in location):
            raise forms.ValidationError("Enter a city name, or a ZIP code.")
        return location


class PolicySearchForm(_Form):
    query = forms.CharField(
        label="Title or policy number",
        required=False,
        max_length=100,
        error_messages={"max_length": "Enter at most %(limit_value)d characters."},
    )
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[("", "Policies and guidelines"), *MedicalPolicy.Kind.choices],
        error_messages={"invalid_choice": "Choose a type from the list."},
    )
    category = forms.ChoiceField(
        label="Category",
        required=False,
        error_messages={"invalid_choice": "Choose a category from the list."},
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "All categories"), *((c, c) for c in categories)]

    def clean_query(self):
        return " ".join(self.cleaned_data["query"].split())
