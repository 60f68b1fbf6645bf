"""Employers' part of the demo world: the employer administrators among the demo logins, the
billing and enrollment access employer@ grants broker@ (and its line in Manage Broker Access's
history; the employers themselves are enrollment's), more administrators for employer@'s Manage
Accounts, and a registration key for an employer whose primary administrator has not registered
yet."""

import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.utils import timezone

from employers import access
from employers.models import BrokerAccessChange, EmployerAdmin, EmployerRegistrationKey
from employers.services import (
    broker_access_grant,
    employer_admin_add,
    registration_key_digest,
    registration_key_display,
)
from enrollment.models import Employer, GroupUserObjectPermission
from portal.accounts.models import Role, User
from portal.demo import cast
from portal.demo.world import World

# The employer that has no administrator yet, and the key ops "emailed" its primary one (README).
UNREGISTERED_ADMIN_EMAIL = "newemployer@demo.test"
UNREGISTERED_ADMIN_NAME = ("Alex", "Moreno")
REGISTRATION_KEY = "DEMO2026KEY7"


def create_logins(world: World, password_hash) -> dict:
    """employer@, groupadmin@ and employer2@; returns the users by email."""
    tenants = world.tenants
    employer = cast.login_create(
        "employer@demo.test", "Taylor", "Marsh", Role.EMPLOYER_ADMIN, password_hash
    )
    employer_admin_add(employer=tenants.employer, user=employer, level="primary")
    for group in tenants.employer_groups[:2]:
        broker_access_grant(
            group=group, broker=tenants.broker, functions=cast.GRANTED_FUNCTIONS, by=employer
        )
    # Its line in Manage Broker Access's history, written straight in: no email while seeding.
    BrokerAccessChange.objects.create(
        employer=tenants.employer,
        broker=tenants.broker,
        kind=BrokerAccessChange.Kind.GRANTED,
        by=employer,
        after={
            group.number: sorted(cast.GRANTED_FUNCTIONS) for group in tenants.employer_groups[:2]
        },
        terms_accepted_at=timezone.now(),
    )

    groupadmin = cast.login_create(
        "groupadmin@demo.test", "Jamie", "Castellanos", Role.EMPLOYER_ADMIN, password_hash
    )
    employer_admin_add(
        employer=tenants.employer,
        user=groupadmin,
        level="group_admin",
        groups=[tenants.employer_groups[2]],
        by=employer,
    )

    employer2 = cast.login_create(
        "employer2@demo.test", "Riley", "Sandoval", Role.EMPLOYER_ADMIN, password_hash
    )
    employer_admin_add(employer=tenants.employer2, user=employer2, level="primary")
    administrators_crowd(
        world, employer=employer, groupadmin=groupadmin, password_hash=password_hash
    )
    registration_key_for_unregistered_employer(world)
    report_definitions(world, employer=employer)
    return {user.email: user for user in (employer, groupadmin, employer2)}


# More administrators of employer@'s employer, per unit of --scale, so that Manage Accounts has a
# list to page, search and sort in the demo and the benchmarks. Their names come from short fixed
# lists, not world.rng: a draw here would change every later step's data.
ADMINISTRATORS_PER_SCALE = 4
FIRST_NAMES = ["Avery", "Blake", "Cameron", "Devon", "Emerson", "Finley", "Harper", "Jordan"]
LAST_NAMES = ["Nguyen", "Patel", "Okafor", "Lindgren", "Ramirez", "Kowalski", "Haddad", "Brooks"]


def administrators_crowd(world: World, *, employer, groupadmin, password_hash) -> None:
    """Group administrators (set up by employer@) and delegates (set up by groupadmin@, on
    groupadmin@'s suffix) in turn, pending, active, locked or disabled in turn; none can sign in
    (no verified email address). Bulk inserts: at scale 265 there are a thousand."""
    tenants = world.tenants
    count = max(ADMINISTRATORS_PER_SCALE, round(ADMINISTRATORS_PER_SCALE * world.scale))
    users = []
    for n in range(count):
        status = n % 4
        users.append(
            User(
                email=f"employer-admin{n + 1}@demo.test",
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)],
                role=Role.EMPLOYER_ADMIN,
                # Pending registration: an unusable password, set when the link is used.
                password=make_password(None) if status == 0 else password_hash,
                locked_at=timezone.now() if status == 2 else None,
                is_active=status != 3,
            )
        )
    users = world.insert(User, users)
    admins = []
    for n, user in enumerate(users):
        delegate = n % 2 == 1
        admins.append(
            EmployerAdmin(
                user=user,
                employer=tenants.employer,
                level=EmployerAdmin.Level.DELEGATE if delegate else EmployerAdmin.Level.GROUP_ADMIN,
                created_by=groupadmin if delegate else employer,
            )
        )
    world.insert(EmployerAdmin, admins)
    # Group administrators view enrollment and bills on one suffix each; delegates view
    # enrollment on groupadmin@'s suffix (no more than groupadmin@ holds).
    permissions = dict(
        Permission.objects.filter(content_type__app_label="enrollment").values_list(
            "codename", "pk"
        )
    )
    suffixes = tenants.employer_groups
    rows = []
    for n, admin in enumerate(admins):
        if admin.level == EmployerAdmin.Level.DELEGATE:
            group, functions = suffixes[2], ["enrollment_view"]
        else:
            group, functions = suffixes[n // 2 % len(suffixes)], ["enrollment_view", "billing_view"]
        rows += [
            GroupUserObjectPermission(
                user_id=admin.user_id, content_object=group, permission_id=permissions[codename]
            )
            for codename in sorted(access.perms_for_functions(functions))
        ]
    world.insert(GroupUserObjectPermission, rows)


def registration_key_for_unregistered_employer(world: World) -> None:
    """A key for the first employer after the cast's, which has no administrator yet, written
    straight in (no email while seeding) and printed, so that registration can be tried."""
    tenants = world.tenants
    employer = (
        Employer.objects.exclude(pk__in=[tenants.employer.pk, tenants.employer2.pk])
        .filter(admins__isnull=True)
        .order_by("pk")
        .first()
    )
    parent = employer.parent_groups.order_by("number").first()
    EmployerRegistrationKey.objects.create(
        employer=employer,
        email=UNREGISTERED_ADMIN_EMAIL,
        first_name=UNREGISTERED_ADMIN_NAME[0],
        last_name=UNREGISTERED_ADMIN_NAME[1],
        digest=registration_key_digest(REGISTRATION_KEY),
        # Long enough to try the demo weeks after seeding it.
        expires_at=timezone.now() + datetime.timedelta(days=90),
    )
    world.log(
        f"To try employer registration ({employer.name}): group number {parent.number}, "
        f"policyholder ID {employer.policyholder_id.lstrip('0')} (zero-padded to nine digits), "
        f"registration key {registration_key_display(REGISTRATION_KEY)}; the primary "
        f"administrator is {UNREGISTERED_ADMIN_EMAIL}."
    )


def report_definitions(world: World, *, employer) -> None:
    """employer@'s saved reports in Manage Accounts & Reports → Reports: a monthly roster
    emailed when ready, a one-time COBRA list to print and a custom report. None has run yet:
    Run now makes the file in a moment (tasks run in-process in the demo)."""
    from employers.reporting.services import report_definition_create

    common = {"columns": [], "sort": "", "notify": False, "format": "xlsx"}
    for fields in [
        {
            **common,
            "name": "Monthly enrollment roster",
            "kind": "roster",
            "filters": {"groups": [], "statuses": ["active", "pending", "cobra"], "plans": []},
            "schedule": "monthly",
            "schedule_day": 1,
            "notify": True,
        },
        {
            **common,
            "name": "COBRA members to print",
            "kind": "cobra",
            "format": "pdf",
            "filters": {"groups": [], "plans": []},
            "schedule": "none",
            "schedule_day": None,
        },
        {
            **common,
            "name": "New coverage this month",
            "kind": "custom",
            "columns": ["group_number", "member_id", "last_name", "first_name", "plan_name"],
            "sort": "last_name",
            "filters": {
                "groups": [],
                "statuses": [],
                "plans": [],
                "date_field": "coverage_start",
                "period": "month_to_date",
            },
            "schedule": "weekly",
            "schedule_day": 0,
        },
    ]:
        report_definition_create(owner=employer, employer=world.tenants.employer, fields=fields)
