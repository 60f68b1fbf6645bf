import datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from billing.models import Invoice, Payment
from brokers import access as broker_access
from brokers import selectors as broker_selectors
from brokers.models import Broker, BrokerOfRecord, ContractingRecord
from commissions.models import CommissionStatement
from employers import access as employer_access
from enrollment.models import Coverage, Employer, EnrollmentEvent, Group, Member, Plan
from portal import crypto
from portal.accounts.models import Role, User, UserStatus
from portal.demo import PASSWORD, cast
from portal.demo.cast import EMPLOYER_NAME, LOGINS, OPS_GROUP
from providers import access as provider_access
from providers.models import Claim, Practitioner, TaxId

# A tiny world: the cast's tenants plus a couple of other employers.
SMALL = {"scale": 0.05, "as_of": datetime.date(2026, 11, 15)}


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.fixture
def world(db):
    seed()
    return {email: User.objects.get(email=email) for email in LOGINS}


def test_every_login_exists_with_its_role_and_signs_in(world):
    for email, role in LOGINS.items():
        user = world[email]
        assert user.role == role
        assert EmailAddress.objects.filter(
            user=user, email=email, verified=True, primary=True
        ).exists()
        assert Client().login(email=email, password=PASSWORD), email


def test_ops_is_staff_in_the_administrator_role_but_not_superuser(world):
    ops = world["ops@demo.test"]
    assert ops.is_staff
    assert not ops.is_superuser
    assert ops.groups.filter(name=OPS_GROUP).exists()


def test_counts_are_in_range_for_the_scale(world):
    members = Member.objects.count()
    assert 100 <= members <= 600
    assert Member.objects.filter(relationship="subscriber").count() < members
    assert Coverage.objects.count() == members
    assert EnrollmentEvent.objects.filter(kind="enroll").count() == members
    assert set(Plan.objects.values_list("plan_type", flat=True)) == {"HMO", "PPO", "EPO"}
    assert set(Plan.objects.values_list("market", flat=True)) == {
        "small_group",
        "large_group",
        "ifp",
    }
    assert Employer.objects.count() == 4
    assert Invoice.objects.count() >= Group.objects.filter(status="active").count()
    assert Payment.objects.exists()
    assert CommissionStatement.objects.exists()
    assert Claim.objects.exists()
    assert Practitioner.objects.exclude(npi__regex=r"^[0-9]{10}$").count() == 0


def test_every_group_has_one_current_broker_of_record(world):
    current = BrokerOfRecord.objects.filter(end_date__isnull=True)
    assert current.count() == Group.objects.count()


def test_member_ids_are_unique_and_ssns_encrypted_with_a_digest(world):
    assert Member.objects.values("member_id").distinct().count() == Member.objects.count()
    member = Member.objects.first()
    assert len(member.ssn) == 9
    assert member.ssn_digest


def test_broker_office_sees_the_employer_suffixes_and_bills_on_two(world):
    employer = Employer.objects.get(name=EMPLOYER_NAME)
    assert employer.parent_groups.get().suffixes.count() == 3
    for email in ("broker@demo.test", "staff@demo.test"):
        user = world[email]
        own = broker_access.visible_groups(user).filter(parent__employer=employer)
        billing = broker_access.visible_groups(user, "view_invoice").filter(
            parent__employer=employer
        )
        assert own.count() == 3
        assert billing.count() == 2
    assert broker_access.can_view_commissions(world["broker@demo.test"])
    assert not broker_access.can_view_commissions(world["staff@demo.test"])


def test_broker2_does_not_see_the_employer(world):
    employer = Employer.objects.get(name=EMPLOYER_NAME)
    broker2 = world["broker2@demo.test"]
    assert not broker_access.visible_groups(broker2).filter(parent__employer=employer).exists()
    assert broker_access.visible_groups(broker2).exists()


def test_upline_sees_the_groups_of_broker(world):
    broker = Broker.objects.get(user=world["broker@demo.test"])
    book = set(
        BrokerOfRecord.objects.filter(broker=broker, end_date__isnull=True).values_list(
            "group", flat=True
        )
    )
    upline_groups = set(
        broker_access.visible_groups(world["upline@demo.test"]).values_list("pk", flat=True)
    )
    assert book
    assert upline_groups == book
    assert Broker.objects.get(user=world["upline@demo.test"]).agency == broker.agency.upline
    # Group details only: the broker allowed no subscriber lists.
    assert not broker_access.visible_groups(world["upline@demo.test"], "view_roster").exists()
    assert not broker.upline_access.rosters_allowed


def test_broker_office_has_staff_in_every_status_for_manage_accounts(world):
    staff = broker_selectors.staff_users_for(world["broker@demo.test"])
    assert {user.status for user in staff} == set(UserStatus.values)
    assert all(
        user.has_perm(broker_access.Tool.BOOK_OF_BUSINESS) for user in staff if user.is_active
    )


def test_employer_admins_see_their_groups(world):
    assert employer_access.visible_groups(world["employer@demo.test"]).count() == 3
    assert employer_access.visible_groups(world["groupadmin@demo.test"]).count() == 1
    employer2_groups = employer_access.visible_groups(world["employer2@demo.test"])
    assert employer2_groups.exists()
    assert not employer2_groups.filter(parent__employer__name=EMPLOYER_NAME).exists()


def test_provider_users_see_their_tax_ids(world):
    provider = world["provider@demo.test"]
    assert provider_access.visible_tax_ids(provider).count() == 0
    assert provider_access.administered_tax_ids(provider).count() == 2
    assert provider_access.visible_tax_ids(world["provideruser@demo.test"]).count() == 1
    assert (
        provider_access.visible_tax_ids(world["provideruser@demo.test"], "inquire_claims").count()
        == 0
    )
    provider2 = world["provider2@demo.test"]
    for function in ("check_eligibility", "inquire_claims", "check_authorizations"):
        assert provider_access.visible_tax_ids(provider2, function).count() == 1
    assert TaxId.objects.filter(claims__isnull=False).distinct().count() > 1


def test_every_broker_has_an_active_contracting_record_like_their_own(world):
    brokers = Broker.objects.select_related("agency").prefetch_related("licenses")
    records = {r.npn: r for r in ContractingRecord.objects.all()}
    # One per broker, so they grow with the scale, and the inactive one.
    assert len(records) == brokers.count() + 1
    for broker in brokers:
        record = records[broker.npn]
        assert record.status == ContractingRecord.Status.ACTIVE
        assert record.tax_id == broker.tax_id
        assert record.tax_id_digest == crypto.digest(broker.tax_id)
        assert (record.first_name, record.last_name, record.email) == (
            broker.first_name,
            broker.last_name,
            broker.email,
        )
        assert record.firm_name == broker.agency.name
        states = record.states_appointed.split(", ")
        assert states[0] == "CA"
        assert set(states) == {lic.state for lic in broker.licenses.all()}


def test_one_contracted_broker_at_agency_a_can_still_register(world):
    # given what a visitor types on the registration page
    npn, tax_id = cast.UNREGISTERED_NPN, cast.UNREGISTERED_TAX_ID

    # when the record is looked up the way registration does
    record = ContractingRecord.objects.get(npn=npn, tax_id_digest=crypto.digest(tax_id))

    # then nothing stands in the way of registering
    assert record.status == ContractingRecord.Status.ACTIVE
    assert record.firm_name == cast.AGENCY_A
    assert ContractingRecord.objects.filter(email__iexact=record.email).count() == 1
    assert not User.objects.filter(email__iexact=record.email).exists()
    broker = Broker.objects.get(npn=npn)
    assert broker.user is None
    assert broker.agency.name == cast.AGENCY_A
    assert broker.codes.filter(is_primary=True).exists()
    assert broker.licenses.filter(state="CA", is_primary=True).exists()
    assert not broker.groups_of_record.exists()


def test_an_inactive_contracting_record_for_the_refusal(world):
    record = ContractingRecord.objects.get(npn=cast.INACTIVE_NPN)
    assert record.status == ContractingRecord.Status.INACTIVE
    assert record.tax_id_digest == crypto.digest(cast.INACTIVE_TAX_ID)
    assert not Broker.objects.filter(npn=cast.INACTIVE_NPN).exists()


def test_the_output_names_the_broker_who_can_register(db):
    output = seed()
    assert "NPN 9990000001, Tax ID 97-1234567" in output
    assert cast.UNREGISTERED_NPN == "9990000001"
    assert cast.UNREGISTERED_TAX_ID == "971234567"


class Rollback(Exception):
    pass


def seeded_members():
    try:
        with transaction.atomic():
            seed()
            rows = list(
                Member.objects.order_by("member_id").values_list(
                    "member_id", "first_name", "last_name", "dob"
                )
            )
            raise Rollback
    except Rollback:
        return rows


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_members():
    first = seeded_members()
    second = seeded_members()
    assert first
    assert first == second


@pytest.mark.django_db
def test_if_empty_leaves_a_seeded_database_alone():
    seed(if_empty=True)
    members = Member.objects.count()
    output = seed(if_empty=True)
    assert "left it alone" in output
    assert Member.objects.count() == members
    assert User.objects.filter(role=Role.BROKER, email="broker@demo.test").count() == 1


def test_broker_has_ifp_applications_and_documents_to_browse(world):
    from brokers.models import Document
    from enrollment.models import IFPApplication

    codes = broker_access.broker_codes_for(world["broker@demo.test"])
    applications = IFPApplication.objects.filter(broker_code__in=[c.code for c in codes])
    assert applications.count() >= 50
    assert len(set(applications.values_list("status", flat=True))) == len(
        IFPApplication.Status.values
    )
    assert Document.objects.filter(is_published=True).exists()


def test_employer_and_broker_have_documents_and_statements_to_browse(world):
    from django.utils import timezone

    from commissions import selectors as commission_selectors
    from commissions.models import CommissionLine, CommissionStatement
    from employers import selectors as employer_selectors

    employer = world["employer@demo.test"]
    groupadmin = world["groupadmin@demo.test"]
    assert employer_selectors.group_documents_for(employer).count() == 9
    assert employer_selectors.group_documents_for(groupadmin).count() == 3
    # broker@: two Broker IDs with statements for the whole window and two months beyond it,
    # group and IFP lines, and chargebacks to see.
    codes = [c.code for c in broker_access.broker_codes_for(world["broker@demo.test"])]
    statements = CommissionStatement.objects.filter(broker_code__in=codes)
    assert set(statements.values_list("category", flat=True)) == {"group", "ifp"}
    window = commission_selectors.window_start(timezone.localdate())
    assert statements.filter(period__lt=window).exists()
    assert statements.filter(period__gte=window).values("period").distinct().count() >= 17
    assert CommissionLine.objects.filter(
        statement__in=statements, kind=CommissionLine.Kind.CHARGEBACK
    ).exists()
