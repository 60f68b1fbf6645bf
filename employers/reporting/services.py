"""Writes for employer reports: set up, change and delete a report definition, run it (a report
job), and run the scheduled ones that are due (celery beat, tasks.py)."""

import datetime
import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from employers.models import ReportDefinition
from employers.reporting import catalogue
from employers.reporting.kinds import REPORT_CLASSES
from employers.reporting.selectors import due_report_definitions
from portal.accounts.models import Role
from portal.activity.services import activity_record
from portal.jobs.models import ReportJob
from portal.jobs.services import report_job_request

logger = logging.getLogger(__name__)
Schedule = ReportDefinition.Schedule
# The fields of a definition that its form sets (see employers/forms/reports.py).
EDITABLE = (
    "name",
    "kind",
    "format",
    "columns",
    "filters",
    "sort",
    "schedule",
    "schedule_day",
    "notify",
)


def next_run_date(schedule: str, day, *, after: datetime.date):
    """The first date after `after` on which a report with this schedule runs: the weekday
    `day` (0 = Monday) of a weekly one, the day `day` of the month of a monthly one; None for a
    one-time report."""
    if schedule == Schedule.WEEKLY:
        return after + datetime.timedelta(days=(day - after.weekday() - 1) % 7 + 1)
    if schedule == Schedule.MONTHLY:
        this_month = after.replace(day=day)
        if this_month > after:
            return this_month
        first_of_next = (after.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        return first_of_next.replace(day=day)
    return None


def _first_run_on(definition, today):
    """A recurring report's first date: today if today is its day, else the next one."""
    return next_run_date(
        definition.schedule, definition.schedule_day, after=today - datetime.timedelta(days=1)
    )


def _detail_path(definition):
    """The definition's page in its owner's portal."""
    namespace = "employers" if definition.owner.role == Role.EMPLOYER_ADMIN else "brokers"
    return reverse(f"{namespace}:report-definition-detail", args=[definition.pk])


def report_definition_create(*, owner, employer, fields, today=None):
    """Save a new report definition for `owner` about `employer`'s groups."""
    today = today or timezone.localdate()
    definition = ReportDefinition(owner=owner, employer=employer)
    for name in EDITABLE:
        setattr(definition, name, fields[name])
    definition.next_run_on = _first_run_on(definition, today)
    with transaction.atomic():
        definition.save()
        activity_record(
            recipients=[owner],
            actor=owner,
            summary=f"You set up the report “{definition.name}” ({schedule_text(definition)}).",
            link=_detail_path(definition),
        )
    return definition


def report_definition_update(*, definition, fields, by, today=None):
    """Change a definition; a new schedule starts from today. Files already made keep the
    settings they were made with."""
    today = today or timezone.localdate()
    old_schedule = (definition.schedule, definition.schedule_day)
    for name in EDITABLE:
        setattr(definition, name, fields[name])
    if (definition.schedule, definition.schedule_day) != old_schedule:
        definition.next_run_on = _first_run_on(definition, today)
    with transaction.atomic():
        definition.save(update_fields=[*EDITABLE, "next_run_on", "updated_at"])
        activity_record(
            recipients=[by],
            actor=by,
            summary=f"You changed the report “{definition.name}” ({schedule_text(definition)}).",
            link=_detail_path(definition),
        )
    return definition


def report_definition_delete(*, definition, by):
    """Delete a definition. The files it made stay until they expire."""
    with transaction.atomic():
        name = definition.name
        definition.delete()
        activity_record(recipients=[by], actor=by, summary=f"You deleted the report “{name}”.")


def schedule_text(definition):
    """When a definition runs, in words: "every Monday", "monthly on day 5", "one time"."""
    if definition.schedule == Schedule.WEEKLY:
        weekday = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        return f"every {weekday[definition.schedule_day]}"
    if definition.schedule == Schedule.MONTHLY:
        return f"monthly on day {definition.schedule_day}"
    return "one time"


def job_parameters(definition, *, run_on):
    """A report job's parameters from a definition, with its period resolved for `run_on`."""
    filters = definition.filters or {}
    parameters = {
        "definition": definition.pk,
        "name": definition.name,
        "employer": definition.employer_id,
        "groups": filters.get("groups", []),
        "format": definition.format,
        "run_on": run_on.isoformat(),
        "statuses": filters.get("statuses", []),
        "plans": filters.get("plans", []),
        "within_days": filters.get("within_days", 90),
        "date_field": filters.get("date_field", ""),
        "columns": definition.columns,
        "sort": definition.sort,
    }
    if filters.get("period"):
        start, end = catalogue.period_dates(
            filters["period"],
            today=run_on,
            start=datetime.date.fromisoformat(filters["start"]) if filters.get("start") else None,
            end=datetime.date.fromisoformat(filters["end"]) if filters.get("end") else None,
        )
        parameters.update(start=start.isoformat(), end=end.isoformat())
    return parameters


def report_definition_run(*, definition, run_on=None):
    """Run a definition now as its owner: request its report job (PermissionDenied if the owner
    may no longer report on its groups) and, if they asked, email them when it is ready.

    A run asked again while the same day's run is still queued or running returns that job
    (report_job_request), and is not notified twice.
    """
    from employers.reporting.tasks import report_ready_notify

    run_on = run_on or timezone.localdate()
    report_class = REPORT_CLASSES[definition.kind]
    parameters = job_parameters(definition, run_on=run_on)
    with transaction.atomic():
        before = set(
            ReportJob.objects.filter(
                requester=definition.owner, parameters__definition=definition.pk
            ).values_list("pk", flat=True)
        )
        job = report_job_request(
            user=definition.owner, kind=report_class.kind, parameters=parameters
        )
        ReportDefinition.objects.filter(pk=definition.pk).update(last_run_at=timezone.now())
        if definition.notify and job.pk not in before:
            # After the job's own task on commit: in-process (the demo, tests) the file is
            # ready by then; a worker's notifier waits for it.
            transaction.on_commit(lambda: report_ready_notify.delay(job.pk), robust=True)
    return job


def report_definitions_run_due(*, today=None):
    """Run every scheduled definition whose date has come, once per date: each definition's
    `next_run_on` is moved past today by a conditional UPDATE before it runs, so a second beat
    (or a second worker) finds nothing to do. A date missed while beat was down is run once, on
    the next beat, not once per missed date.

    Returns (run, skipped): skipped are those whose owner may no longer report on their groups
    (told in their Recent Activity; the schedule carries on, in case access comes back).
    """
    today = today or timezone.localdate()
    run = skipped = 0
    for definition in due_report_definitions(today).select_related("owner"):
        following = next_run_date(definition.schedule, definition.schedule_day, after=today)
        claimed = ReportDefinition.objects.filter(
            pk=definition.pk, next_run_on=definition.next_run_on
        ).update(next_run_on=following)
        if not claimed:
            continue
        try:
            if not definition.owner.is_active:
                raise PermissionDenied
            report_definition_run(definition=definition, run_on=today)
            run += 1
        except PermissionDenied:
            skipped += 1
            _not_run(definition, today, "you may no longer report on its groups")
        except ValueError:
            # Settings that have aged out, such as chosen dates now more than two years back.
            skipped += 1
            _not_run(definition, today, "its settings need a change (edit it to see which)")
    return run, skipped


def _not_run(definition, today, reason):
    logger.info("Report definition %s was not run: %s", definition.pk, reason)
    activity_record(
        recipients=[definition.owner],
        summary=f"Your report “{definition.name}” was not run on {today:%m/%d/%Y}: {reason}.",
        link=_detail_path(definition),
    )
