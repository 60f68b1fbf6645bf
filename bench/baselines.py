"""The bare references every scenario is divided by.

`bare-view`: a GET through the test client, logged in as broker@, with the portal's full
middleware (sessions, auth, CSP, ...), to a view that does one unique-index Member lookup and
returns plain text. A page's ratio to it is what the page adds over the cheapest possible page.

`bare-xlsx`: XlsxWriter in constant_memory mode writing the export rows, read from the
database the same way the export scenarios read them.
"""

import xlsxwriter

from bench import baseline
from bench.exports import EXPORT_COLUMNS, member_rows


@baseline("bare-view", repeat=200)
def bare_view(ctx):
    """One indexed Member lookup behind the full middleware stack."""
    client = ctx.client_for("broker@demo.test")
    member_ids = ctx.cycle([m[0] for m in ctx.sample_members])

    def run():
        response = client.get(f"/bench/bare-member/{next(member_ids)}/")
        if response.status_code != 200:
            raise RuntimeError(f"bare view answered {response.status_code}")

    return run


@baseline("bare-xlsx", repeat=5, warmup=1)
def bare_xlsx(ctx):
    """XlsxWriter constant_memory write of the export rows."""
    path = ctx.tmpdir / "bare.xlsx"

    def run():
        workbook = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
        )
        sheet = workbook.add_worksheet("Members")
        sheet.write_row(0, 0, EXPORT_COLUMNS)
        for number, row in enumerate(member_rows(ctx.export_rows), start=1):
            sheet.write_row(number, 0, row)
        workbook.close()

    return run
