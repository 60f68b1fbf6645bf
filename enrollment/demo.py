"""Enrollment's part of the demo world: plans, employers with their parent groups and suffixes,
subscribers and dependents, coverage and the enroll events.

`demo.builder` calls these in its order. Who sells an employer is not enrollment's business: the
caller passes a `writer_for(position)` whose answer rides along, unopened, in `GroupFacts`.
"""

import datetime
from dataclasses import dataclass

from enrollment.models import Coverage, Employer, EnrollmentEvent, Group, Member, ParentGroup, Plan
from portal.demo import cast
from portal.demo.pools import PLACES
from portal.demo.world import (
    BATCH,
    EMPLOYERS_PER_SCALE,
    LARGE_EMPLOYER_SUBSCRIBERS_PER_SCALE,
    SUBSCRIBERS_PER_SCALE,
    World,
    add_months,
    month_end,
    months_between,
)

# The cost share each metal puts in a plan's name.
METALS = {"Bronze": "6300/65", "Silver": "2500/40", "Gold": "1000/25", "Platinum": "0/15"}
PLAN_LINEUP = {
    Plan.Market.SMALL_GROUP: ["Bronze", "Silver", "Gold"],
    Plan.Market.LARGE_GROUP: ["Silver", "Gold", "Platinum"],
    Plan.Market.IFP: ["Bronze", "Silver", "Gold"],
}
MARKET_CODES = {
    Plan.Market.SMALL_GROUP: "SG",
    Plan.Market.LARGE_GROUP: "LG",
    Plan.Market.IFP: "IFP",
}
TIER_WEIGHTS = {"EE": 55, "ES": 15, "EC": 12, "FAM": 18}

# SIC code, a word for the employer's name.
INDUSTRIES = [
    ("7372", "Software"),
    ("8011", "Medical Clinic"),
    ("5812", "Kitchen"),
    ("1521", "Builders"),
    ("8111", "Law Group"),
    ("5411", "Market"),
    ("4213", "Freight"),
    ("7011", "Hotel"),
    ("8211", "Academy"),
    ("3599", "Machine Works"),
    ("6531", "Realty"),
    ("8721", "Accounting"),
    ("0782", "Landscaping"),
    ("7538", "Auto Repair"),
]
COMPANY_ENDINGS = ["Inc.", "LLC", "Co.", "Group", "Partners"]
SUFFIX_NAMES = ["Salaried", "Hourly", "Part-time eligible", "Executives", "Retirees"]


@dataclass
class GroupFacts:
    """What later steps need about a group, kept after its rows have left memory."""

    group: Group
    market: str
    plans: list
    subscribers: int
    # How the employer pays its bills ("prompt" or "late"), for billing.
    payer: str
    # Whoever `writer_for` named: the broker of record, to enrollment an opaque token.
    writer: object


@dataclass
class Enrolled:
    """A batch's members, for the claims and bills built on them."""

    members: list
    # Subscriber id -> (tier, coverage start, coverage end), shared by the family.
    family_of: dict
    # Group id -> the subscribers' [(plan, tier, start, end)].
    coverage_by_group: dict


def plans(world: World) -> dict:
    """Every plan on sale; returns them by (state, market)."""
    rows = []
    for state in PLACES:
        for market, metals in PLAN_LINEUP.items():
            for plan_type in Plan.PlanType.values:
                for metal in metals:
                    code = f"{state}-{MARKET_CODES[market]}-{plan_type}-{metal[0]}"
                    rows.append(
                        Plan(
                            code=code,
                            name=f"{metal} {plan_type} {METALS[metal]}",
                            plan_type=plan_type,
                            market=market,
                            state=state,
                        )
                    )
    world.insert(Plan, rows)
    plans_by = {}
    for plan in rows:
        plans_by.setdefault((plan.state, plan.market), []).append(plan)
    world.say(f"{len(rows)} plans")
    return plans_by


class EmployerBuilder:
    """Employers and their members, a batch at a time.

    `pcps` is the [(name, NPI)] that HMO members choose a primary care physician from.
    """

    def __init__(self, world: World, *, plans_by: dict, pcps: list):
        self.world = world
        self.rng = world.rng
        self.plans_by = plans_by
        self.pcps = pcps
        self.member_serial = 0

    def employer_count(self):
        return max(4, round(EMPLOYERS_PER_SCALE * self.world.scale))

    def specs(self, writer_for):
        """(name, writer, [(suffix name, subscribers)]) for every employer, the cast's first."""
        rng = self.rng
        yield cast.EMPLOYER_NAME, writer_for(0), cast.EMPLOYER_SUFFIXES
        yield cast.EMPLOYER2_NAME, writer_for(1), cast.EMPLOYER2_SUFFIXES
        large = max(10, round(LARGE_EMPLOYER_SUBSCRIBERS_PER_SCALE * self.world.scale))
        yield None, writer_for(2), self.split_among_suffixes(large, 5)
        count = self.employer_count() - 3
        cast_subscribers = sum(n for _, n in cast.EMPLOYER_SUFFIXES + cast.EMPLOYER2_SUFFIXES)
        wanted = max(
            3.0 * count, SUBSCRIBERS_PER_SCALE * self.world.scale - cast_subscribers - large
        )
        # A long tail of sizes, like a real book: many small employers, a few large ones. The
        # draws are then scaled to the wanted total, so a small world is not at the mercy of
        # one large employer.
        draws = [rng.lognormvariate(0, 0.9) for _ in range(count)]
        sizes = [min(20_000, max(2, round(d * wanted / sum(draws)))) for d in draws]
        for i, size in enumerate(sizes):
            suffixes = min(size, rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 20, 12, 8])[0])
            yield None, writer_for(i + 3), self.split_among_suffixes(size, suffixes)

    def split_among_suffixes(self, size, suffixes):
        """[(suffix name, subscribers)]: `size` subscribers over `suffixes` suffixes."""
        weights = [self.rng.random() + 0.2 for _ in range(suffixes)]
        split = [max(1, round(size * w / sum(weights))) for w in weights]
        names = ["All employees"] if suffixes == 1 else SUFFIX_NAMES[:suffixes]
        return list(zip(names, split, strict=True))

    def batches(self, writer_for):
        """Insert the employers a batch at a time, yielding each batch's [GroupFacts].

        The caller builds the batch's members, bills and the rest before asking for the next:
        the next employers' draws come after theirs.
        """
        batch, batch_subscribers, done = [], 0, 0
        total = self.employer_count()
        for spec in self.specs(writer_for):
            batch.append(spec)
            batch_subscribers += sum(n for _, n in spec[2])
            if batch_subscribers >= BATCH // 2:
                yield self.employers(batch, first_serial=done)
                done += len(batch)
                self.say_progress(done, total)
                batch, batch_subscribers = [], 0
        if batch:
            yield self.employers(batch, first_serial=done)
            done += len(batch)
        self.say_progress(done, total)

    def say_progress(self, done, total):
        members = self.world.counts.get("members", 0)
        self.world.say(f"employers {done:,}/{total:,}, members {members:,}")

    def employers(self, specs, *, first_serial):
        world, rng, pools = self.world, self.rng, self.world.pools
        employers, parents, groups, facts = [], [], [], []
        for offset, (name, writer, suffixes) in enumerate(specs):
            serial = first_serial + offset + 1
            sic, noun = rng.choice(INDUSTRIES)
            if name is None:
                name = f"{rng.choice(pools.company_words)} {noun} {rng.choice(COMPANY_ENDINGS)}"
            size = sum(n for _, n in suffixes)
            market = Plan.Market.LARGE_GROUP if size >= 100 else Plan.Market.SMALL_GROUP
            state = "CA" if serial <= 2 else pools.state(rng)
            original = add_months(world.this_month, -rng.randint(2, 144))
            employer = Employer(name=name, policyholder_id=f"{100000 + serial:09d}")
            parent = ParentGroup(
                employer=employer, number=f"{200000 + serial}", name=name, effective_date=original
            )
            employers.append(employer)
            parents.append(parent)

            domain = name.split()[0].lower() + ".example"
            _, admin_first, admin_last = world.person()
            _, billing_first, billing_last = world.person()
            city, _, zip_code, area = pools.place(rng, state)
            street = pools.street(rng)
            separate_billing = rng.random() < 0.2
            if separate_billing:
                bill_city, _, bill_zip, _ = pools.place(rng, state)
                bill_street = pools.street(rng)
            else:
                bill_city, bill_zip, bill_street = city, zip_code, street
            if market == Plan.Market.SMALL_GROUP:
                rating = rng.choices(["composite", "age_rated"], weights=[60, 40])[0]
            else:
                rating = rng.choices(["composite", "list_billed"], weights=[80, 20])[0]
            waiting = rng.choice(Group.WaitingPeriod.values)
            offered = self.plans_by[(state, market)]
            plan_choice = rng.sample(offered, rng.randint(1, 3))

            for k, (suffix_name, subscribers) in enumerate(suffixes, start=1):
                status = Group.Status.ACTIVE
                if serial > 2:
                    status = rng.choices(Group.Status.values, weights=[90, 3, 7])[0]
                if k == 1:
                    effective = original
                else:
                    effective = world.first_of_month_between(
                        original, add_months(world.this_month, -1)
                    )
                cancelled_on = None
                if status == Group.Status.PENDING:
                    effective = add_months(world.this_month, 1)
                elif status == Group.Status.CANCELLED:
                    if effective >= world.this_month:
                        status = Group.Status.ACTIVE
                    else:
                        last_month = world.first_of_month_between(
                            effective, add_months(world.this_month, -1)
                        )
                        cancelled_on = month_end(last_month)
                renewals = months_between(original, world.this_month) // 12
                group = Group(
                    parent=parent,
                    suffix=f"{k:04d}",
                    number=f"{parent.number}-{k:04d}",
                    name=suffix_name,
                    status=status,
                    state=state,
                    sic_code=sic,
                    rating_type=rating,
                    original_effective_date=original,
                    suffix_effective_date=effective,
                    cancellation_date=cancelled_on,
                    renewal_month=original.month,
                    last_renewal_date=add_months(original, 12 * renewals) if renewals else None,
                    waiting_period=waiting,
                    admin_name=f"{admin_first} {admin_last}",
                    admin_phone=pools.phone(rng, area),
                    admin_email=f"{admin_first}.{admin_last}@{domain}".lower().replace(" ", ""),
                    admin_street=street,
                    admin_city=city,
                    admin_state=state,
                    admin_zip=zip_code,
                    billing_street=bill_street,
                    billing_city=bill_city,
                    billing_state=state,
                    billing_zip=bill_zip,
                    billing_contact_name=f"{billing_first} {billing_last}",
                    billing_contact_phone=pools.phone(rng, area),
                )
                groups.append(group)
                payer = rng.choices(["prompt", "late"], weights=[88, 12])[0]
                facts.append(GroupFacts(group, market, plan_choice, subscribers, payer, writer))

        world.insert(Employer, employers)
        for parent in parents:
            parent.employer_id = parent.employer.pk
        world.insert(ParentGroup, parents)
        for group in groups:
            group.parent_id = group.parent.pk
        world.insert(Group, groups)
        Through = Group.plans.through
        world.insert(
            Through, [Through(group_id=f.group.pk, plan_id=p.pk) for f in facts for p in f.plans]
        )
        if first_serial == 0:
            world.tenants.employer = employers[0]
            world.tenants.employer_groups = groups[:3]
            world.tenants.employer2 = employers[1]
        return facts

    # -- members --------------------------------------------------------------------------------

    def members(self, facts) -> Enrolled:
        """Subscribers and dependents of the batch's groups, with coverage and an enroll event."""
        world, rng, pools = self.world, self.rng, self.world.pools
        as_of = world.as_of
        subscribers, families = [], []
        for f in facts:
            group = f.group
            for _ in range(f.subscribers):
                self.member_serial += 1
                gender, first, last = world.person()
                city, county, zip_code, area = pools.place(rng, group.state)
                plan = rng.choice(f.plans)
                tier = rng.choices(list(TIER_WEIGHTS), weights=list(TIER_WEIGHTS.values()))[0]
                start, end, status = self.coverage_period(group)
                member = Member(
                    group=group,
                    relationship=Member.Relationship.SUBSCRIBER,
                    member_id=f"{100_000_000 + self.member_serial:09d}00",
                    first_name=first,
                    middle_initial=rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < 0.6 else "",
                    last_name=last,
                    dob=as_of - datetime.timedelta(days=rng.randint(22 * 365, 64 * 365)),
                    gender=gender,
                    status=status,
                    plan=plan,
                    street=pools.street(rng),
                    city=city,
                    state=group.state,
                    zip_code=zip_code,
                    county=county,
                    home_phone=pools.phone(rng, area),
                    work_phone=pools.phone(rng, area) if rng.random() < 0.5 else "",
                    email=f"{first}.{last}{self.member_serial}@example.com".lower().replace(
                        " ", ""
                    ),
                    spoken_language=pools.language(rng),
                    marital_status="Married"
                    if tier in ("ES", "FAM")
                    else rng.choice(["Single", "Divorced"]),
                )
                member.set_ssn(pools.ssn(rng))
                self.assign_pcp(member)
                subscribers.append(member)
                families.append((member, tier, start, end))
        world.insert(Member, subscribers)

        dependents = []
        for subscriber, tier, _, _ in families:
            relations = []
            if tier in ("ES", "FAM"):
                relations.append(
                    Member.Relationship.SPOUSE
                    if rng.random() < 0.9
                    else Member.Relationship.DOMESTIC_PARTNER
                )
            if tier in ("EC", "FAM"):
                relations += [Member.Relationship.CHILD] * rng.choices(
                    [1, 2, 3, 4], weights=[40, 35, 18, 7]
                )[0]
            age = (as_of - subscriber.dob).days // 365
            for k, relation in enumerate(relations, start=1):
                if relation == Member.Relationship.CHILD:
                    gender, first, _ = world.person()
                    last = subscriber.last_name
                    dob = as_of - datetime.timedelta(
                        days=rng.randint(0, min(25, max(age - 18, 1)) * 365)
                    )
                else:
                    gender = "M" if subscriber.gender == "F" else "F"
                    gender, first, last = world.person(gender)
                    if rng.random() < 0.7:
                        last = subscriber.last_name
                    dob = subscriber.dob + datetime.timedelta(days=rng.randint(-2500, 2500))
                dependent = Member(
                    group_id=subscriber.group_id,
                    subscriber=subscriber,
                    relationship=relation,
                    member_id=f"{subscriber.member_id[:9]}{k:02d}",
                    first_name=first,
                    last_name=last,
                    dob=min(dob, as_of),
                    gender=gender,
                    status=subscriber.status,
                    plan=subscriber.plan,
                    spoken_language=subscriber.spoken_language,
                )
                dependent.set_ssn(pools.ssn(rng))
                self.assign_pcp(dependent)
                dependents.append(dependent)
        world.insert(Member, dependents)

        family_of = {s.pk: (tier, start, end) for s, tier, start, end in families}
        coverages, events = [], []
        for member in subscribers + dependents:
            tier, start, end = family_of[member.subscriber_id or member.pk]
            coverages.append(
                Coverage(
                    member=member,
                    group_id=member.group_id,
                    plan=member.plan,
                    tier=tier,
                    start_date=start,
                    end_date=end,
                )
            )
            events.append(
                EnrollmentEvent(
                    member=member,
                    group_id=member.group_id,
                    kind=EnrollmentEvent.Kind.ENROLL,
                    effective_date=start,
                    details={"source": "initial load"},
                )
            )
        world.insert(Coverage, coverages)
        world.insert(EnrollmentEvent, events)

        coverage_by_group = {}
        for subscriber, tier, start, end in families:
            coverage_by_group.setdefault(subscriber.group_id, []).append(
                (subscriber.plan, tier, start, end)
            )
        return Enrolled(subscribers + dependents, family_of, coverage_by_group)

    def coverage_period(self, group):
        """(start, end, member status) for a subscriber joining `group`."""
        world, rng = self.world, self.rng
        effective = group.suffix_effective_date
        if group.status == Group.Status.PENDING:
            return effective, None, Member.Status.PENDING
        last_month = (group.cancellation_date or world.as_of).replace(day=1)
        start = (
            effective if rng.random() < 0.6 else world.first_of_month_between(effective, last_month)
        )
        if group.status == Group.Status.CANCELLED:
            return start, group.cancellation_date, Member.Status.CANCELLED
        status = rng.choices(["active", "cobra", "cancelled"], weights=[93, 2, 5])[0]
        if status == "cancelled" and start < world.this_month:
            end = month_end(world.first_of_month_between(start, add_months(world.this_month, -1)))
            return start, end, Member.Status.CANCELLED
        return start, None, Member.Status.COBRA if status == "cobra" else Member.Status.ACTIVE

    def assign_pcp(self, member):
        # HMO members choose a primary care physician.
        if member.plan.plan_type == Plan.PlanType.HMO and self.pcps:
            member.pcp_name, member.pcp_npi = self.rng.choice(self.pcps)


# One in this many active groups has given notice, so the book of business shows the pending
# termination alert.
PENDING_TERMINATION_EVERY = 15


def pending_terminations(world: World) -> None:
    """Some active groups end at the close of next month: cancelled, but not yet."""
    end = month_end(add_months(world.as_of, 1))
    notice = (
        Group.objects.filter(
            status=Group.Status.ACTIVE,
            cancellation_date__isnull=True,
            suffix_effective_date__lte=end,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = list(notice)[::PENDING_TERMINATION_EVERY]
    Group.objects.filter(pk__in=chosen).update(cancellation_date=end)
    world.say(f"{len(chosen)} groups pending termination")
