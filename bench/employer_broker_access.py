"""Manage Broker Access as employer@ and Group Billing & Enrollment as broker@.

The seed has employer@ grant broker@ two suffixes, with one line of history. A broker whose
clients delegate widely has hundreds of such groups, and an employer that changes its brokers'
access over years has hundreds of history lines, so the setup tops both up before timing:

- broker@'s grants to 300 groups of their book (501 at scale 26), each with Receive enrollment
  notifications only, written as the employer's service writes them (the grant and the office's
  permission). That function was chosen because no other scenario reads it: broker@'s bills,
  payments and book stay as the seed made them.
- employer@'s history to 300 lines (grant, change and revoke in turn, on its three suffixes).

Both are kept for the next run (they are looked for first), like the bills scenario's top-up.
"""

from django.utils import timezone

from bench import scenario
from brokers import access as broker_access
from brokers.models import BrokerOfRecord
from employers.models import BrokerAccessChange, BrokerAccessGrant, EmployerAdmin
from portal.accounts.models import User

SUMMARY = "/employers/accounts-reports/broker-access/"
HISTORY = "/employers/accounts-reports/broker-access/history/"
DELEGATED = "/brokers/eligibility/group-billing-enrollment/"
GRANTS = 300
CHANGES = 300
PER_PAGE = 25
TOP_UP_FUNCTION = "receive_enrollment_notifications"


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _broker():
    return broker_access.broker_for(User.objects.get(email="broker@demo.test"))


def _grants_for_broker():
    """broker@'s grants topped up to GRANTS groups of their book; returns how many there are."""
    broker = _broker()
    granted = BrokerAccessGrant.objects.filter(broker=broker)
    missing = GRANTS - granted.count()
    if missing > 0:
        records = (
            BrokerOfRecord.objects.filter(broker=broker, end_date__isnull=True)
            .exclude(group__in=granted.values("group"))
            .select_related("group__parent")
            .order_by("group__number")[:missing]
        )
        employer_user = User.objects.get(email="employer@demo.test")
        now = timezone.now()
        grants = [
            BrokerAccessGrant(
                employer_id=record.group.parent.employer_id,
                group=record.group,
                broker=broker,
                functions=[TOP_UP_FUNCTION],
                granted_by=employer_user,
                terms_accepted_at=now,
            )
            for record in records
        ]
        BrokerAccessGrant.objects.bulk_create(grants)
        broker_access.grant_group_functions_in_bulk(
            (broker, grant.group, ["view_group", TOP_UP_FUNCTION]) for grant in grants
        )
    return granted.exclude(functions=[]).count()


def _history_for_employer():
    """employer@'s history topped up to CHANGES lines."""
    admin = EmployerAdmin.objects.select_related("user").get(user__email="employer@demo.test")
    changes = BrokerAccessChange.objects.filter(employer_id=admin.employer_id)
    missing = CHANGES - changes.count()
    if missing > 0:
        broker = _broker()
        numbers = sorted(
            BrokerOfRecord.objects.filter(
                broker=broker, end_date__isnull=True, group__parent__employer_id=admin.employer_id
            ).values_list("group__number", flat=True)
        )
        kinds = [
            (BrokerAccessChange.Kind.REVOKED, {n: ["view_invoice"] for n in numbers}, {}),
            (BrokerAccessChange.Kind.GRANTED, {}, {n: ["view_balance"] for n in numbers}),
            (
                BrokerAccessChange.Kind.CHANGED,
                {n: ["view_balance"] for n in numbers},
                {n: ["view_invoice"] for n in numbers},
            ),
        ]
        now = timezone.now()
        BrokerAccessChange.objects.bulk_create(
            BrokerAccessChange(
                employer_id=admin.employer_id,
                broker=broker,
                kind=kinds[n % 3][0],
                by=admin.user,
                before=kinds[n % 3][1],
                after=kinds[n % 3][2],
                terms_accepted_at=None if kinds[n % 3][0] == "revoked" else now,
            )
            for n in range(missing)
        )


@scenario("broker-delegated-groups-first-page", baseline="bare-view", repeat=200)
def delegated_first_page(ctx):
    """Group Billing & Enrollment as broker@: the first page by group name."""
    _grants_for_broker()
    client = ctx.client_for("broker@demo.test")
    return lambda: _get(client, DELEGATED)


@scenario("broker-delegated-groups-last-page", baseline="bare-view", repeat=200)
def delegated_last_page(ctx):
    """Group Billing & Enrollment as broker@: the last page, latest change first."""
    last = max(1, -(-_grants_for_broker() // PER_PAGE))
    client = ctx.client_for("broker@demo.test")
    return lambda: _get(client, f"{DELEGATED}?sort=-changed&page={last}")


@scenario("employer-broker-access-summary", baseline="bare-view", repeat=200)
def summary(ctx):
    """Summary of Broker Access as employer@."""
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, SUMMARY)


@scenario("employer-broker-access-privileges", baseline="bare-view", repeat=200)
def privileges(ctx):
    """broker@'s Access Privileges as employer@, with the latest changes."""
    _history_for_employer()
    client = ctx.client_for("employer@demo.test")
    path = f"{SUMMARY}{_broker().pk}/"
    return lambda: _get(client, path)


@scenario("employer-broker-access-history", baseline="bare-view", repeat=200)
def history_first_page(ctx):
    """Broker Access History as employer@: the first page, newest first."""
    _history_for_employer()
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, HISTORY)


@scenario("employer-broker-access-history-last-page", baseline="bare-view", repeat=200)
def history_last_page(ctx):
    """Broker Access History as employer@: broker@'s changes, the last page, by kind."""
    _history_for_employer()
    broker = _broker()
    last = max(1, -(-BrokerAccessChange.objects.filter(broker=broker).count() // PER_PAGE))
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, f"{HISTORY}?broker={broker.pk}&sort=kind&page={last}")
