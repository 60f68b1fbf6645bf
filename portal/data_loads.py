"""What ops' data loads (plans, premium rates, provider participation records) share: the upload
form with its dry run, yes/no cells, and the admin history the saved rows get.

Each load reads the whole file (portal.imports.read_table), checks every row, and raises
ImportRowsError listing every problem without saving anything; only a file whose every row is
valid is saved, in one transaction. A dry run does the same checks and reports what the file
would add and change, saving nothing even when it is valid.
"""

import re

from django import forms
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry

from portal.imports import ImportFileForm, cell_text

YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0"}
STATE_CODE = re.compile(r"[A-Z]{2}")


class DataLoadForm(ImportFileForm):
    dry_run = forms.BooleanField(
        label="Check the file only (dry run): list its problems and save nothing",
        required=False,
    )


def cell_bool(value) -> bool:
    """A yes/no cell: a spreadsheet's TRUE/FALSE, 1/0, or text yes/no, y/n, true/false."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(text)


def cell_state(value) -> str:
    """A two-letter US state code, upper-cased; ValueError otherwise."""
    text = cell_text(value).upper()
    if not STATE_CODE.fullmatch(text):
        raise ValueError(text)
    return text


def data_load_message(*, noun, created, updated, dry_run) -> str:
    """What the admin says after a load, or after a dry run of one."""
    if dry_run:
        return (
            f"Dry run: every row of the file is valid. Importing it would add {len(created)} and "
            f"update {len(updated)} {noun}. Nothing was saved."
        )
    return f"Imported {len(created)} new and updated {len(updated)} existing {noun}."


def data_load_log(*, by, created, updated):
    """The admin history of the saved rows: who loaded them, from a file."""
    message = "Imported from a file."
    if created:
        LogEntry.objects.log_actions(by.pk, created, ADDITION, message)
    if updated:
        LogEntry.objects.log_actions(by.pk, updated, CHANGE, message)
