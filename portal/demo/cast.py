"""The cast sheet: the documented demo logins, the records they work on, and the contracted
broker who has not registered yet.

The apps' builders place these tenants first (the first agencies, brokers, employers and provider
organisations), so they look the same at every scale; each app's `create_logins` then wires its
users up through the same services the portal uses, so their permissions are the real ones.
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group as AuthGroup

from portal.accounts.models import Role, User
from portal.accounts.ops_roles import ACCOUNT_SUPPORT, SECURITY, SUPPORT, sync_ops_groups

OPS_GROUP = "Ops: administrator"

AGENCY_A = "Northgate Benefit Advisors"
AGENCY_B = "Bayline Insurance Services"
AGENCY_C = "Summit Employee Benefits"
GENERAL_AGENCY = "Pacific Crest General Agency"

BROKER_NAME = ("Robin", "Alvarez")
BROKER2_NAME = ("Morgan", "Okafor")
UPLINE_NAME = ("Jordan", "Whitaker")

# A broker the carrier has contracted at agency A who has no login yet, to try self-registration
# with (README lists these), and an inactive contracting record, to see registration refused.
# Like the other demo brokers' (99 and eight digits), the NPNs are beyond any NIPR has issued;
# the Tax IDs start with EIN prefixes the IRS does not assign, and read as SSNs their area
# (9xx) and group (under 50) are neither an SSN's nor an ITIN's.
UNREGISTERED_BROKER_NAME = ("Dana", "Whitfield")
UNREGISTERED_BROKER_EMAIL = "newbroker@demo.test"
UNREGISTERED_NPN = "9990000001"
UNREGISTERED_TAX_ID = "971234567"  # typed as 97-1234567
INACTIVE_NAME = ("Lee", "Marchetti")
INACTIVE_NPN = "9990000002"
INACTIVE_TAX_ID = "961234567"  # typed as 96-1234567

EMPLOYER_NAME = "Harbor Point Logistics Inc."
# Subscribers per suffix of the employer@ employer: exactly three suffixes at every scale.
EMPLOYER_SUFFIXES = [("Salaried", 24), ("Hourly", 15), ("Drivers", 8)]
EMPLOYER2_NAME = "Cedar Ridge Dental Labs LLC"
EMPLOYER2_SUFFIXES = [("All employees", 20), ("Part-time eligible", 6)]

MEDICAL_GROUP_NAME = "Valley Oak Medical Group"
OTHER_ORG_NAME = "Riverbend Community Hospital"

# What the employer@ employer lets broker@ do on two of its three suffixes.
GRANTED_FUNCTIONS = [
    "view_invoice",
    "view_payment_history",
    "view_balance",
    "perform_enrollment",
    "receive_enrollment_notifications",
]

LOGINS = {
    "ops@demo.test": Role.OPS,
    "support@demo.test": Role.OPS,
    "broker@demo.test": Role.BROKER,
    "staff@demo.test": Role.BROKER_STAFF,
    "upline@demo.test": Role.BROKER,
    "broker2@demo.test": Role.BROKER,
    "employer@demo.test": Role.EMPLOYER_ADMIN,
    "groupadmin@demo.test": Role.EMPLOYER_ADMIN,
    "employer2@demo.test": Role.EMPLOYER_ADMIN,
    "provider@demo.test": Role.PROVIDER_USER,
    "provideruser@demo.test": Role.PROVIDER_USER,
    "provider2@demo.test": Role.PROVIDER_USER,
}


@dataclass
class Tenants:
    """The records the demo logins belong to, filled in by the world builder."""

    broker: object = None
    broker2: object = None
    upline: object = None
    employer: object = None
    employer_groups: list = field(default_factory=list)
    employer2: object = None
    medical_group: object = None
    medical_group_tax_ids: list = field(default_factory=list)
    other_org: object = None
    other_org_tax_ids: list = field(default_factory=list)


def login_create(email, first_name, last_name, role, password_hash, **extra) -> User:
    """A demo login with a verified email address (without one, sign-in stops at a prompt)."""
    user = User.objects.create(
        email=email,
        password=password_hash,
        role=role,
        first_name=first_name,
        last_name=last_name,
        **extra,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def ops_login_create(password_hash) -> User:
    """ops@: carrier staff in the administrator and security roles, not a superuser."""
    ops = login_create(
        "ops@demo.test", "Avery", "Lindqvist", Role.OPS, password_hash, is_staff=True
    )
    if not AuthGroup.objects.filter(name=OPS_GROUP).exists():
        sync_ops_groups(sender=None)
    ops.groups.add(*AuthGroup.objects.filter(name__in=[OPS_GROUP, SECURITY]))
    return ops


def support_login_create(password_hash) -> User:
    """support@: carrier staff who answer the phone: read-only support (with Assumed Identity)
    and account support (unlock, resend registration, password and two-step resets)."""
    support = login_create(
        "support@demo.test", "Sam", "Okonkwo", Role.OPS, password_hash, is_staff=True
    )
    support.groups.add(*AuthGroup.objects.filter(name__in=[SUPPORT, ACCOUNT_SUPPORT]))
    return support
