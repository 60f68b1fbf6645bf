"""The employer portal's report job kinds; portal.jobs imports every app's `reports` module
(JobsConfig.ready), so that the web process and the workers know the same kinds."""

from employers.payment_history import PaymentHistoryExport
from employers.reporting import kinds as report_kinds
from employers.reporting import tasks as report_tasks
from employers.roster_jobs import RosterUpload

# The reporting tasks are imported here too: Celery's autodiscovery looks for employers.tasks
# only, and beat names run_due_report_definitions by its module.
__all__ = ["PaymentHistoryExport", "RosterUpload", "report_kinds", "report_tasks"]
