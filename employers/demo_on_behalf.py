"""Brokers on an employer's behalf, for the demo: employer@ also lets broker@ pay the bills of
its first suffix (its Manage Broker Access history says so), and broker@ has already changed
one of that suffix's employees' PCP for the employer, so the member's history in both portals
shows a change made by the broker on the employer's behalf.

Runs after the logins and payment accounts exist; draws nothing from `world.rng`.
"""

from django.utils import timezone

from employers.access import on_behalf_of_text
from employers.models import BrokerAccessChange
from employers.services import broker_access_grant
from enrollment import services
from enrollment.models import Member
from portal.dates import add_months
from portal.demo import cast

PAYING_FUNCTIONS = sorted([*cast.GRANTED_FUNCTIONS, "pay_bill"])
DEMO_PCP = ("Dr. Imani Okafor", "1679576722")


def on_behalf_demo(world, users):
    tenants = world.tenants
    employer_user = users.get("employer@demo.test")
    broker_user = users.get("broker@demo.test")
    if employer_user is None or broker_user is None or not tenants.employer_groups:
        return
    group = tenants.employer_groups[0]
    broker_access_grant(
        group=group, broker=tenants.broker, functions=PAYING_FUNCTIONS, by=employer_user
    )
    granted = {g.number: sorted(cast.GRANTED_FUNCTIONS) for g in tenants.employer_groups[:2]}
    # Its line in Manage Broker Access's history, written straight in: no email while seeding.
    BrokerAccessChange.objects.create(
        employer=tenants.employer,
        broker=tenants.broker,
        kind=BrokerAccessChange.Kind.CHANGED,
        by=employer_user,
        before=granted,
        after={**granted, group.number: PAYING_FUNCTIONS},
        terms_accepted_at=timezone.now(),
    )
    member = (
        Member.objects.filter(
            group=group, relationship=Member.Relationship.SUBSCRIBER, status=Member.Status.ACTIVE
        )
        .order_by("pk")
        .first()
    )
    if member is None:
        return
    services.pcp_change(
        member=member,
        pcp_name=DEMO_PCP[0],
        pcp_npi=DEMO_PCP[1],
        # A PCP change starts today or later, whatever day the world is built "as of".
        effective_date=add_months(max(world.as_of, timezone.localdate()), 1).replace(day=1),
        by=broker_user,
        on_behalf_of=on_behalf_of_text(broker_user, tenants.employer),
    )
    world.say(f"broker@ pays {group.number}'s bills and changed {member.member_id}'s PCP")
