"""Who in a broker office may see or do what. Brokers' object permissions are written only here.

A broker and the staff users they create share an office (a Django auth group). Being broker of
record for a group grants the office `view_group` and `view_roster` on it; an employer's grant
adds billing and enrollment functions; an upline office may be granted view.
"""

import functools
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef

from brokers.models import Agency, Broker, BrokerCode, BrokerOfRecord
from enrollment.models import Group, GroupGroupObjectPermission
from portal.access import with_object_perm
from portal.accounts.decorators import audience_required
from portal.accounts.models import Role

BOOK_OF_BUSINESS_PERMS = ("view_group", "view_roster")
# What an employer can grant a broker on one of its groups (the seeds' billing and enrollment
# functions); "view" comes with being broker of record.
GRANTABLE_FUNCTIONS = (
    "view_invoice",
    "view_payment_history",
    "view_balance",
    "pay_bill",
    "perform_enrollment",
    "receive_enrollment_notifications",
    "run_reports",
)
BROKER_ROLES = (Role.BROKER, Role.BROKER_STAFF)
# The decorator for every signed-in page of the broker portal.
broker_portal = audience_required(*BROKER_ROLES)


def broker_for(user):
    """The broker whose office the user works in (themselves, for a broker), or None.

    Kept on the user object, with the broker's Broker IDs: a page asks in its view and again
    in its layout (the Broker ID picker), and the answers can't change within one request.
    """
    if not hasattr(user, "_office_broker"):
        user._office_broker, user._office_codes = _office_broker_and_codes(user)
    return user._office_broker


def _office_broker_and_codes(user):
    """(broker, its Broker IDs primary first) for the user's office, in one query.

    Every broker page shows both. The query is written out: the ORM took a millisecond to
    build and compile it (the select_related and the subquery), PostgreSQL a tenth of that to
    run it, on every broker page (bench book-first-page). The broker's agency comes along, and
    a broker without any Broker ID is still one query (the codes are a LEFT JOIN).
    """
    if user.role == Role.BROKER:
        office_broker = "u0.user_id = %s"
    elif user.role == Role.BROKER_STAFF:
        user_groups = _table(get_user_model().groups.through)
        office_broker = (
            f"u0.office_id IN (SELECT ug.group_id FROM {user_groups} ug "  # noqa: S608
            "WHERE ug.user_id = %s)"
        )
    else:
        return None, []
    broker_columns, agency_columns, code_columns = _office_columns()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {broker_columns}, {agency_columns}, {code_columns} "  # noqa: S608
            f"FROM {_table(Broker)} b JOIN {_table(Agency)} a ON a.id = b.agency_id "
            f"LEFT JOIN {_table(BrokerCode)} c ON c.broker_id = b.id "
            # The first in Broker's ordering, as first() is; codes in BrokerCode's ordering.
            f"WHERE b.id = (SELECT u0.id FROM {_table(Broker)} u0 WHERE {office_broker} "
            "ORDER BY u0.last_name, u0.first_name LIMIT 1) "
            "ORDER BY c.is_primary DESC, c.code",
            [user.pk],
        )
        found = cursor.fetchall()
    if not found:
        return None, []
    broker = _from_row(Broker, found[0], 0)
    broker.agency = _from_row(Agency, found[0], len(Broker._meta.concrete_fields))
    codes = []
    start = len(Broker._meta.concrete_fields) + len(Agency._meta.concrete_fields)
    for row in found:
        if row[start] is not None:
            code = _from_row(BrokerCode, row, start)
            code.broker = broker
            codes.append(code)
    return broker, codes


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


@functools.cache
def _office_columns():
    return tuple(
        ", ".join(
            f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields
        )
        for alias, model in (("b", Broker), ("a", Agency), ("c", BrokerCode))
    )


@functools.cache
def _converters(model):
    """The database's and the fields' converters of `model`'s columns, as the ORM applies them
    (SQLite hands back booleans as integers and dates as text)."""
    converters = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        converters.append(
            connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        )
    return converters


def _from_row(model, row, start):
    fields = model._meta.concrete_fields
    values = []
    for field, converters, value in zip(
        fields, _converters(model), row[start : start + len(fields)], strict=False
    ):
        for converter in converters:
            value = converter(value, field.get_col(model._meta.db_table), connection)
        values.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], values)


BROKER_CODE_SESSION_KEY = "brokers.broker_code"


def broker_codes_for(user):
    """The Broker IDs the user's office works under, primary first."""
    broker_for(user)
    return list(user._office_codes)


def acting_broker_code(request, codes=None):
    """The Broker ID chosen in "Viewing dashboard for" (kept in the session), else the primary.

    Pages that depend on a Broker ID (commissions, book of business) read it from here.
    """
    codes = broker_codes_for(request.user) if codes is None else codes
    chosen = request.session.get(BROKER_CODE_SESSION_KEY)
    return next((code for code in codes if code.pk == chosen), codes[0] if codes else None)


def visible_groups(user, perm="view_group"):
    """Groups the user's office holds `perm` on."""
    if user.role not in BROKER_ROLES:
        return Group.objects.none()
    return with_object_perm(Group.objects.all(), user, perm)


class Tool:
    """The portal's tools a broker grants to office staff one by one; a broker has them all."""

    BOOK_OF_BUSINESS = "brokers.use_book_of_business"
    COMMISSION_STATEMENTS = "brokers.use_commission_statements"
    ELIGIBILITY = "brokers.use_eligibility"
    MANAGE_ACCOUNTS = "brokers.manage_accounts"

    ALL = (BOOK_OF_BUSINESS, COMMISSION_STATEMENTS, ELIGIBILITY, MANAGE_ACCOUNTS)


class BrokerToolBackend:
    """An authorization backend: a broker holds every tool, so views just ask `has_perm`."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user, perm, obj=None):
        return obj is None and perm in Tool.ALL and user.is_active and user.role == Role.BROKER


def tool_required(tool):
    """A view decorator: 403 for a broker-portal user whose broker has not granted `tool`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(tool):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def can_view_commissions(user):
    """Brokers see their commissions; staff only when the broker allowed it."""
    return user.has_perm(Tool.COMMISSION_STATEMENTS)


def tool_permissions(tools):
    """The Permission rows for tool names like "brokers.manage_accounts"."""
    codenames = [tool.split(".", 1)[1] for tool in tools]
    return Permission.objects.filter(
        content_type=ContentType.objects.get_for_model(Broker), codename__in=codenames
    )


def open_office(broker):
    """Give a broker an office group of their own, with themselves in it."""
    if broker.office is None:
        broker.office = AuthGroup.objects.create(name=f"Broker office {broker.npn}")
        broker.save(update_fields=["office"])
    if broker.user is not None:
        broker.user.groups.add(broker.office)
    return broker.office


def grant_group_functions(broker, group, perms):
    grant_group_functions_in_bulk([(broker, group, perms)])


def revoke_group_functions(broker, group, perms):
    """Take `perms` on `group` away from the broker's office, in one DELETE."""
    if broker.office_id is not None:
        GroupGroupObjectPermission.objects.filter(
            group_id=broker.office_id, content_object=group, permission__codename__in=perms
        ).delete()


def grant_group_functions_in_bulk(grants):
    """Grant many (broker, group, perms) at once: one INSERT, for data loads of thousands of groups.

    Writes guardian's direct-FK rows itself, the rows assign_perm would write one by one.
    """
    grants = list(grants)
    codenames = {perm for _, _, perms in grants for perm in perms}
    permissions = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Group), codename__in=codenames
        )
    }
    offices = {}
    rows = []
    for broker, group, perms in grants:
        if broker.pk not in offices:
            offices[broker.pk] = open_office(broker)
        rows += [
            GroupGroupObjectPermission(
                group=offices[broker.pk], permission=permissions[perm], content_object=group
            )
            for perm in perms
        ]
    GroupGroupObjectPermission.objects.bulk_create(rows, ignore_conflicts=True)


def grant_book_of_business(broker_of_record):
    grant_group_functions(broker_of_record.broker, broker_of_record.group, BOOK_OF_BUSINESS_PERMS)


def upline_brokers(broker):
    """The brokers, with offices, of the general agency above the broker's agency."""
    if broker.agency.upline_id is None:
        return []
    return list(
        Broker.objects.filter(
            agency_id=broker.agency.upline_id, office__isnull=False
        ).select_related("user", "office")
    )


def grant_upline_view(broker, groups, *, rosters):
    """Let the upline offices view `groups` of the broker's book, and their rosters if allowed."""
    perms = BOOK_OF_BUSINESS_PERMS if rosters else ("view_group",)
    grant_group_functions_in_bulk(
        (upline, group, perms) for upline in upline_brokers(broker) for group in groups
    )


def revoke_upline_view(broker, groups):
    """Take the upline offices' view of `groups` away, in one DELETE.

    What an upline office holds as the group's own broker of record stays; the functions an
    employer granted it are not view permissions and are not touched.
    """
    office_ids = [upline.office_id for upline in upline_brokers(broker)]
    if not office_ids:
        return
    own_book = BrokerOfRecord.objects.filter(
        group_id=OuterRef("content_object_id"),
        broker__office_id=OuterRef("group_id"),
        end_date__isnull=True,
    )
    GroupGroupObjectPermission.objects.filter(
        group_id__in=office_ids,
        content_object__in=groups,
        permission__codename__in=BOOK_OF_BUSINESS_PERMS,
    ).exclude(Exists(own_book)).delete()
