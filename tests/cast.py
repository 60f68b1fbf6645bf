"""The fixed cast of test users: one of every role, and users of other tenants.

It mirrors the demo logins in README.md (same emails and password), built small with factories
and wired up through the same services the portal uses, so what a test shows about access holds
for the demo too.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group as AuthGroup

from brokers.models import UplineAccess
from brokers.services import (
    broker_of_record_start,
    broker_user_attach,
    office_staff_add,
)
from employers.models import EmployerAdmin
from employers.services import broker_access_grant, employer_admin_add
from portal.accounts.models import Role
from providers.services import provider_user_add
from tests import factories as f

BILLING_AND_ENROLLMENT = [
    "view_invoice",
    "view_payment_history",
    "view_balance",
    "perform_enrollment",
    "receive_enrollment_notifications",
]
ROLES = [
    "ops",
    "broker",
    "staff",
    "upline",
    "broker2",
    "employer",
    "groupadmin",
    "employer2",
    "provider",
    "provideruser",
    "provider2",
]


@dataclass
class Cast:
    users: dict = field(default_factory=dict)
    employer_groups: list = field(default_factory=list)
    other_employer_group: object = None
    tax_ids: list = field(default_factory=list)
    other_tax_id: object = None
    members: dict = field(default_factory=dict)
    # Office staff the broker@ office may not see: of a colleague's office in the same agency
    # (a sibling scope in the same tenant) and of broker2's office (another tenant).
    sibling_office_staff: object = None
    other_tenant_staff: object = None
    # A group no broker writes: in nobody's book of business.
    group_outside_any_book: object = None

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


def _user(name, role, **extra):
    return f.UserFactory(email=f"{name}@demo.test", role=role, **extra)


def _broker_login(name, agency):
    """A contracted broker and their login, with one name between them."""
    broker = f.BrokerFactory(agency=agency)
    user = _user(name, Role.BROKER, first_name=broker.first_name, last_name=broker.last_name)
    return broker_user_attach(broker=broker, user=user)


def build_cast() -> Cast:
    cast = Cast()
    ops = _user("ops", Role.OPS, is_staff=True)
    # The administrator role runs the data; reading the audit log takes the security role.
    ops.groups.add(*AuthGroup.objects.filter(name__in=["Ops: administrator", "Ops: security"]))

    general_agency = f.AgencyFactory(name="Summit General Agency", account_type="upline")
    agency_a = f.AgencyFactory(name="Harbor Benefits Group", upline=general_agency)
    agency_b = f.AgencyFactory(name="Ridgeline Insurance Services")

    broker = _broker_login("broker", agency_a)
    f.BrokerCodeFactory(broker=broker)
    f.LicenseFactory(broker=broker)
    staff = office_staff_add(broker=broker, user=_user("staff", Role.BROKER_STAFF))
    upline = _broker_login("upline", general_agency)
    broker2 = _broker_login("broker2", agency_b)
    colleague = _broker_login("colleague", agency_a)
    cast.sibling_office_staff = office_staff_add(
        broker=colleague, user=_user("colleague-staff", Role.BROKER_STAFF)
    )
    cast.other_tenant_staff = office_staff_add(
        broker=broker2, user=_user("staff2", Role.BROKER_STAFF)
    )

    parent = f.ParentGroupFactory(name="Cypress Manufacturing")
    cast.employer_groups = [f.GroupFactory(parent=parent, suffix=f"000{n}") for n in (1, 2, 3)]
    # broker@ lets the general agency view the groups of their book, rosters not included.
    UplineAccess.objects.create(broker=broker, rosters_allowed=False, granted_by=broker.user)
    for group in cast.employer_groups:
        broker_of_record_start(group=group, broker=broker, start_date=group.suffix_effective_date)
    employer_user = _user("employer", Role.EMPLOYER_ADMIN)
    employer_admin_add(
        employer=parent.employer, user=employer_user, level=EmployerAdmin.Level.PRIMARY
    )
    for group in cast.employer_groups[:2]:
        broker_access_grant(
            group=group, broker=broker, functions=BILLING_AND_ENROLLMENT, by=employer_user
        )
    groupadmin = _user("groupadmin", Role.EMPLOYER_ADMIN)
    employer_admin_add(
        employer=parent.employer,
        user=groupadmin,
        level=EmployerAdmin.Level.GROUP_ADMIN,
        groups=cast.employer_groups[:1],
        by=employer_user,
    )

    cast.other_employer_group = f.GroupFactory(
        parent=f.ParentGroupFactory(name="Bayview Dental Labs")
    )
    broker_of_record_start(
        group=cast.other_employer_group,
        broker=broker2,
        start_date=cast.other_employer_group.suffix_effective_date,
    )
    employer2 = _user("employer2", Role.EMPLOYER_ADMIN)
    employer_admin_add(
        employer=cast.other_employer_group.parent.employer,
        user=employer2,
        level=EmployerAdmin.Level.PRIMARY,
    )

    cast.group_outside_any_book = f.GroupFactory(
        parent=f.ParentGroupFactory(name="Direct Sale Orchards")
    )

    for group in [*cast.employer_groups, cast.other_employer_group, cast.group_outside_any_book]:
        subscriber = f.MemberFactory(group=group)
        f.DependentFactory(subscriber=subscriber)
        cast.members[group.number] = subscriber

    medical_group = f.ProviderOrganizationFactory(name="Valley Medical Group")
    cast.tax_ids = [f.TaxIdFactory(organization=medical_group) for _ in range(2)]
    provider = _user("provider", Role.PROVIDER_USER)
    provider_user_add(organization=medical_group, user=provider, is_delegated_admin=True)
    provideruser = _user("provideruser", Role.PROVIDER_USER)
    provider_user_add(
        organization=medical_group, user=provideruser, tax_ids=cast.tax_ids[:1], by=provider
    )
    other_org = f.ProviderOrganizationFactory(name="Lakeside Hospital", org_type="hospital")
    cast.other_tax_id = f.TaxIdFactory(organization=other_org)
    provider2 = _user("provider2", Role.PROVIDER_USER)
    provider_user_add(
        organization=other_org,
        user=provider2,
        tax_ids=[cast.other_tax_id],
        functions=["inquire_claims", "check_authorizations"],
    )

    cast.users = {
        "ops": ops,
        "broker": broker.user,
        "staff": staff,
        "upline": upline.user,
        "broker2": broker2.user,
        "employer": employer_user,
        "groupadmin": groupadmin,
        "employer2": employer2,
        "provider": provider,
        "provideruser": provideruser,
        "provider2": provider2,
    }
    return cast
