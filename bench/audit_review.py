"""Audit review and access review in the admin, as ops@.

The seed's audit log holds what the demo's own page views wrote; a carrier that has run the
portal for years holds millions of rows, so the setup tops the log up to AUDIT_EVENTS (views and
changes of a thousand members by the demo's portal users, one every few minutes over the past
years) with one INSERT ... SELECT before timing. The rows are kept in the bench database.
"""

from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from bench import scenario
from brokers.models import BrokerOfRecord
from enrollment.models import Member
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.reports import AUDIT_REVIEW_PERMISSION

AUDIT_LIST = "/admin/audit/auditevent/"
AUDIT_EVENTS = 1_000_000
MEMBERS_AUDITED = 1000


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _ops_client(ctx):
    """ops@, in the security role (whose permission the reviews need) as the demo makes them;
    a bench database seeded before that role existed gets the permission itself."""
    ops = User.objects.get(email="ops@demo.test")
    if not ops.has_perm(AUDIT_REVIEW_PERMISSION):
        security = AuthGroup.objects.filter(name="Ops: security").first()
        if security is not None and security.permissions.filter(codename="view_auditevent"):
            ops.groups.add(security)
        else:
            ops.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    return ctx.client_for("ops@demo.test")


def _audit_log():
    """Top the log up to AUDIT_EVENTS rows; returns the member with the most events."""
    missing = AUDIT_EVENTS - AuditEvent.objects.count()
    members = list(Member.objects.order_by("pk").values_list("pk", flat=True)[:MEMBERS_AUDITED])
    if missing > 0:
        users = list(
            User.objects.filter(email__endswith="@demo.test", is_staff=False).values_list(
                "pk", flat=True
            )
        )
        # The rows are append-only through the ORM (no UPDATE to spread their times), so they
        # are written with their times in one statement.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO audit_auditevent (at, user_id, action, object_type, object_id, path)
                SELECT now() - n * interval '2 minutes',
                       (%s::int[])[1 + n %% cardinality(%s::int[])],
                       CASE WHEN n %% 10 = 0 THEN 'change' ELSE 'view' END,
                       'enrollment.Member',
                       ((%s::int[])[1 + n %% cardinality(%s::int[])])::text,
                       '/bench/'
                FROM generate_series(1, %s) AS n
                """,
                [users, users, members, members, missing],
            )
    return members[0]


@scenario("audit-log-first-page", baseline="bare-view", repeat=50)
def audit_log_first_page(ctx):
    """The audit log's first page, newest first, unfiltered."""
    _audit_log()
    client = _ops_client(ctx)
    return lambda: _get(client, AUDIT_LIST)


@scenario("audit-log-member", baseline="bare-view", repeat=50)
def audit_log_member(ctx):
    """The audit log filtered to one member (about a thousand events)."""
    member = _audit_log()
    client = _ops_client(ctx)
    path = f"{AUDIT_LIST}?object_type=enrollment.Member&object_id={member}"
    return lambda: _get(client, path)


@scenario("audit-log-user-dates", baseline="bare-view", repeat=50)
def audit_log_user_dates(ctx):
    """The audit log filtered to broker@'s events in the last 30 days."""
    _audit_log()
    broker = User.objects.get(email="broker@demo.test")
    today = timezone.localdate()
    start = today - timezone.timedelta(days=30)
    client = _ops_client(ctx)
    path = f"{AUDIT_LIST}?user={broker.pk}&at_from={start:%Y-%m-%d}&at_to={today:%Y-%m-%d}"
    return lambda: _get(client, path)


@scenario("audit-member-history", baseline="bare-view", repeat=50)
def member_history(ctx):
    """A member's admin page with who viewed or changed them (their latest 20 events)."""
    member = _audit_log()
    client = _ops_client(ctx)
    return lambda: _get(client, f"/admin/enrollment/member/{member}/change/")


@scenario("access-review-group", baseline="bare-view", repeat=50)
def access_review_group(ctx):
    """Who can reach employer@'s first suffix, and through which grant."""
    employer = User.objects.get(email="employer@demo.test")
    group = (
        BrokerOfRecord.objects.filter(
            group__parent__employer__admins__user=employer, end_date__isnull=True
        )
        .order_by("group__number")
        .values_list("group_id", flat=True)
        .first()
    )
    client = _ops_client(ctx)
    return lambda: _get(client, f"/admin/access-review/groups/{group}/")


@scenario("access-review-user", baseline="bare-view", repeat=20)
def access_review_user(ctx):
    """Everything the broker with the largest book can reach (every group, with its grants)."""
    broker = (
        BrokerOfRecord.objects.filter(end_date__isnull=True, broker__user__isnull=False)
        .values("broker__user")
        .annotate(groups=Count("pk"))
        .order_by("-groups")
        .values_list("broker__user", flat=True)
        .first()
    )
    client = _ops_client(ctx)
    return lambda: _get(client, f"/admin/access-review/users/{broker}/")


@scenario("audit-admin-reference", baseline="bare-view", repeat=50)
def admin_reference(ctx):
    """For comparison: Django's own list of plans as ops@ (a small table, no code of ours)."""
    client = _ops_client(ctx)
    return lambda: _get(client, "/admin/enrollment/plan/")
