"""The employer portal's report job kinds; portal.jobs imports every app's `reports` module
(JobsConfig.ready), so that the web process and the workers know the same kinds."""

from employers.payment_history import PaymentHistoryExport
from employers.roster_jobs import RosterUpload

__all__ = ["PaymentHistoryExport", "RosterUpload"]
