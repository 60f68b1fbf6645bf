"""Brokers' part of the demo world: agencies, brokers with their Broker IDs and licenses, the
brokers of record of every group with the upline's view of broker@'s book, the carrier's
contracting records (and a contracted broker who has not registered yet), and the brokers'
demo logins.

`demo.builder` calls `BrokerBuilder.agencies_and_brokers` before any employer exists;
`writer_for` then names each employer's broker as enrollment draws the employers, and
`brokers_of_record` loads them a batch at a time.
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from brokers import access
from brokers.access import open_office
from brokers.models import Agency, Broker, BrokerCode, ContractingRecord, License, UplineAccess
from brokers.services import (
    DEFAULT_STAFF_TOOLS,
    broker_user_attach,
    brokers_of_record_load,
    office_staff_add,
)
from commissions.demo import Payee
from portal import crypto
from portal.accounts.models import Role, User
from portal.demo import cast
from portal.demo.world import BROKER_BOOK_SHARE, World


class BrokerBuilder:
    def __init__(self, world: World):
        self.world = world
        self.rng = world.rng
        # Broker id -> [(group id, market, group number)] of the groups they write.
        self.groups_of = {}
        # Broker id -> the states they are licensed in, the home state first.
        self.states_of = {}

    def agencies_and_brokers(self):
        """The general agency, agencies A to C, and their brokers; the cast's first in each."""
        world = self.world
        general = Agency(
            name=cast.GENERAL_AGENCY,
            tax_id="001000000",
            account_type=Agency.AccountType.UPLINE,
            phone="(916) 555-0110",
        )
        world.insert(Agency, [general])
        agencies = [
            Agency(name=name, tax_id=f"00100000{i}", upline=upline, phone=f"(916) 555-011{i}")
            for i, (name, upline) in enumerate(
                [(cast.AGENCY_A, general), (cast.AGENCY_B, None), (cast.AGENCY_C, None)], start=1
            )
        ]
        world.insert(Agency, agencies)

        per_agency = min(40, 3 + round(2 * world.scale))
        brokers = []
        # The cast's brokers come first in their agencies, with fixed names.
        plan = [(general, cast.UPLINE_NAME), (general, None)]
        for agency, named in zip(
            agencies, [cast.BROKER_NAME, cast.BROKER2_NAME, None], strict=True
        ):
            plan += [(agency, named)] + [(agency, None)] * (per_agency - 1)
        for serial, (agency, named) in enumerate(plan, start=1):
            first, last = named or world.person()[1:]
            domain = agency.name.split()[0].lower()
            brokers.append(
                Broker(
                    agency=agency,
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last}@{domain}.example".lower().replace(" ", ""),
                    phone=world.pools.phone(self.rng, "916"),
                    npn=f"99{serial:08d}",
                    tax_id=f"00{self.rng.randint(2000000, 9999999)}",
                )
            )
        world.insert(Broker, brokers)

        codes, licenses = [], []
        for serial, broker in enumerate(brokers, start=1):
            # Every broker is paid on groups under a primary code; some also sell individual plans.
            broker.group_code = f"BK{serial:06d}"
            codes.append(
                BrokerCode(broker=broker, code=broker.group_code, label="Group", is_primary=True)
            )
            broker.ifp_code = None
            if serial <= 5 or self.rng.random() < 0.5:
                broker.ifp_code = f"BK{serial:06d}I"
                codes.append(BrokerCode(broker=broker, code=broker.ifp_code, label="Individual"))
            states = ["CA"] + self.rng.sample(["NV", "OR"], self.rng.randint(0, 2))
            self.states_of[broker.pk] = states
            for state in states:
                licenses.append(
                    License(
                        broker=broker,
                        state=state,
                        number=f"{state[0]}{serial:07d}",
                        expires_on=world.as_of + datetime.timedelta(days=self.rng.randint(60, 700)),
                        is_primary=state == "CA",
                    )
                )
        world.insert(BrokerCode, codes)
        world.insert(License, licenses)

        self.brokers = brokers
        self.agency_a = agencies[0]
        world.tenants.upline = brokers[0]
        by_agency = {}
        for broker in brokers:
            by_agency.setdefault(broker.agency_id, []).append(broker)
        world.tenants.broker = by_agency[agencies[0].pk][0]
        world.tenants.broker2 = by_agency[agencies[1].pk][0]
        # Generic employers are written by any broker of the three agencies except the cast's.
        cast_ids = {world.tenants.broker.pk, world.tenants.broker2.pk}
        self.writers = [b for b in brokers if b.agency_id != general.pk and b.pk not in cast_ids]
        # broker@ lets the general agency (upline@'s office) view their groups, rosters not
        # included; each load of brokers of record extends that view to the groups it writes.
        open_office(world.tenants.upline)
        UplineAccess.objects.create(broker=world.tenants.broker, rosters_allowed=False)
        world.say(f"4 agencies, {len(brokers)} brokers")

    def writer_for(self, position: int) -> Broker:
        """The broker who writes the employer at `position` (0-based, the cast's two first).

        broker@ writes the cast's first employer and two in every five after the cast's, so
        their book grows with the scale; broker2@ writes the cast's second; the rest are drawn
        from the other brokers of the three agencies.
        """
        if position < 2:
            return (self.world.tenants.broker, self.world.tenants.broker2)[position]
        share, every = BROKER_BOOK_SHARE
        if (position - 2) % every < share:
            return self.world.tenants.broker
        return self.rng.choice(self.writers)

    def brokers_of_record(self, facts) -> None:
        """Each of a batch's groups (`enrollment.demo.GroupFacts`) gets its writer as broker of
        record from its effective date (and the upline its view of broker@'s)."""
        brokers_of_record_load(
            records=[(f.group, f.writer, f.group.suffix_effective_date) for f in facts]
        )
        for f in facts:
            self.groups_of.setdefault(f.writer.pk, []).append(
                (f.group.pk, f.market, f.group.number)
            )

    def payees(self) -> list[Payee]:
        """Every broker as commissions knows them, with the groups they write."""
        agencies = {a.pk: a.name for a in Agency.objects.all()}
        return [
            Payee(
                npn=b.npn,
                name=f"{b.first_name} {b.last_name}",
                agency_name=agencies[b.agency_id],
                group_code=b.group_code,
                ifp_code=b.ifp_code,
                groups=self.groups_of.get(b.pk, []),
            )
            for b in self.brokers
        ]

    def contracting_records(self) -> None:
        """The carrier's contracting record of every broker, plus the cast's unregistered and
        inactive ones.

        The unregistered broker is contracted at agency A with a Broker ID and a license but
        has no login and no book yet: registering with their NPN and Tax ID works in the demo.
        """
        world = self.world
        first, last = cast.UNREGISTERED_BROKER_NAME
        newcomer = Broker(
            agency=self.agency_a,
            first_name=first,
            last_name=last,
            email=cast.UNREGISTERED_BROKER_EMAIL,
            phone="(916) 555-0150",
            npn=cast.UNREGISTERED_NPN,
            tax_id=cast.UNREGISTERED_TAX_ID,
        )
        world.insert(Broker, [newcomer])
        world.insert(
            BrokerCode,
            # Beyond the BK000001... the other brokers number up from.
            [BrokerCode(broker=newcomer, code="BK999001", label="Group", is_primary=True)],
        )
        world.insert(
            License,
            [
                License(
                    broker=newcomer,
                    state="CA",
                    number="C9990001",
                    expires_on=world.as_of + datetime.timedelta(days=365),
                    is_primary=True,
                )
            ],
        )
        self.states_of[newcomer.pk] = ["CA"]

        # The demo's brokers were contracted before its history begins; the newcomer this month.
        records = [
            self.contracting_record(broker, created_on=world.periods[0]) for broker in self.brokers
        ]
        records.append(self.contracting_record(newcomer, created_on=world.this_month))
        first, last = cast.INACTIVE_NAME
        records.append(
            ContractingRecord(
                npn=cast.INACTIVE_NPN,
                tax_id=cast.INACTIVE_TAX_ID,
                # bulk_create skips save(), which computes the digest.
                tax_id_digest=crypto.digest(cast.INACTIVE_TAX_ID),
                first_name=first,
                last_name=last,
                email=f"{first}.{last}@bayline.example".lower(),
                firm_name=cast.AGENCY_B,
                states_appointed="CA",
                status=ContractingRecord.Status.INACTIVE,
                created_on=world.periods[0],
            )
        )
        world.insert(ContractingRecord, records)
        world.say(f"{len(records)} contracting records")

    def contracting_record(self, broker, *, created_on) -> ContractingRecord:
        return ContractingRecord(
            npn=broker.npn,
            tax_id=broker.tax_id,
            # bulk_create skips save(), which computes the digest.
            tax_id_digest=crypto.digest(broker.tax_id),
            first_name=broker.first_name,
            last_name=broker.last_name,
            email=broker.email,
            firm_name=broker.agency.name,
            states_appointed=", ".join(self.states_of[broker.pk]),
            status=ContractingRecord.Status.ACTIVE,
            created_on=created_on,
        )


def create_logins(world: World, password_hash) -> dict:
    """broker@ with staff@ in their office, upline@ and broker2@; returns the users by email."""
    tenants = world.tenants
    broker = cast.login_create("broker@demo.test", *cast.BROKER_NAME, Role.BROKER, password_hash)
    broker_user_attach(broker=tenants.broker, user=broker)

    staff = cast.login_create(
        "staff@demo.test", "Casey", "Brennan", Role.BROKER_STAFF, password_hash
    )
    office_staff_add(broker=tenants.broker, user=staff)
    office_staff_crowd(world, tenants.broker, password_hash)

    upline = cast.login_create("upline@demo.test", *cast.UPLINE_NAME, Role.BROKER, password_hash)
    broker_user_attach(broker=tenants.upline, user=upline)

    broker2 = cast.login_create("broker2@demo.test", *cast.BROKER2_NAME, Role.BROKER, password_hash)
    broker_user_attach(broker=tenants.broker2, user=broker2)
    return {user.email: user for user in (broker, staff, upline, broker2)}


# More office staff for broker@, per unit of --scale, so that Manage Accounts has a list to page,
# search and filter in the demo and in the benchmarks; their statuses take turns.
OFFICE_STAFF_PER_SCALE = 4


def office_staff_crowd(world: World, broker: Broker, password_hash) -> None:
    """broker@'s other office staff, none of whom can sign in: pending, active, locked or
    disabled in turn. Bulk inserts: at scale 265 there are a thousand."""
    count = max(OFFICE_STAFF_PER_SCALE, round(OFFICE_STAFF_PER_SCALE * world.scale))
    users = []
    for n in range(count):
        _gender, first, last = world.person()
        status = n % 4
        users.append(
            User(
                email=f"office{n + 1}@demo.test",
                first_name=first,
                last_name=last,
                role=Role.BROKER_STAFF,
                # Pending registration: an unusable password, set when the link is used.
                password=make_password(None) if status == 0 else password_hash,
                locked_at=timezone.now() if status == 2 else None,
                is_active=status != 3,
            )
        )
    users = world.insert(User, users)
    office = open_office(broker)
    permissions = list(access.tool_permissions(DEFAULT_STAFF_TOOLS))
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=office.pk) for user in users
    )
    User.user_permissions.through.objects.bulk_create(
        User.user_permissions.through(user_id=user.pk, permission_id=permission.pk)
        for user in users
        for permission in permissions
    )
