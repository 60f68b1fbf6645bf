"""The roster upload's form: one file, read and checked as a whole by portal.imports."""

from django import forms

from employers.roster_jobs import ROSTER_MAX_BYTES, ROSTER_MAX_ROWS
from enrollment.roster import ROSTER_COLUMNS, ROSTER_REQUIRED
from portal.imports import ImportFileForm


class RosterUploadForm(ImportFileForm):
    columns = ROSTER_COLUMNS
    required = ROSTER_REQUIRED
    max_bytes = ROSTER_MAX_BYTES
    max_rows = ROSTER_MAX_ROWS

    file = forms.FileField(
        label="Roster file (.xlsx or .csv)",
        help_text=f"Up to {ROSTER_MAX_BYTES // (1024 * 1024)} MB and {ROSTER_MAX_ROWS:,} rows. "
        "Workbooks with macros or formulas, and files of any other kind, are refused.",
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )
