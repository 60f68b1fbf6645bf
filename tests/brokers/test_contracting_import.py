"""Ops load contracting records in the admin: one at a time, or a file imported all or nothing."""

import datetime
import io

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group as AuthGroup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from brokers.models import ContractingRecord
from portal import crypto
from portal.accounts.models import Role
from tests.factories import ContractingRecordFactory, UserFactory

IMPORT = reverse("admin:brokers_contractingrecord_import")
CHANGELIST = reverse("admin:brokers_contractingrecord_changelist")
HEADER = "npn,tax_id,first_name,last_name,email,firm_name,states_appointed,status,created_on"


def ops_user(role):
    user = UserFactory(role=Role.OPS, is_staff=True)
    user.groups.add(AuthGroup.objects.get(name=role))
    return user


@pytest.fixture
def ops(client, db):
    client.force_login(ops_user("Ops: broker services"))
    return client


def csv_file(*lines, header=HEADER, name="records.csv"):
    return SimpleUploadedFile(name, "\n".join([header, *lines]).encode(), "text/csv")


def xlsx_file(rows, name="records.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_csv_file_creates_and_updates_records(ops):
    existing = ContractingRecordFactory(npn="1234567", status=ContractingRecord.Status.ACTIVE)

    response = ops.post(
        IMPORT,
        {
            "file": csv_file(
                "7654321,12-3456789,Jack,Nimble,jack@agency.example,Nimble Insurance,"
                '"ca, tx",Active,2017-08-07',
                f"1234567,{existing.tax_id},{existing.first_name},{existing.last_name},"
                f"{existing.email},,CA,Inactive,08/07/2017",
            )
        },
    )

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    jack = ContractingRecord.objects.get(npn="7654321")
    assert jack.tax_id == "123456789"
    assert jack.tax_id_digest == crypto.digest("123456789")
    assert jack.states_appointed == "CA,TX"
    assert jack.created_on == datetime.date(2017, 8, 7)
    existing.refresh_from_db()
    assert existing.status == ContractingRecord.Status.INACTIVE
    assert LogEntry.objects.filter(object_id=str(jack.pk), action_flag=ADDITION).exists()
    assert LogEntry.objects.filter(object_id=str(existing.pk), action_flag=CHANGE).exists()


def test_a_dry_run_reports_what_the_file_would_do_and_saves_nothing(ops):
    existing = ContractingRecordFactory(npn="1234567", status=ContractingRecord.Status.ACTIVE)
    upload = csv_file(
        "7654321,12-3456789,Jack,Nimble,jack@agency.example,,CA,Active,2017-08-07",
        f"1234567,{existing.tax_id},{existing.first_name},{existing.last_name},"
        f"{existing.email},,CA,Inactive,08/07/2017",
    )

    response = ops.post(IMPORT, {"file": upload, "dry_run": "on"}, follow=True)

    assert (
        "Dry run: every row of the file is valid. Importing it would add 1 and update 1 "
        "contracting records. Nothing was saved." in response.content.decode()
    )
    assert not ContractingRecord.objects.filter(npn="7654321").exists()
    existing.refresh_from_db()
    assert existing.status == ContractingRecord.Status.ACTIVE
    assert not LogEntry.objects.exists()


def test_an_xlsx_file_with_number_and_date_cells_imports(ops):
    rows = [
        HEADER.split(","),
        [
            7654321,
            12345678,
            "Jack",
            "Nimble",
            "jack@agency.example",
            "",
            "CA",
            "active",
            datetime.date(2017, 8, 7),
        ],  # fmt: skip
    ]

    response = ops.post(IMPORT, {"file": xlsx_file(rows)})

    assert response.status_code == 302
    jack = ContractingRecord.objects.get(npn="7654321")
    # The number cell lost the SSN's leading zero; the import puts it back.
    assert jack.tax_id == "012345678"
    assert jack.created_on == datetime.date(2017, 8, 7)


def test_one_bad_row_imports_nothing_and_every_problem_is_listed(ops):
    response = ops.post(
        IMPORT,
        {
            "file": csv_file(
                "7654321,123456789,Jack,Nimble,jack@agency.example,,CA,Active,2017-08-07",
                "7654322,1234,Jill,Hill,not-an-email,,California,Pending,yesterday",
                "7654321,987654321,Jack,Again,jack2@agency.example,,CA,Active,2017-08-07",
            )
        },
    )

    assert response.status_code == 200
    assert not ContractingRecord.objects.exists()
    errors = {(row, column) for row, column, _ in response.context["errors"]}
    assert errors == {
        (3, "tax_id"),
        (3, "email"),
        (3, "states_appointed"),
        (3, "status"),
        (3, "created_on"),
        (4, "npn"),
    }
    assert "Nothing was imported" in response.content.decode()


def test_an_xlsx_bad_row_imports_nothing(ops):
    rows = [HEADER.split(","), ["abc", "123456789", "", "Nimble", "x@y.example", "", "", "Active",
                               "2017-08-07"]]  # fmt: skip

    response = ops.post(IMPORT, {"file": xlsx_file(rows)})

    assert {(r, c) for r, c, _ in response.context["errors"]} == {(2, "npn"), (2, "first_name")}
    assert not ContractingRecord.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("records.pdf", b"%PDF-1.4"), "Upload an Excel workbook"),
        (SimpleUploadedFile("records.xlsx", b"not a zip"), "not a readable Excel"),
        (csv_file("1,2", header="npn,colour"), "missing column(s): tax_id"),
        (csv_file(header=HEADER), "no rows below its header"),
        (SimpleUploadedFile("records.csv", b""), "empty"),
    ],
)
def test_a_file_that_is_not_an_import_changes_nothing(ops, upload, message):
    ContractingRecordFactory()

    response = ops.post(IMPORT, {"file": upload})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert ContractingRecord.objects.count() == 1


def test_the_import_page_documents_the_columns_and_the_changelist_links_it(ops):
    page = ops.get(IMPORT).content.decode()
    for column in HEADER.split(","):
        assert f"<code>{column}</code>" in page
    assert "updates" in page

    assert IMPORT in ops.get(CHANGELIST).content.decode()


def test_read_only_ops_may_not_import(client, db):
    client.force_login(ops_user("Ops: support (read-only)"))

    assert client.get(IMPORT).status_code == 403
    assert IMPORT not in client.get(CHANGELIST).content.decode()


def test_the_import_page_is_for_ops_only(client, db):
    client.force_login(UserFactory(role=Role.BROKER))

    response = client.get(IMPORT)

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


# One record at a time.


def test_the_admin_form_takes_a_tax_id_with_a_dash(ops):
    response = ops.post(
        reverse("admin:brokers_contractingrecord_add"),
        {
            "npn": "7654321",
            "tax_id": "123-45-6789",
            "first_name": "Jack",
            "last_name": "Nimble",
            "email": "jack@agency.example",
            "states_appointed": "ca,tx",
            "status": "active",
            "created_on": "2017-08-07",
        },
    )

    assert response.status_code == 302
    record = ContractingRecord.objects.get()
    assert record.tax_id == "123456789"
    assert record.states_appointed == "CA,TX"


def test_the_admin_form_refuses_a_short_tax_id_and_keeps_a_blank_one_on_change(ops):
    record = ContractingRecordFactory(tax_id="123456789")
    url = reverse("admin:brokers_contractingrecord_change", args=[record.pk])
    data = {
        "npn": record.npn,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "email": record.email,
        "status": "inactive",
        "created_on": "2017-08-07",
    }

    page = ops.get(url).content.decode()
    assert "123456789" not in page
    assert "ending 6789" in page
    assert "nine digits" in ops.post(url, {**data, "tax_id": "12345"}).content.decode()

    assert ops.post(url, {**data, "tax_id": ""}).status_code == 302
    record.refresh_from_db()
    assert (record.tax_id, record.status) == ("123456789", "inactive")
