"""Recurring employer reports: celery beat's task runs each due definition once per due date
(with a frozen clock), moves it to its next date, skips an owner who lost access, and the
owner is emailed (text and HTML) when a report they asked to hear about is ready."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from employers.models import ReportDefinition
from employers.reporting import services, tasks
from employers.reporting.services import next_run_date
from portal.activity.models import Activity
from portal.jobs.models import ReportJob

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
Kind = ReportDefinition.Kind


def at(day, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour), TZ)


@pytest.mark.parametrize(
    "schedule, day, after, expected",
    [
        ("weekly", 0, datetime.date(2026, 11, 20), datetime.date(2026, 11, 23)),  # Fri -> Mon
        ("weekly", 4, datetime.date(2026, 11, 20), datetime.date(2026, 11, 27)),  # Fri -> next Fri
        ("monthly", 5, datetime.date(2026, 11, 4), datetime.date(2026, 11, 5)),
        ("monthly", 5, datetime.date(2026, 11, 5), datetime.date(2026, 12, 5)),
        ("monthly", 28, datetime.date(2026, 12, 31), datetime.date(2027, 1, 28)),
        ("none", None, datetime.date(2026, 11, 5), None),
    ],
)
def test_next_run_date(schedule, day, after, expected):
    assert next_run_date(schedule, day, after=after) == expected


@pytest.fixture
def weekly(cast):
    """employer@'s roster every Monday, starting Monday 11/23/2026, emailed when ready."""
    with time_machine.travel(at(datetime.date(2026, 11, 20)), tick=False):
        return services.report_definition_create(
            owner=cast.employer,
            employer=cast.employer_groups[0].parent.employer,
            fields={
                "name": "Monday roster",
                "kind": Kind.ROSTER,
                "format": "xlsx",
                "columns": [],
                "filters": {"groups": []},
                "sort": "",
                "schedule": "weekly",
                "schedule_day": 0,
                "notify": True,
            },
        )


def _beat(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_due_report_definitions.delay()


def test_a_recurring_report_fires_once_per_due_date(
    cast, weekly, django_capture_on_commit_callbacks
):
    assert weekly.next_run_on == datetime.date(2026, 11, 23)
    # Before its day: nothing.
    with time_machine.travel(at(datetime.date(2026, 11, 22)), tick=False):
        _beat(django_capture_on_commit_callbacks)
    assert not ReportJob.objects.exists()

    # On its day, beat runs hourly: one job however often it runs.
    for hour in (0, 1, 9, 23):
        with time_machine.travel(at(datetime.date(2026, 11, 23), hour), tick=False):
            _beat(django_capture_on_commit_callbacks)
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.DONE
    assert job.parameters["run_on"] == "2026-11-23"
    weekly.refresh_from_db()
    assert weekly.next_run_on == datetime.date(2026, 11, 30)
    assert weekly.last_run_at is not None

    # The owner heard: an email (text and HTML) and a Recent Activity line.
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [cast.employer.email]
    assert "Monday roster" in email.subject and "is ready" in email.subject
    assert f"/jobs/{job.pk}/" in email.body
    html = email.alternatives[0][0]
    assert "Monday roster" in html and f"/jobs/{job.pk}/" in html
    assert Activity.objects.filter(recipient=cast.employer, summary__contains="ready").exists()

    # The next Monday, a second file.
    with time_machine.travel(at(datetime.date(2026, 11, 30), 2), tick=False):
        _beat(django_capture_on_commit_callbacks)
        _beat(django_capture_on_commit_callbacks)
    assert ReportJob.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_date_missed_while_beat_was_down_runs_once(
    cast, weekly, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(datetime.date(2026, 12, 9)), tick=False):
        _beat(django_capture_on_commit_callbacks)
    assert ReportJob.objects.count() == 1
    weekly.refresh_from_db()
    assert weekly.next_run_on == datetime.date(2026, 12, 14)


def test_an_owner_who_lost_access_is_told_and_nothing_runs(
    cast, weekly, django_capture_on_commit_callbacks
):
    weekly.owner = cast.groupadmin
    weekly.filters = {"groups": [cast.employer_groups[2].pk]}  # not one of groupadmin@'s
    weekly.save()
    with time_machine.travel(at(datetime.date(2026, 11, 23)), tick=False):
        _beat(django_capture_on_commit_callbacks)
    assert not ReportJob.objects.exists()
    assert not mail.outbox
    assert Activity.objects.filter(
        recipient=cast.groupadmin, summary__contains="was not run"
    ).exists()
    weekly.refresh_from_db()
    assert weekly.next_run_on == datetime.date(2026, 11, 30)


def test_no_email_unless_asked(cast, weekly, django_capture_on_commit_callbacks):
    ReportDefinition.objects.filter(pk=weekly.pk).update(notify=False)
    with time_machine.travel(at(datetime.date(2026, 11, 23)), tick=False):
        _beat(django_capture_on_commit_callbacks)
    assert ReportJob.objects.filter(status=ReportJob.Status.DONE).count() == 1
    assert not mail.outbox


def test_a_failed_report_is_emailed_as_failed_once(
    cast, weekly, django_capture_on_commit_callbacks
):
    job = ReportJob.objects.create(
        requester=cast.employer,
        kind="employer_report_roster",
        parameters={"name": "Monday roster"},
        status=ReportJob.Status.FAILED,
        error="The report could not be produced.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.report_ready_notify.delay(job.pk)
        tasks.report_ready_notify.delay(job.pk)  # delivered again
    assert len(mail.outbox) == 1
    assert "could not be produced" in mail.outbox[0].subject


def test_one_time_reports_are_never_run_by_beat(cast, weekly, django_capture_on_commit_callbacks):
    ReportDefinition.objects.filter(pk=weekly.pk).update(
        schedule="none", schedule_day=None, next_run_on=None
    )
    with time_machine.travel(at(datetime.date(2026, 11, 23)), tick=False):
        _beat(django_capture_on_commit_callbacks)
    assert not ReportJob.objects.exists()


def test_expired_files_are_purged_by_the_jobs_retention(
    cast, weekly, django_capture_on_commit_callbacks
):
    from portal.jobs.services import report_jobs_purge_expired

    with time_machine.travel(at(datetime.date(2026, 11, 23)), tick=False):
        _beat(django_capture_on_commit_callbacks)
    job = ReportJob.objects.get()
    name = job.file.name
    assert job.file.storage.exists(name)
    with time_machine.travel(at(datetime.date(2026, 12, 24)), tick=False):
        report_jobs_purge_expired()
    job.refresh_from_db()
    assert not job.file and not job.file.storage.exists(name)


def test_dates_that_aged_past_two_years_are_told_not_run(
    cast, weekly, django_capture_on_commit_callbacks, client
):
    ReportDefinition.objects.filter(pk=weekly.pk).update(
        kind=Kind.CHANGES,
        filters={"groups": [], "period": "custom", "start": "2024-11-01", "end": "2024-11-30"},
    )
    with time_machine.travel(at(datetime.date(2026, 11, 23)), tick=False):
        _beat(django_capture_on_commit_callbacks)
        assert not ReportJob.objects.exists()
        line = Activity.objects.get(recipient=cast.employer, summary__contains="was not run")
        assert "settings need a change" in line.summary
        assert line.link == f"/employers/accounts-reports/reports/{weekly.pk}/"
        # Run from its page: the same, in words, not an error page.
        client.force_login(cast.employer)
        response = client.post(f"/employers/accounts-reports/reports/{weekly.pk}/run/", follow=True)
    assert response.status_code == 200
    assert "its settings need a change" in response.text
    assert not ReportJob.objects.exists()
