"""Spreadsheet exports of member rows."""

from openpyxl import Workbook

from bench import scenario
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
