"""Bulk roster upload: every row checked first with a report of each problem, nothing enrolled
if any row is bad, a clean file enrolled by a job all at once, and access by group."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from employers import access
from employers.roster_jobs import ROSTER_KIND
from enrollment.models import Coverage, EnrollmentEvent, Member
from enrollment.roster import ROSTER_COLUMNS
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from portal.crypto import digest
from portal.jobs.models import ReportJob
from portal.jobs.tasks import run_report_job
from tests.factories import (
    CoverageFactory,
    EmployerAdminFactory,
    MemberFactory,
    PlanFactory,
)

HEADER = (
    "relationship,employee_ssn,ssn,first_name,last_name,dob,gender,plan_code,hire_date,"
    "effective_date"
)


def first_of_next_month():
    today = timezone.localdate()
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


@pytest.fixture
def group(cast):
    group = cast.employer_groups[0]
    group.plans.add(PlanFactory(code="GOLD500"), PlanFactory(code="SILVER2500"))
    return group


@pytest.fixture
def employer(cast, client):
    client.force_login(cast.employer)
    return client


def start():
    return first_of_next_month().strftime("%m/%d/%Y")


def hired():
    """A date of hire whose waiting period (30 days in the cast's groups) is over by start()."""
    return (first_of_next_month() - datetime.timedelta(days=90)).strftime("%m/%d/%Y")


def clean_lines():
    day, hire = start(), hired()
    return [
        f"subscriber,123-45-6789,,Ada,Lovelace,1985-12-10,F,GOLD500,{hire},{day}",
        "spouse,123-45-6789,234-56-7890,William,Lovelace,1980-05-01,M,,,",
        "child,123456789,,Byron,Lovelace,2015-03-04,,,,",
        f"employee,345-67-8901,,Grace,Hopper,1976-12-09,F,silver2500,{hire},{day}",
    ]


def csv_upload(lines, header=HEADER, name="roster.csv"):
    return SimpleUploadedFile(name, "\n".join([header, *lines]).encode(), "text/csv")


def xlsx_upload(lines, name="roster.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for line in [HEADER, *lines]:
        sheet.append(next(csv.reader([line])))
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(client, group, file):
    return client.post(reverse("employers:roster-upload", args=[group.pk]), {"file": file})


# The check and its report


def test_a_file_with_problems_lists_each_by_row_and_column_and_enrolls_nothing(employer, group):
    members_before = Member.objects.count()
    day = start()
    lines = [
        *clean_lines(),
        f"subscriber,000-12-3456,,No,Ssn,1990-01-01,,GOLD500,01/01/2026,{day}",  # 6
        f"subscriber,456-78-9012,,Bad,Plan,1990-01-01,,BRONZE,01/01/2026,{day}",  # 7
        "child,567-89-0123,,Lost,Child,2016-01-01,,,,",  # 8: no such employee
        "spouse,123-45-6789,,Second,Spouse,1981-01-01,,,,",  # 9: a second spouse
        f"subscriber,678-90-1234,,Late,Date,1990-01-01,Q,GOLD500,not a date,{day}",  # 10
        "child,123-45-6789,,Old,Child,1990-01-01,,,,",  # 11: 26 or older
        "cousin,123-45-6789,234-56-7890,Dup,Ssn,2000-01-01,,,,",  # 12
        f"subscriber,789-01-2345,,New,Hire,1990-01-01,,GOLD500,{day},{day}",  # 13: waiting period
        "subscriber,890-12-3456,,Too,Late,1990-01-01,,GOLD500,01/01/2024,01/01/2025",  # 14
    ]

    response = upload(employer, group, csv_upload(lines))

    assert response.status_code == 302
    assert response["Location"] == reverse("employers:roster-problems", args=[group.pk])
    page = employer.get(response["Location"])
    problems = {(row, column) for row, column, _ in page.context["report"]["problems"]}
    assert problems == {
        (6, "employee_ssn"),
        (7, "plan_code"),
        (8, "employee_ssn"),
        (9, "relationship"),
        (10, "gender"),
        (10, "hire_date"),
        (11, "dob"),
        (12, "relationship"),
        (13, "effective_date"),
        (14, "effective_date"),
    }
    assert "Nothing was enrolled" in page.content.decode()
    assert Member.objects.count() == members_before
    assert not EnrollmentEvent.objects.exists()
    assert not ReportJob.objects.exists()


def test_the_problems_download_as_csv(employer, group):
    upload(
        employer,
        group,
        csv_upload([*clean_lines(), "child,567-89-0123,,Lost,Child,2016-01-01,,,,"]),
    )

    response = employer.get(reverse("employers:roster-problems-csv", args=[group.pk]))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Row", "Column", "Problem"]
    assert rows[1][:2] == ["6", "employee_ssn"]
    assert "No employee with this SSN" in rows[1][2]


def test_without_a_checked_file_there_is_no_problems_download(employer, group):
    response = employer.get(reverse("employers:roster-problems-csv", args=[group.pk]))

    assert response.status_code == 404


def test_an_employee_already_in_the_group_is_a_problem(employer, group):
    existing = MemberFactory(group=group)
    existing.set_ssn("123-45-6789")
    existing.save()

    upload(employer, group, csv_upload(clean_lines()))

    report = employer.session["employers_roster_problems"]
    assert [tuple(p[:2]) for p in report["problems"]] == [(2, "employee_ssn")]
    assert existing.member_id in report["problems"][0][2]
    # The check looked the member up by SSN: that is in the audit log.
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SEARCH, object_type="enrollment.Member", object_id=existing.pk
    ).exists()


def test_a_file_refused_whole_says_why_and_changes_nothing(employer, group):
    lines = [
        'subscriber,123-45-6789,,=HYPERLINK("http://x.example"),Lovelace,1985-12-10,F,GOLD500,09/01/2026,12/01/2026'
    ]

    response = upload(employer, group, csv_upload(lines))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "formulas are not accepted" in page
    assert not Member.objects.filter(last_name="Lovelace").exists()


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("roster.xlsx", b"%PDF-1.7\n"), "is a PDF document"),
        (SimpleUploadedFile("roster.xlsm", b"PK\x03\x04"), "contains macros"),
        (SimpleUploadedFile("roster.csv", b"x" * (6 << 20)), "larger than 5 MB"),
        (csv_upload([], header="relationship,first_name"), "missing column(s): employee_ssn"),
    ],
)
def test_hostile_or_wrong_files_are_refused_on_the_page(employer, group, file, message):
    response = upload(employer, group, file)

    assert message in response.content.decode()
    assert not ReportJob.objects.exists()


# Enrolling a clean file


def test_a_clean_file_is_enrolled_by_a_job_all_rows(
    employer, group, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(employer, group, xlsx_upload(clean_lines()))

    job = ReportJob.objects.get(kind=ROSTER_KIND)
    assert response["Location"] == reverse("employers:roster-job", args=[job.pk])
    assert job.status == ReportJob.Status.DONE, job.error
    ada = Member.objects.get(group=group, first_name="Ada")
    assert ada.ssn_digest == digest("123456789")
    assert {(m.first_name, m.relationship) for m in ada.dependents.all()} == {
        ("William", "spouse"),
        ("Byron", "child"),
    }
    family_coverages = Coverage.objects.filter(member__in=[ada, *ada.dependents.all()])
    assert {(c.plan.code, c.tier, c.start_date) for c in family_coverages} == {
        ("GOLD500", Coverage.Tier.FAMILY, first_of_next_month())
    }
    grace = Member.objects.get(group=group, first_name="Grace")
    assert grace.coverages.get().plan.code == "SILVER2500"
    assert EnrollmentEvent.objects.filter(kind="enroll", by=cast.employer).count() == 4
    changed = AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE, user=cast.employer)
    assert changed.count() == 4
    assert Activity.objects.filter(
        recipient=cast.employer, summary__contains="2 employee(s) and 2 dependent(s) enrolled"
    ).exists()
    # The stored upload (with its SSNs) is gone once it is enrolled.
    assert not job.file.storage.exists(job.parameters["upload"])

    page = employer.get(response["Location"]).content.decode()
    assert "Done: 4 members enrolled" in page
    download = employer.get(reverse("jobs:job-download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    listed = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ada.member_id in listed and grace.member_id in listed


def test_dependents_are_added_to_an_employee_already_enrolled(
    employer, group, django_capture_on_commit_callbacks
):
    employee = MemberFactory(group=group, plan=group.plans.get(code="GOLD500"))
    employee.set_ssn("111-22-3333")
    employee.save()
    CoverageFactory(member=employee)
    line = f"child,111-22-3333,,Kit,Kid,2019-06-01,,,,{start()}"

    with django_capture_on_commit_callbacks(execute=True):
        upload(employer, group, csv_upload([line]))

    assert ReportJob.objects.get().status == ReportJob.Status.DONE
    kid = employee.dependents.get()
    assert kid.first_name == "Kit"
    assert kid.coverages.get().start_date == first_of_next_month()


def test_the_job_checks_again_and_enrolls_nothing_if_the_group_changed(employer, group):
    # The upload queues the job (run on commit, which this test's transaction never reaches).
    upload(employer, group, csv_upload(clean_lines()))
    job = ReportJob.objects.get()
    # Meanwhile someone enrolls Grace by hand.
    grace = MemberFactory(group=group)
    grace.set_ssn("345678901")
    grace.save()

    run_report_job.apply(args=[job.pk], throw=False)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert "nothing was enrolled" in job.error
    assert not Member.objects.filter(first_name="Ada").exists()
    page = employer.get(reverse("employers:roster-job", args=[job.pk])).content.decode()
    assert "nothing was enrolled" in page


def test_a_job_delivered_again_enrolls_nothing_twice(employer, group):
    upload(employer, group, csv_upload(clean_lines()))
    job = ReportJob.objects.get()
    run_report_job.apply(args=[job.pk])
    # As if the worker had died after enrolling, before the job was marked done.
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.QUEUED)

    run_report_job.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    assert Member.objects.filter(first_name="Ada").count() == 1


def test_the_same_file_sent_twice_while_its_job_waits_is_one_job(employer, group):
    first = upload(employer, group, csv_upload(clean_lines()))
    second = upload(employer, group, csv_upload(clean_lines()))

    assert first["Location"] == second["Location"]
    assert ReportJob.objects.count() == 1


def test_the_job_page_polls_while_the_job_runs(employer, group):
    upload(employer, group, csv_upload(clean_lines()))
    job = ReportJob.objects.get()

    page = employer.get(reverse("employers:roster-job", args=[job.pk])).content.decode()
    status = employer.get(reverse("employers:roster-job-status", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in page
    assert '<progress id="job-progress"' in status
    assert "<h1" not in status


# The template


def test_the_template_downloads_as_xlsx_with_the_groups_plans_and_as_csv(employer, group):
    url = reverse("employers:roster-template", args=[group.pk])

    workbook = load_workbook(io.BytesIO(employer.get(url).content))
    as_csv = employer.get(url + "?format=csv").content.decode()

    assert next(workbook["Roster"].iter_rows(values_only=True)) == ROSTER_COLUMNS
    instructions = [row[0] for row in workbook["Instructions"].iter_rows(values_only=True)]
    assert {"GOLD500", "SILVER2500"} <= set(instructions)
    assert as_csv.strip() == ",".join(ROSTER_COLUMNS)


def test_the_group_choice_costs_the_same_queries_for_one_group_or_many(
    cast, client, django_assert_max_num_queries
):
    for user, count in ((cast.groupadmin, 1), (cast.employer, 3)):
        client.force_login(user)
        with django_assert_max_num_queries(8):
            response = client.get(reverse("employers:roster"))
        assert len(response.context["groups"]) == count


# Access


@pytest.mark.parametrize(
    "name",
    ["roster-upload", "roster-template", "roster-problems", "roster-problems-csv"],
)
def test_another_employers_group_is_404(cast, client, name):
    client.force_login(cast.employer2)

    assert (
        client.get(reverse(f"employers:{name}", args=[cast.employer_groups[0].pk])).status_code
        == 404
    )


def test_a_group_admin_sees_only_their_own_suffix(cast, client, group):
    client.force_login(cast.groupadmin)

    assert client.get(reverse("employers:roster-upload", args=[group.pk])).status_code == 200
    other = cast.employer_groups[1]
    assert client.get(reverse("employers:roster-upload", args=[other.pk])).status_code == 404


def test_an_administrator_without_the_enrollment_function_gets_403(cast, client, group):
    admin = EmployerAdminFactory(employer=group.parent.employer, level="group_admin")
    access.grant_admin_groups(admin, [group], perms=("view_group", "view_roster"))
    client.force_login(admin.user)

    assert client.get(reverse("employers:roster")).status_code == 403
    assert client.get(reverse("employers:roster-upload", args=[group.pk])).status_code == 403
    response = upload(client, group, csv_upload(clean_lines()))
    assert response.status_code == 403
    assert not ReportJob.objects.exists()


def test_other_audiences_get_404(cast, client, group):
    client.force_login(cast.broker)

    assert client.get(reverse("employers:roster-upload", args=[group.pk])).status_code == 404


def test_someone_elses_roster_job_is_404(cast, client, employer, group):
    upload(employer, group, csv_upload(clean_lines()))
    job = ReportJob.objects.get()
    client.force_login(cast.groupadmin)

    assert client.get(reverse("employers:roster-job", args=[job.pk])).status_code == 404
