"""Spreadsheet exports of member rows."""

import xlsxwriter
from openpyxl import Workbook

from bench import baseline, scenario
from bench.render_memory import peak_memory
from enrollment.models import Member

EXPORT_COLUMNS = [
    "member_id",
    "first_name",
    "last_name",
    "dob",
    "gender",
    "relationship",
    "status",
    "street",
    "city",
    "state",
    "zip_code",
    "spoken_language",
]


def member_rows(count):
    """`count` member rows of 12 columns, streamed from the database as an export reads them."""
    return (
        Member.objects.order_by("pk").values_list(*EXPORT_COLUMNS)[:count].iterator(chunk_size=2000)
    )


@scenario("export-openpyxl-write-only", baseline="bare-xlsx", repeat=5, warmup=1)
def openpyxl_write_only(ctx):
    """openpyxl write-only workbook of the export rows (lxml installed)."""
    path = ctx.tmpdir / "openpyxl.xlsx"

    def run():
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Members")
        sheet.append(EXPORT_COLUMNS)
        for row in member_rows(ctx.export_rows):
            sheet.append(row)
        workbook.save(path)

    return run


# The Book of Business's parent-group export (enrollment.reports.ParentRosterReport), on the
# parent group of broker@'s book with the most members, against a bare XlsxWriter write of the
# same rows. At --scale 265 that parent has about 100k member rows, at 26 about 10k.
REQUESTER = "broker@demo.test"
# What the bare write reads: the same rows and the same content as the report's sheet, in
# primary-key order, with no labels, escaping or family ordering.
BARE_PARENT_COLUMNS = [
    "group__number",
    "member_id",
    "last_name",
    "first_name",
    "relationship",
    "dob",
    "status",
    "plan__code",
    "plan__name",
]


def largest_parent_id():
    """The parent group of broker@'s book (suffixes with roster view) with the most members."""
    from django.db.models import Count

    from brokers.selectors import groups_for
    from portal.accounts.models import User

    user = User.objects.get(email=REQUESTER)
    row = (
        groups_for(user, "view_roster")
        .values("parent_id")
        .annotate(members=Count("members"))
        .order_by("-members")
        .first()
    )
    if row is None:
        raise RuntimeError(f"{REQUESTER} has no group with a roster to export.")
    return row["parent_id"]


def parent_report(parent_id):
    """The parent_roster_xlsx report and an unsaved job for it, as the task would run it."""
    from portal.accounts.models import User
    from portal.jobs.models import ReportJob
    from portal.jobs.registry import get_report

    parameters = {"parent": parent_id}
    job = ReportJob(
        kind="parent_roster_xlsx",
        parameters=parameters,
        requester=User.objects.get(email=REQUESTER),
    )
    return get_report(job.kind, parameters), job


def bare_parent_rows(parent_id):
    return (
        Member.objects.filter(group__parent_id=parent_id)
        .order_by("pk")
        .values_list(*BARE_PARENT_COLUMNS)
        .iterator(chunk_size=2000)
    )


def bare_parent_write(parent_id, out):
    workbook = xlsxwriter.Workbook(
        out, {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
    )
    sheet = workbook.add_worksheet("Members")
    sheet.write_row(0, 0, BARE_PARENT_COLUMNS)
    for number, row in enumerate(bare_parent_rows(parent_id), start=1):
        sheet.write_row(number, 0, row)
    workbook.close()


@baseline("bare-xlsx-parent", repeat=5, warmup=1)
def bare_xlsx_parent(ctx):
    """XlsxWriter constant_memory write of the largest parent group's member rows."""
    parent_id = largest_parent_id()
    path = ctx.tmpdir / "bare-parent.xlsx"

    def run():
        with open(path, "wb") as out:
            bare_parent_write(parent_id, out)

    return run


@scenario("export-parent-roster", baseline="bare-xlsx-parent", repeat=5, warmup=1)
def parent_roster(ctx):
    """parent_roster_xlsx generate() on broker@'s largest parent group (reads included)."""
    parent_id = largest_parent_id()
    rows = Member.objects.filter(group__parent_id=parent_id).count()
    report, job = parent_report(parent_id)
    path = ctx.tmpdir / "parent-roster.xlsx"
    for mode, build, write in (
        ("report", "bench.exports:parent_report", "bench.render_memory:generate"),
        ("bare", "bench.render_memory:as_is", "bench.exports:bare_parent_write"),
    ):
        before, peak, seconds = peak_memory(build, write, parent_id)
        print(
            f"    {mode}: {rows} rows, peak RSS {peak // 1024} MB ({before // 1024} MB before "
            f"the write, {(peak - before) // 1024} MB for it), {seconds:.2f} s in a fresh process",
            flush=True,
        )

    def run():
        with open(path, "wb") as out:
            report.generate(job, out, lambda done, total: None)

    return run
