"""Employer reports (employers/reporting): the enrollment roster report of the largest employer
(by members: about ten thousand at scale 26, five suffixes), every suffix, employees followed by
their dependents with their latest coverage, as its client administrator; against a bare
XlsxWriter write of the same members' rows in primary-key order. Rows a second and peak memory
are printed from a fresh process. And the Reports page with 60 saved definitions (marked
"BENCH-RPT-", so that a second run adds none).
"""

import xlsxwriter

from bench import baseline, scenario
from bench.employer_payment_history import _client_admin_of, _largest_employer
from bench.render_memory import peak_memory
from employers.models import ReportDefinition
from enrollment.models import Member

LIST = "/employers/accounts-reports/reports/"
DEFINITIONS = 60
MARK = "BENCH-RPT-"
BARE_COLUMNS = [
    "group__number",
    "group__name",
    "member_id",
    "relationship",
    "subscriber__member_id",
    "last_name",
    "first_name",
    "dob",
    "gender",
    "status",
    "plan__name",
]


def _admin():
    return _client_admin_of(_largest_employer())


def roster_report(user_id):
    """The roster report over every suffix of the user's employer, and an unsaved job for it,
    as the task would run it."""
    from employers.access import admin_for
    from employers.reporting.kinds import RosterReport
    from portal.accounts.models import User
    from portal.jobs.models import ReportJob

    user = User.objects.get(pk=user_id)
    parameters = RosterReport.clean_parameters(
        {"employer": admin_for(user).employer_id, "name": "Bench roster"}
    )
    job = ReportJob(kind=RosterReport.kind, parameters=parameters, requester=user)
    return RosterReport(parameters), job


def bare_write(user_id, out):
    from employers.access import admin_for
    from portal.accounts.models import User

    employer_id = admin_for(User.objects.get(pk=user_id)).employer_id
    workbook = xlsxwriter.Workbook(
        out, {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
    )
    sheet = workbook.add_worksheet("Members")
    sheet.write_row(0, 0, BARE_COLUMNS)
    rows = (
        Member.objects.filter(group__parent__employer_id=employer_id)
        .order_by("pk")
        .values_list(*BARE_COLUMNS)
        .iterator(chunk_size=2000)
    )
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    workbook.close()


@baseline("bare-xlsx-employer-roster", repeat=5, warmup=1)
def bare_xlsx_employer_roster(ctx):
    """XlsxWriter constant_memory write of the largest employer's member rows (pk order)."""
    user = _admin()
    path = ctx.tmpdir / "bare-employer-roster.xlsx"

    def run():
        with open(path, "wb") as out:
            bare_write(user.pk, out)

    return run


@scenario("employer-report-roster", baseline="bare-xlsx-employer-roster", repeat=5, warmup=1)
def employer_report_roster(ctx):
    """Enrollment roster report generate() for the largest employer (reads included)."""
    user = _admin()
    report, job = roster_report(user.pk)
    rows = report.count(user)
    for mode, build, write in (
        ("report", "bench.employer_reports:roster_report", "bench.render_memory:generate"),
        ("bare", "bench.render_memory:as_is", "bench.employer_reports:bare_write"),
    ):
        before, peak, seconds = peak_memory(build, write, user.pk)
        print(
            f"    {mode}: {rows} rows in {seconds:.2f} s ({rows / seconds:,.0f} rows/s), peak RSS "
            f"{peak // 1024} MB ({(peak - before) // 1024} MB for the write), in a fresh process",
            flush=True,
        )
    path = ctx.tmpdir / "employer-roster.xlsx"

    def run():
        with open(path, "wb") as out:
            report.generate(job, out, lambda done, total: None)

    return run


@scenario("employer-report-list", baseline="bare-view", repeat=200)
def employer_report_list(ctx):
    """The Reports page of the largest employer's administrator with 60 saved definitions."""
    user = _admin()
    employer = _largest_employer()
    have = ReportDefinition.objects.filter(owner=user, name__startswith=MARK).count()
    ReportDefinition.objects.bulk_create(
        ReportDefinition(
            owner=user,
            employer=employer,
            name=f"{MARK}{n:03d}",
            kind=ReportDefinition.Kind.ROSTER,
            filters={"groups": []},
            schedule="weekly",
            schedule_day=n % 7,
        )
        for n in range(have, DEFINITIONS)
    )
    client = ctx.client_for(user.email)

    def run():
        response = client.get(LIST)
        if response.status_code != 200:
            raise RuntimeError(f"{LIST} answered {response.status_code}")

    return run
