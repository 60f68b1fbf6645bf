"""Ops' data loads in the admin: plans, premium rates and provider participation records, from an
.xlsx or .csv file, all or nothing, with a dry run."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from billing.models import PremiumRate
from enrollment.models import Plan
from portal.accounts.models import Role
from providers.models import Practitioner
from providers.resources import SPECIALTIES_CACHE_KEY
from tests.factories import (
    PlanFactory,
    PractitionerFactory,
    ProviderOrganizationFactory,
    TaxIdFactory,
    UserFactory,
)

PLANS = reverse("admin:enrollment_plan_import")
RATES = reverse("admin:billing_premiumrate_import")
PRACTITIONERS = reverse("admin:providers_practitioner_import")
PLAN_HEADER = "code,name,plan_type,market,state,is_active"
RATE_HEADER = "plan_code,tier,effective_date,monthly_premium"
PRACTITIONER_HEADER = (
    "npi,first_name,last_name,license_state,license_number,tax_ids,is_participating,"
    "accepting_new_patients,specialty,city,zip_code"
)


def _ops(*models, actions=("view", "add", "change")):
    user = UserFactory(role=Role.OPS, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in={m.split(".")[0] for m in models},
            content_type__model__in={m.split(".")[1] for m in models},
            codename__regex=rf"^({'|'.join(actions)})_",
        )
    )
    return user


@pytest.fixture
def ops(client, db):
    client.force_login(_ops("enrollment.plan", "billing.premiumrate", "providers.practitioner"))
    return client


def csv_file(header, *lines, name="load.csv"):
    return SimpleUploadedFile(name, "\n".join([header, *lines]).encode(), "text/csv")


def xlsx_file(rows, name="load.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _problems(response):
    return [(row, column) for row, column, _message in response.context["errors"]]


# Plans.


def test_a_plan_file_adds_and_updates_plans(ops):
    existing = PlanFactory(code="HMO-10", name="Old name", is_active=True)
    response = ops.post(
        PLANS,
        {
            "file": csv_file(
                PLAN_HEADER,
                "PPO-20,Gold PPO 20,PPO,small_group,ca,yes",
                "HMO-10,Silver HMO 10,hmo,Large group,NV,no",
            )
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:enrollment_plan_changelist")
    new = Plan.objects.get(code="PPO-20")
    assert (new.name, new.plan_type, new.market, new.state, new.is_active) == (
        "Gold PPO 20",
        "PPO",
        "small_group",
        "CA",
        True,
    )
    existing.refresh_from_db()
    assert (existing.name, existing.market, existing.state, existing.is_active) == (
        "Silver HMO 10",
        "large_group",
        "NV",
        False,
    )
    assert set(LogEntry.objects.values_list("object_repr", "action_flag")) == {
        (str(new), ADDITION),
        (str(existing), CHANGE),
    }


def test_a_plan_workbook_is_read_too(ops):
    rows = [PLAN_HEADER.split(","), ["EPO-1", "Bronze EPO", "EPO", "ifp", "TX", True]]
    response = ops.post(PLANS, {"file": xlsx_file(rows)})
    assert response.status_code == 302
    assert Plan.objects.get(code="EPO-1").market == "ifp"


def test_a_plan_file_with_bad_rows_lists_each_and_saves_nothing(ops):
    response = ops.post(
        PLANS,
        {
            "file": csv_file(
                PLAN_HEADER,
                "GOOD-1,A fine plan,PPO,small_group,CA,yes",
                "BAD-1,Bad type,POS,small_group,CA,yes",
                "BAD-2,Bad market and state,HMO,medium,California,maybe",
                "GOOD-1,The same code again,PPO,small_group,CA,yes",
            )
        },
    )
    assert response.status_code == 200
    assert _problems(response) == [
        (3, "plan_type"),
        (4, "market"),
        (4, "state"),
        (4, "is_active"),
        (5, "code"),
    ]
    assert "Nothing was imported: 5 problems" in response.content.decode()
    assert not Plan.objects.exists()


def test_a_dry_run_checks_the_file_and_saves_nothing(ops):
    existing = PlanFactory(code="HMO-10", name="Old name")
    response = ops.post(
        PLANS,
        {
            "file": csv_file(
                PLAN_HEADER, "PPO-20,Gold,PPO,small_group,CA,", "HMO-10,New,HMO,small_group,CA,"
            ),
            "dry_run": "on",
        },
        follow=True,
    )
    message = [str(m) for m in response.context["messages"]]
    assert message == [
        "Dry run: every row of the file is valid. Importing it would add 1 and update 1 plans. "
        "Nothing was saved."
    ]
    assert list(Plan.objects.values_list("code", "name")) == [("HMO-10", "Old name")]
    assert existing.name == "Old name" and not LogEntry.objects.exists()


def test_a_dry_run_of_a_bad_file_lists_its_problems(ops):
    response = ops.post(
        PLANS, {"file": csv_file(PLAN_HEADER, ",No code,PPO,small_group,CA,"), "dry_run": "on"}
    )
    assert _problems(response) == [(2, "code")]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("plans.xlsx", b"%PDF-1.7 not a workbook"),
            "The file is a PDF document, not an Excel (.xlsx) workbook",
        ),
        (
            SimpleUploadedFile("plans.xlsx", b"PK\x03\x04 broken zip"),
            "The file is not a readable Excel (.xlsx) workbook.",
        ),
        (csv_file("code,name"), "missing column(s): plan_type, market, state"),
        (csv_file(PLAN_HEADER), "The file has no rows below its header."),
        (SimpleUploadedFile("plans.txt", b"code"), "Upload an Excel workbook (.xlsx) or a CSV"),
        (
            SimpleUploadedFile("plans.csv", "code,name\nå".encode("latin-1")),
            "The CSV file must be saved as UTF-8 text.",
        ),
    ],
)
def test_a_malformed_file_is_explained_not_a_500(ops, upload, message):
    response = ops.post(PLANS, {"file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Plan.objects.exists()


def test_ops_who_may_only_view_plans_cannot_import(client, db):
    client.force_login(_ops("enrollment.plan", actions=("view",)))
    assert client.get(PLANS).status_code == 403
    response = client.post(PLANS, {"file": csv_file(PLAN_HEADER, "X,X,PPO,ifp,CA,yes")})
    assert response.status_code == 403
    assert not Plan.objects.exists()


def test_the_import_page_offers_the_dry_run_and_is_linked_from_the_list(ops):
    page = ops.get(PLANS).content.decode()
    assert 'name="dry_run"' in page
    assert PLANS in ops.get(reverse("admin:enrollment_plan_changelist")).content.decode()


# Premium rates.


def test_a_rate_file_adds_renewals_and_corrects_a_rate(ops):
    plan = PlanFactory(code="PPO-20")
    january = datetime.date(2026, 1, 1)
    existing = PremiumRate.objects.create(
        plan=plan, tier="EE", effective_date=january, monthly_premium=400
    )
    response = ops.post(
        RATES,
        {
            "file": csv_file(
                RATE_HEADER,
                "PPO-20,EE,2026-01-01,410.50",
                'PPO-20,fam,01/01/2027,"$1,250.00"',
            )
        },
    )
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.monthly_premium == Decimal("410.50")
    renewal = PremiumRate.objects.get(effective_date=datetime.date(2027, 1, 1))
    assert (renewal.plan, renewal.tier, renewal.monthly_premium) == (plan, "FAM", Decimal("1250"))


def test_a_rate_file_with_bad_rows_saves_nothing(ops):
    PlanFactory(code="PPO-20")
    response = ops.post(
        RATES,
        {
            "file": csv_file(
                RATE_HEADER,
                "PPO-20,EE,2026-01-01,400",
                "NOPE,EE,2026-01-01,400",
                "PPO-20,XX,2026-13-01,-5",
                "PPO-20,EE,2026-01-01,401",
            )
        },
    )
    assert _problems(response) == [
        (3, "plan_code"),
        (4, "tier"),
        (4, "effective_date"),
        (4, "monthly_premium"),
        (5, "effective_date"),
    ]
    assert not PremiumRate.objects.exists()


def test_a_rate_dry_run_saves_nothing(ops):
    PlanFactory(code="PPO-20")
    response = ops.post(
        RATES,
        {"file": csv_file(RATE_HEADER, "PPO-20,EE,2026-01-01,400"), "dry_run": "on"},
        follow=True,
    )
    assert "would add 1 and update 0 premium rates" in response.content.decode()
    assert not PremiumRate.objects.exists()


# Provider participation records.


@pytest.fixture
def offices(db):
    medical = ProviderOrganizationFactory(name="Valley Medical Group")
    other = ProviderOrganizationFactory(name="Lakeside Hospital")
    return {
        "medical": [
            TaxIdFactory(organization=medical, number=n) for n in ("111111111", "222222222")
        ],
        "other": TaxIdFactory(organization=other, number="333333333"),
    }


def test_a_practitioner_file_adds_and_updates_participation(ops, offices):
    leaving = PractitionerFactory(
        npi="1000000001", organization=offices["medical"][0].organization, is_participating=True
    )
    cache.set(SPECIALTIES_CACHE_KEY, ["Cardiology"])
    response = ops.post(
        PRACTITIONERS,
        {
            "file": csv_file(
                PRACTITIONER_HEADER,
                "1234567890,Ana,Reyes,ca,G12345,11-1111111;222222222,yes,no,Pediatrics,Fresno,93701",
                f"1000000001,{leaving.first_name},{leaving.last_name},CA,{leaving.license_number},"
                "111111111,no,no,,,",
            )
        },
    )
    assert response.status_code == 302
    ana = Practitioner.objects.get(npi="1234567890")
    assert (ana.license_state, ana.is_participating, ana.accepting_new_patients) == (
        "CA",
        True,
        False,
    )
    assert ana.organization == offices["medical"][0].organization
    assert set(ana.tax_ids.all()) == set(offices["medical"])
    assert (ana.specialty, ana.city, ana.zip_code) == ("Pediatrics", "Fresno", "93701")
    leaving.refresh_from_db()
    assert not leaving.is_participating
    assert list(leaving.tax_ids.all()) == [offices["medical"][0]]
    # Resources' provider search sees the change at once.
    assert cache.get(SPECIALTIES_CACHE_KEY) is None


def test_a_practitioner_file_with_bad_rows_saves_nothing(ops, offices):
    PractitionerFactory(npi="1000000009", license_state="CA", license_number="TAKEN1")
    response = ops.post(
        PRACTITIONERS,
        {
            "file": csv_file(
                PRACTITIONER_HEADER,
                "1234567890,Ana,Reyes,CA,G12345,111111111,yes,yes,,,",
                "12345,Bo,Lin,CA,G2,111111111,yes,yes,,,",
                "1234567891,Cy,Ng,CA,TAKEN1,999999999,yes,sometimes,,,",
                "1234567892,Di,Oh,XYZ,G3,111111111;333333333,yes,yes,,,1234",
                "1234567890,Ana,Again,CA,G99,111111111,yes,yes,,,",
            )
        },
    )
    assert response.status_code == 200
    assert _problems(response) == [
        (3, "npi"),
        (4, "accepting_new_patients"),
        (4, "tax_ids"),
        (4, "license_number"),
        (5, "license_state"),
        (5, "zip_code"),
        (5, "tax_ids"),
        (6, "npi"),
    ]
    assert Practitioner.objects.count() == 1


def test_a_practitioner_dry_run_saves_nothing(ops, offices):
    response = ops.post(
        PRACTITIONERS,
        {
            "file": csv_file(
                PRACTITIONER_HEADER, "1234567890,Ana,Reyes,CA,G12345,111111111,yes,yes,,,"
            ),
            "dry_run": "on",
        },
        follow=True,
    )
    assert "would add 1 and update 0 practitioners" in response.content.decode()
    assert not Practitioner.objects.exists()
