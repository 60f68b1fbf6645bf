"""Employer reports: what each standard report and a custom report holds, on a small fixture of
employer@'s groups (two suffixes with members, coverage, changes, bills and payments) and one
of another employer that must never appear; XLSX read back with openpyxl, PDF checked by its
text."""

import datetime
import io
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.conf import settings

from employers.models import ReportDefinition
from employers.reporting import services
from employers.reporting.kinds import REPORT_CLASSES
from enrollment.models import EnrollmentEvent, Member
from portal.audit.models import AuditEvent
from portal.jobs.models import ReportJob
from tests import factories as f

Kind = ReportDefinition.Kind
TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=TZ)
TODAY = NOW.date()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def book(cast, clock):
    """Two suffixes of employer@ and one of another employer, with everything the reports read."""
    first, second = cast.employer_groups[:2]
    other = cast.other_employer_group
    plan = f.PlanFactory(name="Gold HMO 20")
    people = {}

    def member(group, last, first_name, *, dob=datetime.date(1980, 5, 17), **extra):
        m = f.MemberFactory(
            group=group, last_name=last, first_name=first_name, dob=dob, plan=plan, **extra
        )
        f.CoverageFactory(member=m, tier="FAM", start_date=datetime.date(2025, 1, 1))
        people[last] = m
        return m

    avery = member(first, "Avery", "Jo")
    people["Avery child"] = f.DependentFactory(
        subscriber=avery,
        last_name="Avery",
        first_name="Kit",
        dob=datetime.date(2000, 12, 10),
        plan=plan,
    )
    member(first, "Baker", "Lee", dob=datetime.date(1961, 12, 1))
    member(second, "Cole", "Sam", status=Member.Status.CANCELLED)
    cobra = member(second, "Diaz", "Ana", status=Member.Status.COBRA)
    f.CoverageFactory(
        member=cobra,
        tier="EE",
        start_date=datetime.date(2026, 10, 1),
        is_cobra=True,
        cobra_event="Termination",
        cobra_event_date=datetime.date(2026, 9, 30),
    )
    member(other, "Outsider", "Not", dob=datetime.date(1961, 12, 1))

    f.EnrollmentEventFactory(
        member=avery, kind=EnrollmentEvent.Kind.ENROLL, effective_date=TODAY, by=cast.employer
    )
    f.EnrollmentEventFactory(
        member=people["Outsider"], kind=EnrollmentEvent.Kind.CANCEL, effective_date=TODAY
    )
    people["invoice"] = f.InvoiceFactory(group=first, number="INV-FIRST-2611")
    f.InvoiceFactory(group=other, number="INV-OTHER-2611")
    f.PaymentFactory(
        group=first,
        invoice=people["invoice"],
        reference="REF-OWN",
        received_on=datetime.date(2026, 11, 2),
        amount=Decimal("100.00"),
    )
    f.PaymentFactory(group=other, reference="REF-OTHER", received_on=datetime.date(2026, 11, 2))
    return people


def run(user, kind, django_capture_on_commit_callbacks, *, fmt="xlsx", **filters):
    """Save a definition of `kind` for employer@'s employer and run it; the finished job."""
    definition = ReportDefinition.objects.create(
        owner=user,
        employer=user.employer_admin.employer,
        name=f"Test {kind}",
        kind=kind,
        format=fmt,
        columns=filters.pop("columns", []),
        sort=filters.pop("sort", ""),
        filters=filters,
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_definition_run(definition=definition)
    job.refresh_from_db()
    return job


def rows_of(job):
    assert job.status == ReportJob.Status.DONE, job.error
    with job.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_roster_lists_each_employee_followed_by_their_dependents(
    cast, book, django_capture_on_commit_callbacks
):
    rows = rows_of(run(cast.employer, Kind.ROSTER, django_capture_on_commit_callbacks))
    assert rows[0][:4] == ["Group", "Suffix name", "Member ID", "Relationship"]
    names = [(row[0], row[5], row[6], row[3]) for row in rows[1:]]
    first, second = (g.number for g in cast.employer_groups[:2])
    # cast.py gives each suffix a subscriber and dependent of its own; ours are among them.
    ours = [n for n in names if n[1] in ("Avery", "Baker", "Cole", "Diaz")]
    assert ours == [
        (first, "Avery", "Jo", "Subscriber"),
        (first, "Avery", "Kit", "Child"),
        (first, "Baker", "Lee", "Subscriber"),
        (second, "Cole", "Sam", "Subscriber"),
        (second, "Diaz", "Ana", "Subscriber"),
    ]
    assert "Outsider" not in {n[1] for n in names}
    assert cast.employer_groups[2].number in {n[0] for n in names}  # every group when none named
    avery = next(row for row in rows if row[5] == "Avery" and row[6] == "Jo")
    assert (avery[11], avery[12].date()) == ("Family", datetime.date(2025, 1, 1))


def test_roster_filtered_by_suffix_and_status(cast, book, django_capture_on_commit_callbacks):
    second = cast.employer_groups[1]
    job = run(
        cast.employer,
        Kind.ROSTER,
        django_capture_on_commit_callbacks,
        groups=[second.pk],
        statuses=["active", "cobra"],
    )
    rows = rows_of(job)[1:]
    assert {row[0] for row in rows} == {second.number}
    assert "Cole" not in {row[5] for row in rows}  # cancelled
    assert "Diaz" in {row[5] for row in rows}
    # The export is audited, member by member.
    exported = AuditEvent.objects.filter(user=cast.employer, action=AuditEvent.Action.EXPORT)
    assert str(book["Diaz"].pk) in set(exported.values_list("object_id", flat=True))


def test_changes_in_a_period(cast, book, django_capture_on_commit_callbacks):
    job = run(cast.employer, Kind.CHANGES, django_capture_on_commit_callbacks, period="last_7_days")
    assert job.parameters["start"] == "2026-11-14" and job.parameters["end"] == "2026-11-20"
    rows = rows_of(job)[1:]
    made_by = f"{cast.employer.first_name} {cast.employer.last_name}".strip()
    assert [(r[3], r[4], r[7], r[8]) for r in rows] == [
        (book["Avery"].member_id, "Avery", "Enrolled", made_by)
    ]


def test_changes_outside_the_period_are_left_out(cast, book, django_capture_on_commit_callbacks):
    job = run(
        cast.employer, Kind.CHANGES, django_capture_on_commit_callbacks, period="previous_month"
    )
    assert rows_of(job)[1:] == []


def test_billing_summary(cast, book, django_capture_on_commit_callbacks):
    job = run(
        cast.employer,
        Kind.BILLING_SUMMARY,
        django_capture_on_commit_callbacks,
        period="month_to_date",
    )
    rows = rows_of(job)[1:]
    assert [(r[2], r[10], r[11], r[12]) for r in rows] == [
        ("INV-FIRST-2611", 2835.66, 100, "Past due")
    ]


def test_payment_history(cast, book, django_capture_on_commit_callbacks):
    job = run(
        cast.employer,
        Kind.PAYMENT_HISTORY,
        django_capture_on_commit_callbacks,
        period="last_30_days",
    )
    rows = rows_of(job)[1:]
    assert [(r[3], r[4], r[9]) for r in rows] == [("INV-FIRST-2611", 100, "REF-OWN")]


def test_cobra_members(cast, book, django_capture_on_commit_callbacks):
    rows = rows_of(run(cast.employer, Kind.COBRA, django_capture_on_commit_callbacks))[1:]
    assert [(r[2], r[5], r[7].date()) for r in rows] == [
        ("Diaz", "Termination", datetime.date(2026, 10, 1))
    ]


def test_members_turning_26_and_65(cast, book, django_capture_on_commit_callbacks):
    rows = rows_of(
        run(cast.employer, Kind.TURNING_26, django_capture_on_commit_callbacks, within_days=30)
    )[1:]
    assert [(r[2], r[3], r[7].date()) for r in rows] == [
        ("Avery", "Kit", datetime.date(2026, 12, 10))
    ]
    rows = rows_of(
        run(cast.employer, Kind.TURNING_65, django_capture_on_commit_callbacks, within_days=30)
    )[1:]
    # Baker turns 65 on 12/01/2026; the other employer's member born the same day is not ours.
    assert [(r[2], r[7].date()) for r in rows] == [("Baker", datetime.date(2026, 12, 1))]


def test_custom_report_columns_filters_and_sort(cast, book, django_capture_on_commit_callbacks):
    job = run(
        cast.employer,
        Kind.CUSTOM,
        django_capture_on_commit_callbacks,
        columns=["last_name", "status", "tier", "cobra"],
        sort="-last_name",
        statuses=["active", "cobra"],
        plans=[book["Avery"].plan_id],
        date_field="coverage_start",
        period="custom",
        start="2026-10-01",
        end="2026-11-20",
    )
    rows = rows_of(job)
    assert rows[0] == ["Last name", "Status", "Coverage tier", "COBRA"]
    # Only Diaz's latest coverage (COBRA) began in the period.
    assert rows[1:] == [["Diaz", "COBRA", "Employee only", "Yes"]]


def test_pdf_is_a_printed_table(cast, book, django_capture_on_commit_callbacks):
    pytest.importorskip("weasyprint")
    job = run(cast.employer, Kind.COBRA, django_capture_on_commit_callbacks, fmt="pdf")
    assert job.status == ReportJob.Status.DONE, job.error
    assert job.filename.endswith(".pdf")
    with job.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_pdf_refuses_more_rows_than_a_printed_report_holds(
    cast, book, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("employers.reporting.catalogue.PDF_MAX_ROWS", 2)
    job = run(cast.employer, Kind.ROSTER, django_capture_on_commit_callbacks, fmt="pdf")
    assert job.status == ReportJob.Status.FAILED
    assert "Choose Excel" in job.error


def test_crafted_parameters_for_another_employer_are_refused(
    cast, book, client, django_capture_on_commit_callbacks
):
    """The jobs' own request URL takes any kind: another employer's groups answer 404."""
    from django.urls import reverse

    client.force_login(cast.employer)
    other = cast.other_employer_group
    response = client.post(
        reverse("jobs:job-create"),
        {"kind": REPORT_CLASSES[Kind.ROSTER].kind, "employer": other.parent.employer_id},
    )
    assert response.status_code == 404
    assert not ReportJob.objects.exists()
