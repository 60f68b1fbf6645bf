"""Manage Broker Access, its reads: the employer's brokers of record, what each may do on which
group, and the history of changes.

A broker appears here while they are the current broker of record for a group the administrator
may see; what the employer granted them on a group ends with that (employers.services
.broker_access_end). Any other broker answers 404, like one that does not exist.
"""

from dataclasses import dataclass, field

from django.http import Http404

from brokers.models import Agency, Broker, BrokerOfRecord
from employers import access
from employers.models import BrokerAccessChange, BrokerAccessGrant


@dataclass
class BrokerGroupAccess:
    """One group of a broker's book at this employer, and the functions granted there."""

    group: object
    functions: list = field(default_factory=list)


@dataclass
class BrokerOfRecordAccess:
    """A broker of record of the employer, the groups of theirs the user may see, and what the
    employer granted on each."""

    broker: Broker
    groups: list = field(default_factory=list)

    @property
    def is_general_agent(self):
        return self.broker.agency.account_type == Agency.AccountType.UPLINE

    @property
    def granted_groups(self):
        return [row for row in self.groups if row.functions]


def _records_for(user):
    """The current broker-of-record rows of the groups the user may see, with broker, agency
    and group."""
    return (
        BrokerOfRecord.objects.filter(
            end_date__isnull=True, group__in=access.visible_groups(user, "view_group")
        )
        .select_related("broker__agency", "group")
        .order_by("broker__last_name", "broker__first_name", "broker_id", "group__number")
    )


def brokers_of_record_for(user, broker=None) -> list[BrokerOfRecordAccess]:
    """Summary of Broker Access: every broker of record of the groups the user may see (a
    client administrator: all the employer's), each with those groups and the functions the
    employer granted there. Two queries (three with the permission's id for a group
    administrator), however many brokers and groups; only `broker`'s with one given."""
    records = _records_for(user)
    if broker is not None:
        records = records.filter(broker=broker)
    records = list(records)
    grants = BrokerAccessGrant.objects.filter(
        group__in=[record.group_id for record in records],
        broker__in={record.broker_id for record in records},
    ).values_list("group_id", "broker_id", "functions")
    functions = {(group_id, broker_id): names for group_id, broker_id, names in grants}
    summaries = {}
    for record in records:
        summary = summaries.setdefault(record.broker_id, BrokerOfRecordAccess(record.broker))
        granted = functions.get((record.group_id, record.broker_id), [])
        summary.groups.append(BrokerGroupAccess(record.group, sorted(granted)))
    return list(summaries.values())


def get_broker_of_record_for(user, pk) -> BrokerOfRecordAccess:
    """The broker `pk` with their groups and grants, if they are the current broker of record
    of a group the user may see; 404 otherwise."""
    found = brokers_of_record_for(user, broker=pk)
    if not found:
        raise Http404
    return found[0]


# The history's sort keys, as they appear in its URLs.
CHANGE_SORTS = {
    "at": ("at", "pk"),
    "broker": ("broker__last_name", "broker__first_name", "at", "pk"),
    "kind": ("kind", "at", "pk"),
}


def broker_access_changes_for(user, *, broker=None, sort="-at"):
    """The history of the employer's broker access, newest first by default; a client
    administrator's only (none for anyone else). `broker` narrows it to one broker."""
    admin = access.admin_for(user)
    if admin is None or not admin.is_client_admin:
        return BrokerAccessChange.objects.none()
    changes = BrokerAccessChange.objects.filter(employer_id=admin.employer_id).select_related(
        "broker", "by"
    )
    if broker is not None:
        changes = changes.filter(broker=broker)
    columns = CHANGE_SORTS.get(sort.removeprefix("-"), CHANGE_SORTS["at"])
    descending = "-" if sort.startswith("-") else ""
    return changes.order_by(*(f"{descending}{column}" for column in columns))


def brokers_in_history_for(user):
    """The brokers the employer's history names, for its filter (a broker no longer of record
    stays in it)."""
    admin = access.admin_for(user)
    if admin is None or not admin.is_client_admin:
        return Broker.objects.none()
    return Broker.objects.filter(
        pk__in=BrokerAccessChange.objects.filter(employer_id=admin.employer_id).values("broker_id")
    ).order_by("last_name", "first_name")
