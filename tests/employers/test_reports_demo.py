"""The demo's saved reports: employer@ has a monthly roster, a COBRA list to print and a custom
report, and each runs to a file from the demo's own data."""

import datetime
from io import StringIO

from django.core.management import call_command

from employers.models import ReportDefinition
from employers.reporting import services
from portal.jobs.models import ReportJob


def test_employer_demo_reports_run(db, django_capture_on_commit_callbacks):
    call_command("seed_demo", stdout=StringIO(), scale=0.05, as_of=datetime.date(2026, 11, 15))
    definitions = list(ReportDefinition.objects.filter(owner__email="employer@demo.test"))
    assert {d.kind for d in definitions} == {"roster", "cobra", "custom"}
    monthly = next(d for d in definitions if d.schedule == "monthly")
    assert monthly.notify and monthly.next_run_on.day == 1
    for definition in definitions:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.report_definition_run(definition=definition)
        job.refresh_from_db()
        assert job.status == ReportJob.Status.DONE, (definition.name, job.error)
    roster = ReportJob.objects.get(kind="employer_report_roster")
    assert roster.file.size > 5000
