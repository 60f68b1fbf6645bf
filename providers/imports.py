"""Ops' data load of provider participation records: practitioners, their NPI, license, Tax IDs,
whether they participate and accept new patients, and where they practise.

All or nothing, with a dry run (portal/data_loads.py). A practitioner is found by NPI; their
organisation is the one their Tax IDs belong to. Loading changes Resources' provider search at
once (the cached specialties are cleared).
"""

import re

from django.core.cache import cache
from django.db import transaction

from portal.data_loads import (
    DataLoadForm,
    cell_bool,
    cell_state,
    data_load_log,
    data_load_message,
)
from portal.imports import ImportRowsError, cell_text
from providers.models import Practitioner, TaxId
from providers.resources import SPECIALTIES_CACHE_KEY

PRACTITIONER_COLUMNS = (
    "npi",
    "first_name",
    "last_name",
    "license_state",
    "license_number",
    "tax_ids",
    "is_participating",
    "accepting_new_patients",
    "specialty",
    "office_phone",
    "city",
    "state",
    "zip_code",
)
PRACTITIONER_REQUIRED_COLUMNS = PRACTITIONER_COLUMNS[:8]
# Optional text columns: left out of the file, they keep what is on file.
OPTIONAL_TEXT = ("specialty", "office_phone", "city", "zip_code")
NPI = re.compile(r"\d{10}")
TAX_ID = re.compile(r"\d{9}")
ZIP = re.compile(r"\d{5}(-\d{4})?")


class PractitionerImportForm(DataLoadForm):
    columns = PRACTITIONER_COLUMNS
    required = PRACTITIONER_REQUIRED_COLUMNS


def _tax_id_numbers(value):
    """The Tax IDs of a cell: nine digits each (dashes allowed), separated by ; or , or spaces."""
    numbers = [part.replace("-", "") for part in re.split(r"[;,\s]+", cell_text(value)) if part]
    if not numbers or any(not TAX_ID.fullmatch(number) for number in numbers):
        raise ValueError(value)
    return numbers


def _text(practitioner, values, column, problems, *, required=False):
    value = cell_text(values.get(column))
    max_length = Practitioner._meta.get_field(column).max_length
    if required and not value:
        problems.append((column, "Required."))
    elif len(value) > max_length:
        problems.append((column, f"At most {max_length} characters."))
    else:
        setattr(practitioner, column, value)


def _practitioner_from_row(practitioner, values, tax_ids):
    """Set the practitioner's fields from a row; (its Tax IDs, problems as (column, message))."""
    problems = []
    npi = cell_text(values.get("npi"))
    if NPI.fullmatch(npi):
        practitioner.npi = npi
    else:
        problems.append(("npi", "Enter the ten digits of the NPI."))
    for column in ("first_name", "last_name", "license_number"):
        _text(practitioner, values, column, problems, required=True)
    for column in OPTIONAL_TEXT:
        if column in values:
            _text(practitioner, values, column, problems)
    for column in ("license_state", "state"):
        if column == "state" and (column not in values or not cell_text(values[column])):
            continue
        try:
            setattr(practitioner, column, cell_state(values.get(column)))
        except ValueError:
            problems.append((column, "Use a two-letter state code."))
    if practitioner.zip_code and not ZIP.fullmatch(practitioner.zip_code):
        problems.append(("zip_code", "Use five digits, or five and four (12345-6789)."))
    for column in ("is_participating", "accepting_new_patients"):
        try:
            setattr(practitioner, column, cell_bool(values.get(column)))
        except ValueError:
            problems.append((column, "Use yes or no."))
    chosen = []
    try:
        numbers = _tax_id_numbers(values.get("tax_ids"))
    except ValueError:
        problems.append(("tax_ids", "Enter nine-digit Tax IDs separated by semicolons."))
    else:
        unknown = [number for number in numbers if number not in tax_ids]
        chosen = [tax_ids[number] for number in numbers if number in tax_ids]
        if unknown:
            problems.append(("tax_ids", f"No Tax ID on file: {', '.join(unknown)}."))
        elif len({tax_id.organization_id for tax_id in chosen}) > 1:
            problems.append(("tax_ids", "The Tax IDs belong to different organisations."))
        else:
            practitioner.organization_id = chosen[0].organization_id
    return chosen, problems


def practitioners_import(*, rows, by, dry_run=False) -> str:
    """Create or update practitioners from a file's rows, every row or none; the message to show.

    An NPI, or a license (state and number), twice in the file or already another
    practitioner's is an error. Any problem raises ImportRowsError listing them all, and nothing
    is saved; so does nothing on a dry run.
    """
    rows = list(rows)
    npis = {cell_text(values.get("npi")) for _, values in rows}
    existing = Practitioner.objects.in_bulk(npis, field_name="npi")
    numbers = set()
    for _, values in rows:
        try:
            numbers.update(_tax_id_numbers(values.get("tax_ids")))
        except ValueError:
            continue
    tax_ids = TaxId.objects.in_bulk(numbers, field_name="number")
    licenses = {
        (cell_text(values.get("license_state")).upper(), cell_text(values.get("license_number")))
        for _, values in rows
    }
    license_holders = {
        (state, number): npi
        for state, number, npi in Practitioner.objects.filter(
            license_number__in={number for _, number in licenses}
        ).values_list("license_state", "license_number", "npi")
    }
    errors, loaded, first_row_of = [], [], {}
    for number, values in rows:
        practitioner = existing.get(cell_text(values.get("npi"))) or Practitioner()
        chosen, problems = _practitioner_from_row(practitioner, values, tax_ids)
        license_key = (practitioner.license_state, practitioner.license_number)
        holder = license_holders.get(license_key)
        if holder and holder != practitioner.npi:
            problems.append(("license_number", f"This license is on file for NPI {holder}."))
        for key, column in ((("npi", practitioner.npi), "npi"), (license_key, "license_number")):
            if key in first_row_of:
                problems.append((column, f"Also on row {first_row_of[key]}."))
            first_row_of.setdefault(key, number)
        errors += [(number, column, message) for column, message in problems]
        loaded.append((practitioner, chosen))
    if errors:
        raise ImportRowsError(errors)
    created = [p for p, _ in loaded if p.pk is None]
    updated = [p for p, _ in loaded if p.pk is not None]
    if not dry_run:
        with transaction.atomic():
            for practitioner, chosen in loaded:
                practitioner.save()
                practitioner.tax_ids.set(chosen)
            data_load_log(by=by, created=created, updated=updated)
        # A new specialty or a practitioner leaving the network shows in the search at once.
        cache.delete(SPECIALTIES_CACHE_KEY)
    return data_load_message(
        noun="practitioners", created=created, updated=updated, dry_run=dry_run
    )
