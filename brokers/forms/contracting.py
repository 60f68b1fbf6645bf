"""Ops' forms for the carrier's contracting records: one at a time, or a file of them."""

import re

from django import forms

from brokers.forms.registration import tax_id_normalize
from brokers.models import ContractingRecord
from brokers.services import CONTRACTING_IMPORT_COLUMNS, CONTRACTING_IMPORT_REQUIRED_COLUMNS
from portal.data_loads import DataLoadForm


class ContractingRecordAdminForm(forms.ModelForm):
    """The Tax ID typed with or without its dash; on a change, left blank to keep it."""

    tax_id = forms.CharField(
        label="Tax ID / SSN",
        max_length=11,
        required=False,
        help_text="Nine digits; a dash is allowed (12-3456789 or 123-45-6789).",
    )

    class Meta:
        model = ContractingRecord
        fields = list(CONTRACTING_IMPORT_COLUMNS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Never put the stored Tax ID back into the page.
            self.initial["tax_id"] = ""
            self.fields["tax_id"].help_text = (
                f"On file: ending {self.instance.tax_id[-4:]}. Leave blank to keep it, or "
                "enter all nine digits to change it."
            )
        else:
            self.fields["tax_id"].required = True

    def clean_tax_id(self):
        tax_id = tax_id_normalize(self.cleaned_data["tax_id"])
        if not tax_id and self.instance.pk:
            return self.instance.tax_id
        if not re.fullmatch(r"\d{9}", tax_id):
            raise forms.ValidationError("Enter the nine digits of the Tax ID.")
        return tax_id

    def clean_states_appointed(self):
        states = [s.strip().upper() for s in self.cleaned_data["states_appointed"].split(",")]
        states = [s for s in states if s]
        if any(not re.fullmatch(r"[A-Z]{2}", s) for s in states):
            raise forms.ValidationError("Use two-letter state codes separated by commas.")
        return ",".join(states)


class ContractingImportForm(DataLoadForm):
    columns = CONTRACTING_IMPORT_COLUMNS
    required = CONTRACTING_IMPORT_REQUIRED_COLUMNS
