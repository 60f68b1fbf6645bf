from django.db import transaction

from brokers import access
from brokers.models import Broker, BrokerOfRecord, License
from portal.accounts.models import Role, User
from portal.activity.services import activity_record
from portal.mail import email_send

# What a new staff user may use until the broker says otherwise: everything but commissions
# and the office's own user administration.
DEFAULT_STAFF_TOOLS = (access.Tool.BOOK_OF_BUSINESS, access.Tool.ELIGIBILITY)


@transaction.atomic
def broker_user_attach(*, broker: Broker, user: User) -> Broker:
    """Make `user` the portal login of a contracted broker and open their office."""
    user.role = Role.BROKER
    user.save(update_fields=["role"])
    broker.user = user
    broker.save(update_fields=["user"])
    access.open_office(broker)
    return broker


@transaction.atomic
def office_staff_add(*, broker: Broker, user: User, tools=DEFAULT_STAFF_TOOLS) -> User:
    """Add a staff user to a broker's office with the tools the broker grants them."""
    user.role = Role.BROKER_STAFF
    user.save(update_fields=["role"])
    user.groups.add(access.open_office(broker))
    user.user_permissions.set(access.tool_permissions(tools))
    return user


@transaction.atomic
def broker_of_record_start(*, group, broker: Broker, start_date) -> BrokerOfRecord:
    """Make `broker` the group's broker of record from `start_date`, ending the previous one.

    The previous broker's office loses the book-of-business view of the group, and with it any
    billing or enrollment functions the employer had granted them.
    """
    current = (
        BrokerOfRecord.objects.select_for_update()
        .filter(group=group, end_date__isnull=True)
        .first()
    )
    if current is not None:
        current.end_date = max(start_date, current.start_date)
        current.save(update_fields=["end_date"])
        access.revoke_group_functions(
            current.broker, group, access.BOOK_OF_BUSINESS_PERMS + access.GRANTABLE_FUNCTIONS
        )
    record = BrokerOfRecord.objects.create(group=group, broker=broker, start_date=start_date)
    access.grant_book_of_business(record)
    return record


@transaction.atomic
def brokers_of_record_load(*, records) -> list[BrokerOfRecord]:
    """Load brokers of record for groups that have none yet, in bulk (a carrier data load).

    `records` are (group, broker, start_date). Each office gets its book-of-business view of its
    groups, as broker_of_record_start gives it, in a handful of queries however many groups.
    """
    rows = BrokerOfRecord.objects.bulk_create(
        BrokerOfRecord(group=group, broker=broker, start_date=start_date)
        for group, broker, start_date in records
    )
    access.grant_group_functions_in_bulk(
        (row.broker, row.group, access.BOOK_OF_BUSINESS_PERMS) for row in rows
    )
    return rows


def upline_view_grant(*, groups, upline: Broker) -> None:
    """Let a general agency's office view groups of one of its agencies."""
    access.grant_group_functions_in_bulk((upline, group, ["view_group"]) for group in groups)


def office_activity_record(*, broker: Broker, summary: str, actor: User | None = None, link=""):
    """Tell a broker what happened in their office: a line in Recent Activity and an email."""
    if broker.user is None:
        return
    activity_record(recipients=[broker.user], summary=summary, actor=actor, link=link)
    email_send(
        to=[broker.user.email],
        template="brokers_office_activity",
        context={"broker": broker, "summary": summary},
    )


@transaction.atomic
def broker_phone_update(*, broker: Broker, phone: str, by: User) -> Broker:
    broker.phone = phone
    broker.save(update_fields=["phone"])
    activity_record(recipients=[by], summary="You updated your telephone number.", actor=by)
    return broker


@transaction.atomic
def license_mark_primary(*, license: License, by: User) -> License:
    """Make `license` the broker's primary profile; the previous primary stops being one."""
    License.objects.filter(broker_id=license.broker_id, is_primary=True).exclude(
        pk=license.pk
    ).update(is_primary=False)
    license.is_primary = True
    license.save(update_fields=["is_primary"])
    activity_record(
        recipients=[by],
        summary=f"You made your {license.state} license {license.number} your primary profile.",
        actor=by,
    )
    return license
