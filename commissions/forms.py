"""Ops' file of commission lines."""

from commissions.services import COMMISSION_IMPORT_COLUMNS, COMMISSION_IMPORT_REQUIRED_COLUMNS
from portal.imports import ImportFileForm


class CommissionImportForm(ImportFileForm):
    columns = COMMISSION_IMPORT_COLUMNS
    required = COMMISSION_IMPORT_REQUIRED_COLUMNS
