"""Builds the demo carrier: plans, agencies and brokers, provider offices, employers with their
groups, members, coverage, bills and payments, commission statements, claims and authorizations.

Everything is drawn from one `random.Random(seed)` and the seeded pools, in a fixed order, so the
same seed, scale and as-of date give the same data. Rows go in with `bulk_create` a chunk of
employers at a time, which keeps memory flat at a million members. Broker-of-record changes and
grants go through the services instead, so that the object permissions are the real ones.
"""

import calendar
import datetime
import math
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from billing.models import Invoice, InvoiceLine, Payment
from brokers.models import Agency, Broker, BrokerCode, License
from brokers.services import brokers_of_record_load, upline_view_grant
from commissions.models import CommissionLine, CommissionStatement
from enrollment.models import Coverage, Employer, EnrollmentEvent, Group, Member, ParentGroup, Plan
from portal.demo import cast
from portal.demo.pools import PLACES, Pools
from providers.models import Authorization, Claim, Practitioner, ProviderOrganization, TaxId

BATCH = 5000
MONTHS = 18
# Per unit of --scale: 2,000 subscribers with ~0.9 dependents each, about 3,800 members.
EMPLOYERS_PER_SCALE = 20
SUBSCRIBERS_PER_SCALE = 2000
PROVIDER_ORGS_PER_SCALE = 10
CLAIMS_PER_MEMBER = 0.5
AUTHORIZATIONS_PER_MEMBER = 0.1
# Employers whose position is a multiple of this (after the cast's own) are written by broker@,
# so their book grows with the scale and the benchmarks have a large book to page through.
BROKER_BOOK_EVERY = 10

METALS = {
    "Bronze": ("6300/65", 0.80),
    "Silver": ("2500/40", 1.00),
    "Gold": ("1000/25", 1.20),
    "Platinum": ("0/15", 1.35),
}
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
# Monthly employee-only premium in cents, before the metal factor.
BASE_RATE_CENTS = {"HMO": 48_000, "EPO": 54_000, "PPO": 61_000}
TIER_FACTOR = {"EE": 1.0, "ES": 2.0, "EC": 1.8, "FAM": 2.85}
TIER_WEIGHTS = {"EE": 55, "ES": 15, "EC": 12, "FAM": 18}
RENEWAL_INCREASE = 1.06

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
PRIMARY_CARE = ["Family Medicine", "Internal Medicine", "Pediatrics"]
SPECIALTIES = [
    "Cardiology",
    "Orthopedic Surgery",
    "Dermatology",
    "Obstetrics & Gynecology",
    "Radiology",
    "Physical Therapy",
    "Psychiatry",
    "Gastroenterology",
    "Emergency Medicine",
    "Anesthesiology",
]
SERVICES = [
    ("Office visit, established patient", "Z00.00"),
    ("MRI lumbar spine", "M54.50"),
    ("Physical therapy evaluation", "M25.561"),
    ("Knee arthroscopy", "M23.205"),
    ("Colonoscopy, screening", "Z12.11"),
    ("Echocardiogram", "I10"),
    ("Sleep study", "G47.33"),
    ("Allergy testing", "J30.9"),
    ("Inpatient admission, pneumonia", "J18.9"),
    ("Diabetes management visit", "E11.9"),
]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after `day`'s month."""
    years, month = divmod(day.month - 1 + months, 12)
    return datetime.date(day.year + years, month + 1, 1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def quarters(cents: float) -> int:
    """Cents rounded to a multiple of 25.

    SQLite keeps decimals as binary floats, where a sum of cents like 0.10 + 0.20 misses 0.30 and
    the invoice's balance check fails; quarters are exact in binary, so bills add up anywhere.
    """
    return round(cents / 25) * 25


def dollars(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@dataclass
class GroupFacts:
    """What later steps need about a group, kept after its rows have left memory."""

    group: Group
    market: str
    plans: list
    subscribers: int
    payer: str
    broker: Broker


class WorldBuilder:
    def __init__(self, *, seed: int, scale: float, as_of: datetime.date, log=print):
        self.rng = random.Random(seed)  # noqa: S311 -- demo data, not secrets
        self.pools = Pools(seed)
        self.scale = scale
        self.as_of = as_of
        self.this_month = as_of.replace(day=1)
        self.periods = [add_months(self.this_month, i - MONTHS + 1) for i in range(MONTHS)]
        self.log = log
        self.started = time.monotonic()
        self.tenants = cast.Tenants()
        self.counts = {}
        self.member_serial = 0
        self.claim_serial = 0
        self.authorization_serial = 0
        self.npi_serial = 0
        # Commission lines are written at the end, from these small per-group summaries.
        self.group_premiums = {}  # group id -> {period: (subscribers, premium cents)}
        self.group_broker = {}  # group id -> (broker id, market, group number)

    # -- helpers --------------------------------------------------------------------------------

    def say(self, message):
        self.log(f"[{time.monotonic() - self.started:7.1f}s] {message}")

    def count(self, model, rows):
        key = model._meta.verbose_name_plural
        self.counts[key] = self.counts.get(key, 0) + len(rows)

    def insert(self, model, rows):
        model.objects.bulk_create(rows, batch_size=BATCH)
        self.count(model, rows)
        return rows

    def person(self, gender=None):
        gender = gender or self.rng.choice("FM")
        return gender, self.pools.first_name(self.rng, gender), self.rng.choice(self.pools.last)

    def first_of_month_between(self, start, end):
        return add_months(start, self.rng.randint(0, max(0, months_between(start, end))))

    # -- the whole world ------------------------------------------------------------------------

    def build(self):
        self.plans()
        self.agencies_and_brokers()
        self.provider_offices()
        self.employers()
        self.commissions()
        return self.tenants

    def plans(self):
        rows = []
        for state in PLACES:
            for market, metals in PLAN_LINEUP.items():
                for plan_type in Plan.PlanType.values:
                    for metal in metals:
                        cost_share, _ = METALS[metal]
                        code = f"{state}-{MARKET_CODES[market]}-{plan_type}-{metal[0]}"
                        rows.append(
                            Plan(
                                code=code,
                                name=f"{metal} {plan_type} {cost_share}",
                                plan_type=plan_type,
                                market=market,
                                state=state,
                            )
                        )
        self.insert(Plan, rows)
        self.plans_by = {}
        for plan in rows:
            self.plans_by.setdefault((plan.state, plan.market), []).append(plan)
        self.say(f"{len(rows)} plans")

    def plan_rate_cents(self, plan):
        metal = plan.name.split()[0]
        return round(BASE_RATE_CENTS[plan.plan_type] * METALS[metal][1])

    # -- brokers --------------------------------------------------------------------------------

    def agencies_and_brokers(self):
        general = Agency(
            name=cast.GENERAL_AGENCY,
            tax_id="001000000",
            account_type=Agency.AccountType.UPLINE,
            phone="(916) 555-0110",
        )
        self.insert(Agency, [general])
        agencies = [
            Agency(name=name, tax_id=f"00100000{i}", upline=upline, phone=f"(916) 555-011{i}")
            for i, (name, upline) in enumerate(
                [(cast.AGENCY_A, general), (cast.AGENCY_B, None), (cast.AGENCY_C, None)], start=1
            )
        ]
        self.insert(Agency, agencies)

        per_agency = min(40, 3 + round(2 * self.scale))
        brokers = []
        # The cast's brokers come first in their agencies, with fixed names.
        plan = [(general, cast.UPLINE_NAME), (general, None)]
        for agency, named in zip(
            agencies, [cast.BROKER_NAME, cast.BROKER2_NAME, None], strict=True
        ):
            plan += [(agency, named)] + [(agency, None)] * (per_agency - 1)
        for serial, (agency, named) in enumerate(plan, start=1):
            first, last = named or self.person()[1:]
            domain = agency.name.split()[0].lower()
            brokers.append(
                Broker(
                    agency=agency,
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last}@{domain}.example".lower().replace(" ", ""),
                    phone=self.pools.phone(self.rng, "916"),
                    npn=f"99{serial:08d}",
                    tax_id=f"00{self.rng.randint(2000000, 9999999)}",
                )
            )
        self.insert(Broker, brokers)

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
            for state in states:
                licenses.append(
                    License(
                        broker=broker,
                        state=state,
                        number=f"{state[0]}{serial:07d}",
                        expires_on=self.as_of + datetime.timedelta(days=self.rng.randint(60, 700)),
                        is_primary=state == "CA",
                    )
                )
        self.insert(BrokerCode, codes)
        self.insert(License, licenses)

        self.brokers = brokers
        self.tenants.upline = brokers[0]
        by_agency = {}
        for broker in brokers:
            by_agency.setdefault(broker.agency_id, []).append(broker)
        self.tenants.broker = by_agency[agencies[0].pk][0]
        self.tenants.broker2 = by_agency[agencies[1].pk][0]
        # Generic employers are written by any broker of the three agencies except the cast's.
        cast_ids = {self.tenants.broker.pk, self.tenants.broker2.pk}
        self.writing_brokers = [
            b for b in brokers if b.agency_id != general.pk and b.pk not in cast_ids
        ]
        self.say(f"4 agencies, {len(brokers)} brokers")

    # -- provider offices -----------------------------------------------------------------------

    def provider_offices(self):
        count = max(4, round(PROVIDER_ORGS_PER_SCALE * self.scale))
        Org = ProviderOrganization
        orgs = [
            Org(
                name=cast.MEDICAL_GROUP_NAME,
                org_type=Org.OrgType.MEDICAL_GROUP,
                status=Org.Status.APPROVED,
            ),
            Org(
                name=cast.OTHER_ORG_NAME, org_type=Org.OrgType.HOSPITAL, status=Org.Status.APPROVED
            ),
        ]
        for _ in range(count - 2):
            org_type = self.rng.choices(Org.OrgType.values, weights=[35, 40, 10, 15])[0]
            word = self.rng.choice(self.pools.company_words)
            if org_type == Org.OrgType.PHYSICIAN:
                name = f"{word} Family Medicine"
            elif org_type == Org.OrgType.MEDICAL_GROUP:
                name = (
                    f"{word} {self.rng.choice(['Medical Group', 'Health Partners', 'Physicians'])}"
                )
            elif org_type == Org.OrgType.HOSPITAL:
                name = f"{word} {self.rng.choice(['Community Hospital', 'Medical Center'])}"
            else:
                name = (
                    f"{word} {self.rng.choice(['Imaging Center', 'Laboratory', 'Surgery Center'])}"
                )
            status = Org.Status.APPROVED if self.rng.random() < 0.9 else Org.Status.PENDING
            orgs.append(Org(name=name, org_type=org_type, status=status))
        self.insert(Org, orgs)

        tax_ids = []
        for i, org in enumerate(orgs):
            how_many = {0: 2, 1: 1}.get(i) or (
                self.rng.randint(1, 3) if org.org_type == Org.OrgType.MEDICAL_GROUP else 1
            )
            for k in range(how_many):
                name = org.name if k == 0 else f"{org.name} {['North', 'South', 'East'][k - 1]}"
                tax_ids.append(TaxId(organization=org, number=f"002{len(tax_ids):06d}", name=name))
        self.insert(TaxId, tax_ids)

        practitioners = []
        sizes = {
            "physician": (1, 1),
            "medical_group": (3, 10),
            "hospital": (5, 15),
            "ancillary": (1, 3),
        }
        for org in orgs:
            for _ in range(self.rng.randint(*sizes[org.org_type])):
                self.npi_serial += 1
                state = self.pools.state(self.rng)
                _, first, last = self.person()
                specialty = self.rng.choice(
                    PRIMARY_CARE
                    if org.org_type != "hospital" and self.rng.random() < 0.5
                    else SPECIALTIES
                )
                practitioners.append(
                    Practitioner(
                        organization=org,
                        first_name=first,
                        last_name=last,
                        # 9 never starts a real NPI.
                        npi=f"9{self.npi_serial:09d}",
                        license_state=state,
                        license_number=f"{state[0]}{self.npi_serial:06d}",
                        specialty=specialty,
                    )
                )
        self.insert(Practitioner, practitioners)
        Through = Practitioner.tax_ids.through
        tax_ids_of = {}
        for tax_id in tax_ids:
            tax_ids_of.setdefault(tax_id.organization_id, []).append(tax_id)
        self.insert(
            Through,
            [
                Through(practitioner_id=p.pk, taxid_id=t.pk)
                for p in practitioners
                for t in tax_ids_of[p.organization_id]
            ],
        )

        practitioners_of = {}
        for p in practitioners:
            practitioners_of.setdefault(p.organization_id, []).append(p.pk)
        # Claims and authorizations pick a Tax ID and one of its organisation's practitioners.
        self.claim_targets = [
            (t.pk, practitioners_of.get(t.organization_id, [None])) for t in tax_ids
        ]
        self.cast_claim_targets = [
            t for t in self.claim_targets if t[0] in {x.pk for x in tax_ids[:3]}
        ]
        self.pcps = [
            (f"{p.first_name} {p.last_name}", p.npi)
            for p in practitioners
            if p.specialty in PRIMARY_CARE
        ]
        self.tenants.medical_group, self.tenants.other_org = orgs[0], orgs[1]
        self.tenants.medical_group_tax_ids = tax_ids[:2]
        self.tenants.other_org_tax_ids = tax_ids[2:3]
        self.say(
            f"{len(orgs)} provider organisations, {len(tax_ids)} Tax IDs, {len(practitioners)} practitioners"
        )

    # -- employers, chunk by chunk --------------------------------------------------------------

    def employer_specs(self):
        """(name, broker, [(suffix name, subscribers)]) for every employer, cast first."""
        yield cast.EMPLOYER_NAME, self.tenants.broker, cast.EMPLOYER_SUFFIXES
        yield cast.EMPLOYER2_NAME, self.tenants.broker2, cast.EMPLOYER2_SUFFIXES
        count = max(4, round(EMPLOYERS_PER_SCALE * self.scale)) - 2
        cast_subscribers = sum(n for _, n in cast.EMPLOYER_SUFFIXES + cast.EMPLOYER2_SUFFIXES)
        wanted = max(3.0 * count, SUBSCRIBERS_PER_SCALE * self.scale - cast_subscribers)
        # A long tail of sizes, like a real book: many small employers, a few large ones. The
        # draws are then scaled to the wanted total, so a small world is not at the mercy of
        # one large employer.
        draws = [self.rng.lognormvariate(0, 0.9) for _ in range(count)]
        sizes = [min(20_000, max(2, round(d * wanted / sum(draws)))) for d in draws]
        for i, size in enumerate(sizes):
            suffixes = min(size, self.rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 20, 12, 8])[0])
            weights = [self.rng.random() + 0.2 for _ in range(suffixes)]
            split = [max(1, round(size * w / sum(weights))) for w in weights]
            names = ["All employees"] if suffixes == 1 else SUFFIX_NAMES[:suffixes]
            if i % BROKER_BOOK_EVERY == 0:
                broker = self.tenants.broker
            else:
                broker = self.rng.choice(self.writing_brokers)
            yield None, broker, list(zip(names, split, strict=True))

    def employers(self):
        chunk, chunk_subscribers = [], 0
        total = max(4, round(EMPLOYERS_PER_SCALE * self.scale))
        done = 0
        for spec in self.employer_specs():
            chunk.append(spec)
            chunk_subscribers += sum(n for _, n in spec[2])
            if chunk_subscribers >= BATCH // 2:
                self.employer_chunk(chunk, first_serial=done)
                done += len(chunk)
                self.say(f"employers {done:,}/{total:,}, members {self.counts.get('members', 0):,}")
                chunk, chunk_subscribers = [], 0
        if chunk:
            self.employer_chunk(chunk, first_serial=done)
            done += len(chunk)
        self.say(f"employers {done:,}/{total:,}, members {self.counts.get('members', 0):,}")

    def employer_chunk(self, specs, *, first_serial):
        rng = self.rng
        employers, parents, groups, facts = [], [], [], []
        for offset, (name, broker, suffixes) in enumerate(specs):
            serial = first_serial + offset + 1
            sic, noun = rng.choice(INDUSTRIES)
            if name is None:
                name = (
                    f"{rng.choice(self.pools.company_words)} {noun} {rng.choice(COMPANY_ENDINGS)}"
                )
            size = sum(n for _, n in suffixes)
            market = Plan.Market.LARGE_GROUP if size >= 100 else Plan.Market.SMALL_GROUP
            state = "CA" if serial <= 2 else self.pools.state(rng)
            original = add_months(self.this_month, -rng.randint(2, 144))
            employer = Employer(name=name, policyholder_id=f"{100000 + serial:09d}")
            parent = ParentGroup(
                employer=employer, number=f"{200000 + serial}", name=name, effective_date=original
            )
            employers.append(employer)
            parents.append(parent)

            domain = name.split()[0].lower() + ".example"
            _, admin_first, admin_last = self.person()
            _, billing_first, billing_last = self.person()
            city, _, zip_code, area = self.pools.place(rng, state)
            street = self.pools.street(rng)
            separate_billing = rng.random() < 0.2
            if separate_billing:
                bill_city, _, bill_zip, _ = self.pools.place(rng, state)
                bill_street = self.pools.street(rng)
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
                    effective = self.first_of_month_between(
                        original, add_months(self.this_month, -1)
                    )
                cancelled_on = None
                if status == Group.Status.PENDING:
                    effective = add_months(self.this_month, 1)
                elif status == Group.Status.CANCELLED:
                    if effective >= self.this_month:
                        status = Group.Status.ACTIVE
                    else:
                        last_month = self.first_of_month_between(
                            effective, add_months(self.this_month, -1)
                        )
                        cancelled_on = month_end(last_month)
                renewals = months_between(original, self.this_month) // 12
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
                    admin_phone=self.pools.phone(rng, area),
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
                    billing_contact_phone=self.pools.phone(rng, area),
                )
                groups.append(group)
                payer = rng.choices(["prompt", "late"], weights=[88, 12])[0]
                facts.append(GroupFacts(group, market, plan_choice, subscribers, payer, broker))

        self.insert(Employer, employers)
        for parent in parents:
            parent.employer_id = parent.employer.pk
        self.insert(ParentGroup, parents)
        for group in groups:
            group.parent_id = group.parent.pk
        self.insert(Group, groups)
        Through = Group.plans.through
        self.insert(
            Through, [Through(group_id=f.group.pk, plan_id=p.pk) for f in facts for p in f.plans]
        )

        brokers_of_record_load(
            records=[(f.group, f.broker, f.group.suffix_effective_date) for f in facts]
        )
        upline_view_grant(
            groups=[f.group for f in facts if f.broker.pk == self.tenants.broker.pk],
            upline=self.tenants.upline,
        )
        for f in facts:
            self.group_broker[f.group.pk] = (f.broker.pk, f.market, f.group.number)
        if first_serial == 0:
            self.tenants.employer = employers[0]
            self.tenants.employer_groups = groups[:3]
            self.tenants.employer2 = employers[1]

        coverage_facts = self.members(facts)
        self.bills(facts, coverage_facts)

    # -- members --------------------------------------------------------------------------------

    def members(self, facts):
        """Subscribers and dependents of the chunk's groups, with coverage and an enroll event.

        Returns, per group, the subscribers' (plan, tier, start, end) for billing.
        """
        rng = self.rng
        subscribers, families = [], []
        for f in facts:
            group = f.group
            for _ in range(f.subscribers):
                self.member_serial += 1
                gender, first, last = self.person()
                city, county, zip_code, area = self.pools.place(rng, group.state)
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
                    dob=self.as_of - datetime.timedelta(days=rng.randint(22 * 365, 64 * 365)),
                    gender=gender,
                    status=status,
                    plan=plan,
                    street=self.pools.street(rng),
                    city=city,
                    state=group.state,
                    zip_code=zip_code,
                    county=county,
                    home_phone=self.pools.phone(rng, area),
                    work_phone=self.pools.phone(rng, area) if rng.random() < 0.5 else "",
                    email=f"{first}.{last}{self.member_serial}@example.com".lower().replace(
                        " ", ""
                    ),
                    spoken_language=self.pools.language(rng),
                    marital_status="Married"
                    if tier in ("ES", "FAM")
                    else rng.choice(["Single", "Divorced"]),
                )
                member.set_ssn(self.pools.ssn(rng))
                self.assign_pcp(member)
                subscribers.append(member)
                families.append((member, tier, start, end))
        self.insert(Member, subscribers)

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
            age = (self.as_of - subscriber.dob).days // 365
            for k, relation in enumerate(relations, start=1):
                if relation == Member.Relationship.CHILD:
                    gender, first, _ = self.person()
                    last = subscriber.last_name
                    dob = self.as_of - datetime.timedelta(
                        days=rng.randint(0, min(25, max(age - 18, 1)) * 365)
                    )
                else:
                    gender = "M" if subscriber.gender == "F" else "F"
                    gender, first, last = self.person(gender)
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
                    dob=min(dob, self.as_of),
                    gender=gender,
                    status=subscriber.status,
                    plan=subscriber.plan,
                    spoken_language=subscriber.spoken_language,
                )
                dependent.set_ssn(self.pools.ssn(rng))
                self.assign_pcp(dependent)
                dependents.append(dependent)
        self.insert(Member, dependents)

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
        self.insert(Coverage, coverages)
        self.insert(EnrollmentEvent, events)
        self.claims_and_authorizations(subscribers + dependents, family_of)

        by_group = {}
        for subscriber, tier, start, end in families:
            by_group.setdefault(subscriber.group_id, []).append((subscriber.plan, tier, start, end))
        return by_group

    def coverage_period(self, group):
        """(start, end, member status) for a subscriber joining `group`."""
        rng = self.rng
        effective = group.suffix_effective_date
        if group.status == Group.Status.PENDING:
            return effective, None, Member.Status.PENDING
        last_month = (group.cancellation_date or self.as_of).replace(day=1)
        start = (
            effective if rng.random() < 0.6 else self.first_of_month_between(effective, last_month)
        )
        if group.status == Group.Status.CANCELLED:
            return start, group.cancellation_date, Member.Status.CANCELLED
        status = rng.choices(["active", "cobra", "cancelled"], weights=[93, 2, 5])[0]
        if status == "cancelled" and start < self.this_month:
            end = month_end(self.first_of_month_between(start, add_months(self.this_month, -1)))
            return start, end, Member.Status.CANCELLED
        return start, None, Member.Status.COBRA if status == "cobra" else Member.Status.ACTIVE

    def assign_pcp(self, member):
        # HMO members choose a primary care physician.
        if member.plan.plan_type == Plan.PlanType.HMO and self.pcps:
            member.pcp_name, member.pcp_npi = self.rng.choice(self.pcps)

    def claims_and_authorizations(self, members, family_of):
        rng = self.rng
        claims, authorizations = [], []
        covered = [m for m in members if m.status != Member.Status.PENDING]
        if not covered:
            return
        for _ in range(round(len(covered) * CLAIMS_PER_MEMBER)):
            member = rng.choice(covered)
            _, start, end = family_of[member.subscriber_id or member.pk]
            tax_id, practitioners = self.claim_target()
            last_day = min(end or self.as_of, self.as_of)
            first_day = max(start, self.as_of - datetime.timedelta(days=540))
            if last_day < first_day:
                continue
            service_from = first_day + datetime.timedelta(
                days=rng.randint(0, (last_day - first_day).days)
            )
            service_to = min(
                service_from + datetime.timedelta(days=rng.choice([0, 0, 0, 1, 3])), last_day
            )
            received = min(service_to + datetime.timedelta(days=rng.randint(3, 30)), self.as_of)
            received = max(received, service_to)
            status = rng.choices(Claim.Status.values, weights=[10, 12, 60, 8, 10])[0]
            billed = round(rng.lognormvariate(math.log(30_000), 0.9))
            allowed = paid = 0
            paid_on, check = None, ""
            if status in (Claim.Status.PAID, Claim.Status.ADJUSTED):
                allowed = round(billed * rng.uniform(0.4, 0.8))
                paid = round(allowed * rng.uniform(0.7, 1.0))
                paid_on = min(received + datetime.timedelta(days=rng.randint(7, 30)), self.as_of)
                check = f"EFT{rng.randint(10_000_000, 99_999_999)}"
            self.claim_serial += 1
            claims.append(
                Claim(
                    number=f"CL{self.claim_serial:010d}",
                    member=member,
                    tax_id_id=tax_id,
                    practitioner_id=rng.choice(practitioners),
                    service_from=service_from,
                    service_to=service_to,
                    received_on=received,
                    status=status,
                    billed_amount=dollars(billed),
                    allowed_amount=dollars(allowed),
                    paid_amount=dollars(paid),
                    paid_on=paid_on,
                    check_number=check,
                )
            )
        for _ in range(round(len(covered) * AUTHORIZATIONS_PER_MEMBER)):
            member = rng.choice(covered)
            tax_id, practitioners = self.claim_target()
            kind = rng.choices(Authorization.Kind.values, weights=[10, 60, 30])[0]
            requested = self.as_of - datetime.timedelta(days=rng.randint(0, 365))
            start = requested + datetime.timedelta(days=rng.randint(0, 14))
            length = (
                rng.randint(1, 10) if kind == Authorization.Kind.INPATIENT else rng.randint(0, 90)
            )
            description, diagnosis = rng.choice(SERVICES)
            self.authorization_serial += 1
            authorizations.append(
                Authorization(
                    number=f"AU{self.authorization_serial:010d}",
                    member=member,
                    tax_id_id=tax_id,
                    practitioner_id=rng.choice(practitioners),
                    kind=kind,
                    status=rng.choices(Authorization.Status.values, weights=[15, 70, 10, 5])[0],
                    requested_on=requested,
                    start_date=start,
                    end_date=start + datetime.timedelta(days=length),
                    service_description=description,
                    diagnosis_code=diagnosis,
                    units=rng.randint(1, 12),
                )
            )
        self.insert(Claim, claims)
        self.insert(Authorization, authorizations)

    def claim_target(self):
        # The cast's offices get a steady share, so their demo pages are never empty.
        if self.rng.random() < 0.05:
            return self.rng.choice(self.cast_claim_targets)
        return self.rng.choice(self.claim_targets)

    # -- bills and payments ---------------------------------------------------------------------

    def bills(self, facts, coverage_facts):
        rng = self.rng
        invoices, lines_of, payments_of = [], [], []
        for f in facts:
            group = f.group
            covered = coverage_facts.get(group.pk, [])
            last_period = (group.cancellation_date or self.as_of).replace(day=1)
            periods = [p for p in self.periods if group.suffix_effective_date <= p <= last_period]
            premiums, previous = {}, None
            increase = 1.0
            for period in periods:
                if period.month == group.renewal_month and period != periods[0]:
                    increase *= RENEWAL_INCREASE
                period_end = month_end(period)
                lines, current, subscribers = [], 0, 0
                for plan in f.plans:
                    counts = {}
                    for plan_covered, tier, start, end in covered:
                        if (
                            plan_covered is plan
                            and start <= period_end
                            and (end is None or end >= period)
                        ):
                            counts[tier] = counts.get(tier, 0) + 1
                    if not counts:
                        continue
                    amount = sum(
                        quarters(self.plan_rate_cents(plan) * TIER_FACTOR[tier] * increase) * n
                        for tier, n in counts.items()
                    )
                    summary = ", ".join(f"{n} {tier}" for tier, n in sorted(counts.items()))
                    lines.append(
                        InvoiceLine(
                            plan=plan, description=f"{plan.name}: {summary}", amount=dollars(amount)
                        )
                    )
                    current += amount
                    subscribers += sum(counts.values())
                adjustments = 0
                if lines and rng.random() < 0.08:
                    adjustments = rng.choice([-1, 1]) * quarters(
                        self.plan_rate_cents(f.plans[0]) * increase
                    )
                    lines.append(
                        InvoiceLine(
                            kind=InvoiceLine.Kind.ADJUSTMENT,
                            description="Retroactive change: "
                            + ("member added" if adjustments > 0 else "member terminated"),
                            amount=dollars(adjustments),
                        )
                    )
                issued = period - datetime.timedelta(days=15)
                paid, payment = 0, None
                if previous is not None and previous[1] > 0:
                    on_time = 0.98 if f.payer == "prompt" else 0.7
                    if rng.random() < on_time:
                        paid = previous[1]
                        received = previous[0].due_date + datetime.timedelta(
                            days=rng.randint(-12, 10)
                        )
                        payment = Payment(
                            group=group,
                            invoice=previous[0],
                            amount=dollars(paid),
                            received_on=min(max(received, previous[0].issued_on), issued),
                            method=rng.choices(Payment.Method.values, weights=[55, 10, 30, 5])[0],
                            reference=f"{rng.randint(100_000, 999_999)}",
                        )
                balance_forward = previous[1] if previous else 0
                balance_due = balance_forward + current + adjustments - paid
                invoice = Invoice(
                    group=group,
                    number=f"{group.number}-{period:%y%m}",
                    period_start=period,
                    period_end=period_end,
                    issued_on=issued,
                    due_date=period,
                    balance_forward=dollars(balance_forward),
                    current_amount=dollars(current),
                    adjustments=dollars(adjustments),
                    payments=dollars(paid),
                    balance_due=dollars(balance_due),
                )
                invoices.append(invoice)
                lines_of.append((invoice, lines))
                if payment is not None:
                    payments_of.append(payment)
                previous = (invoice, balance_due)
                premiums[period] = (subscribers, current)
            self.group_premiums[group.pk] = premiums
        self.insert(Invoice, invoices)
        lines = []
        for invoice, invoice_lines in lines_of:
            for line in invoice_lines:
                line.invoice = invoice
                lines.append(line)
        self.insert(InvoiceLine, lines)
        for payment in payments_of:
            payment.invoice_id = payment.invoice.pk
        self.insert(Payment, payments_of)

    # -- commissions ----------------------------------------------------------------------------

    def commissions(self):
        rng = self.rng
        groups_of = {}
        for group_id, (broker_id, market, number) in self.group_broker.items():
            groups_of.setdefault(broker_id, []).append((group_id, market, number))
        pending_statements, pending_lines = [], []
        for broker in self.brokers:
            method = rng.choice(CommissionStatement.PaymentMethod.values)
            for period in self.periods:
                statement_date = period + datetime.timedelta(days=14)
                if statement_date > self.as_of:
                    continue
                by_category = {}
                for group_id, market, number in groups_of.get(broker.pk, []):
                    subscribers, cents = self.group_premiums[group_id].get(period, (0, 0))
                    if cents == 0:
                        continue
                    rate = (
                        Decimal("0.0500")
                        if market == Plan.Market.SMALL_GROUP
                        else Decimal("0.0250")
                    )
                    premium = dollars(cents)
                    by_category.setdefault(("group", broker.group_code), []).append(
                        CommissionLine(
                            group_id=group_id,
                            description=f"Group {number}",
                            subscriber_count=subscribers,
                            premium=premium,
                            rate=rate,
                            amount=(premium * rate).quantize(Decimal("0.01")),
                        )
                    )
                if broker.ifp_code:
                    count = rng.randint(3, 40)
                    premium = dollars(count * rng.randint(35_000, 65_000))
                    rate = Decimal("0.0600")
                    by_category[("ifp", broker.ifp_code)] = [
                        CommissionLine(
                            description="Individual & family policies",
                            subscriber_count=count,
                            premium=premium,
                            rate=rate,
                            amount=(premium * rate).quantize(Decimal("0.01")),
                        )
                    ]
                for (category, code), lines in by_category.items():
                    statement = CommissionStatement(
                        broker_code=code,
                        npn=broker.npn,
                        period=period,
                        category=category,
                        state="CA",
                        statement_date=statement_date,
                        total=sum((line.amount for line in lines), Decimal("0.00")),
                        payment_method=method,
                        payment_reference=f"{method.upper()}{rng.randint(1_000_000, 9_999_999)}",
                    )
                    pending_statements.append(statement)
                    for line in lines:
                        line.statement = statement
                        pending_lines.append(line)
            if len(pending_lines) >= BATCH:
                self.flush_commissions(pending_statements, pending_lines)
                pending_statements, pending_lines = [], []
        self.flush_commissions(pending_statements, pending_lines)
        self.say(f"{self.counts.get('commission statements', 0):,} commission statements")

    def flush_commissions(self, statements, lines):
        self.insert(CommissionStatement, statements)
        for line in lines:
            line.statement_id = line.statement.pk
        self.insert(CommissionLine, lines)
