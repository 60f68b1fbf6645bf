"""The documented demo logins and the records they work on.

The world builder places these tenants first (the first agencies, brokers, employers and provider
organisations), so they look the same at every scale; `create_logins` then wires the users up
through the same services the portal uses, so their permissions are the real ones.
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as AuthGroup

from brokers.services import broker_user_attach, office_staff_add
from employers.services import broker_access_grant, employer_admin_add
from portal.accounts.models import Role, User
from portal.accounts.ops_roles import sync_ops_groups
from portal.demo import PASSWORD
from providers.services import provider_user_add

OPS_GROUP = "Ops: administrator"

AGENCY_A = "Northgate Benefit Advisors"
AGENCY_B = "Bayline Insurance Services"
AGENCY_C = "Summit Employee Benefits"
GENERAL_AGENCY = "Pacific Crest General Agency"

BROKER_NAME = ("Robin", "Alvarez")
BROKER2_NAME = ("Morgan", "Okafor")
UPLINE_NAME = ("Jordan", "Whitaker")

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


def _user(email, first_name, last_name, role, password_hash, **extra):
    user = User.objects.create(
        email=email,
        password=password_hash,
        role=role,
        first_name=first_name,
        last_name=last_name,
        **extra,
    )
    # Email verification is mandatory: without a verified address the login stops at a prompt.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def create_logins(tenants: Tenants) -> dict:
    """Create every demo login and give it its place; returns the users by email."""
    users = {}
    # One hash for the one published password: hashing it eleven times costs seconds and
    # protects nothing.
    password_hash = make_password(PASSWORD)

    ops = _user("ops@demo.test", "Avery", "Lindqvist", Role.OPS, password_hash, is_staff=True)
    if not AuthGroup.objects.filter(name=OPS_GROUP).exists():
        sync_ops_groups(sender=None)
    ops.groups.add(AuthGroup.objects.get(name=OPS_GROUP))
    users[ops.email] = ops

    broker = _user("broker@demo.test", *BROKER_NAME, Role.BROKER, password_hash)
    broker_user_attach(broker=tenants.broker, user=broker)
    users[broker.email] = broker

    staff = _user("staff@demo.test", "Casey", "Brennan", Role.BROKER_STAFF, password_hash)
    office_staff_add(broker=tenants.broker, user=staff)
    users[staff.email] = staff

    upline = _user("upline@demo.test", *UPLINE_NAME, Role.BROKER, password_hash)
    broker_user_attach(broker=tenants.upline, user=upline)
    users[upline.email] = upline

    broker2 = _user("broker2@demo.test", *BROKER2_NAME, Role.BROKER, password_hash)
    broker_user_attach(broker=tenants.broker2, user=broker2)
    users[broker2.email] = broker2

    employer = _user("employer@demo.test", "Taylor", "Marsh", Role.EMPLOYER_ADMIN, password_hash)
    employer_admin_add(employer=tenants.employer, user=employer, level="primary")
    for group in tenants.employer_groups[:2]:
        broker_access_grant(
            group=group, broker=tenants.broker, functions=GRANTED_FUNCTIONS, by=employer
        )
    users[employer.email] = employer

    groupadmin = _user(
        "groupadmin@demo.test", "Jamie", "Castellanos", Role.EMPLOYER_ADMIN, password_hash
    )
    employer_admin_add(
        employer=tenants.employer,
        user=groupadmin,
        level="group_admin",
        groups=[tenants.employer_groups[2]],
        by=employer,
    )
    users[groupadmin.email] = groupadmin

    employer2 = _user(
        "employer2@demo.test", "Riley", "Sandoval", Role.EMPLOYER_ADMIN, password_hash
    )
    employer_admin_add(employer=tenants.employer2, user=employer2, level="primary")
    users[employer2.email] = employer2

    provider = _user("provider@demo.test", "Quinn", "Harrow", Role.PROVIDER_USER, password_hash)
    # A delegated administrator manages users and, without Tax IDs of their own, sees no patients.
    provider_user_add(organization=tenants.medical_group, user=provider, is_delegated_admin=True)
    users[provider.email] = provider

    provideruser = _user(
        "provideruser@demo.test", "Skyler", "Moreau", Role.PROVIDER_USER, password_hash
    )
    provider_user_add(
        organization=tenants.medical_group,
        user=provideruser,
        tax_ids=tenants.medical_group_tax_ids[:1],
        functions=(),
        by=provider,
    )
    users[provideruser.email] = provideruser

    provider2 = _user("provider2@demo.test", "Emerson", "Tate", Role.PROVIDER_USER, password_hash)
    provider_user_add(
        organization=tenants.other_org,
        user=provider2,
        tax_ids=tenants.other_org_tax_ids,
        functions=("inquire_claims", "check_authorizations"),
    )
    users[provider2.email] = provider2
    return users
