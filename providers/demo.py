"""Providers' part of the demo world: organisations with their Tax IDs and practitioners, the
claims and authorizations of members, and the provider offices' demo logins.

`demo.builder` calls `ProviderBuilder.offices` before any member exists (HMO members pick their
primary care physician from `pcps`), then `claims_and_authorizations` for each batch of members.
"""

import datetime
import math

from enrollment.models import Member
from portal.accounts.models import Role
from portal.demo import cast
from portal.demo.world import (
    AUTHORIZATIONS_PER_MEMBER,
    CLAIMS_PER_MEMBER,
    PROVIDER_ORGS_PER_SCALE,
    World,
    dollars,
)
from providers.demo_registration import registration_demo
from providers.demo_users import office_users
from providers.models import (
    Authorization,
    Claim,
    ClaimLine,
    Practitioner,
    ProviderOrganization,
    TaxId,
)
from providers.services import provider_user_add

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

# (procedure code, description) of the services a claim line bills.
PROCEDURES = [
    ("99213", "Office visit, established patient, low complexity"),
    ("99214", "Office visit, established patient, moderate complexity"),
    ("99203", "Office visit, new patient"),
    ("80053", "Comprehensive metabolic panel"),
    ("85025", "Complete blood count"),
    ("36415", "Venipuncture"),
    ("71046", "Chest X-ray, 2 views"),
    ("72148", "MRI lumbar spine without contrast"),
    ("97110", "Therapeutic exercise, 15 minutes"),
    ("93306", "Echocardiogram, complete"),
    ("45378", "Colonoscopy, diagnostic"),
    ("29881", "Knee arthroscopy with meniscectomy"),
]
DENIAL_REASONS = [
    "Service not covered under the member's plan",
    "Prior authorization required and not on file",
    "Member not eligible on the date of service",
    "Duplicate of a claim already processed",
    "Timely filing limit exceeded",
    "Missing or invalid diagnosis code",
]


class ProviderBuilder:
    def __init__(self, world: World):
        self.world = world
        self.rng = world.rng
        self.claim_serial = 0
        self.authorization_serial = 0
        self.npi_serial = 0
        # [(name, NPI)] of the primary care practitioners, filled in by `offices`.
        self.pcps = []

    def offices(self):
        """Organisations, their Tax IDs and practitioners; the cast's two offices first."""
        world = self.world
        count = max(4, round(PROVIDER_ORGS_PER_SCALE * world.scale))
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
            word = self.rng.choice(world.pools.company_words)
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
        world.insert(Org, orgs)

        tax_ids = []
        for i, org in enumerate(orgs):
            how_many = {0: 2, 1: 1}.get(i) or (
                self.rng.randint(1, 3) if org.org_type == Org.OrgType.MEDICAL_GROUP else 1
            )
            for k in range(how_many):
                name = org.name if k == 0 else f"{org.name} {['North', 'South', 'East'][k - 1]}"
                tax_ids.append(TaxId(organization=org, number=f"002{len(tax_ids):06d}", name=name))
        world.insert(TaxId, tax_ids)

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
                state = world.pools.state(self.rng)
                _, first, last = world.person()
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
        world.insert(Practitioner, practitioners)
        Through = Practitioner.tax_ids.through
        tax_ids_of = {}
        for tax_id in tax_ids:
            tax_ids_of.setdefault(tax_id.organization_id, []).append(tax_id)
        world.insert(
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
        world.tenants.medical_group, world.tenants.other_org = orgs[0], orgs[1]
        world.tenants.medical_group_tax_ids = tax_ids[:2]
        world.tenants.other_org_tax_ids = tax_ids[2:3]
        world.say(
            f"{len(orgs)} provider organisations, {len(tax_ids)} Tax IDs, {len(practitioners)} practitioners"
        )

    def claims_and_authorizations(self, members, family_of):
        """Claims and authorizations of a batch's covered members, within their coverage."""
        world = self.world
        rng = self.rng
        claims, authorizations = [], []
        covered = [m for m in members if m.status != Member.Status.PENDING]
        if not covered:
            return
        for _ in range(round(len(covered) * CLAIMS_PER_MEMBER)):
            member = rng.choice(covered)
            _, start, end = family_of[member.subscriber_id or member.pk]
            tax_id, practitioners = self.claim_target()
            last_day = min(end or world.as_of, world.as_of)
            first_day = max(start, world.as_of - datetime.timedelta(days=540))
            if last_day < first_day:
                continue
            service_from = first_day + datetime.timedelta(
                days=rng.randint(0, (last_day - first_day).days)
            )
            service_to = min(
                service_from + datetime.timedelta(days=rng.choice([0, 0, 0, 1, 3])), last_day
            )
            received = min(service_to + datetime.timedelta(days=rng.randint(3, 30)), world.as_of)
            received = max(received, service_to)
            status = rng.choices(Claim.Status.values, weights=[10, 12, 60, 8, 10])[0]
            billed = round(rng.lognormvariate(math.log(30_000), 0.9))
            allowed = paid = 0
            paid_on, check = None, ""
            if status in (Claim.Status.PAID, Claim.Status.ADJUSTED):
                allowed = round(billed * rng.uniform(0.4, 0.8))
                paid = round(allowed * rng.uniform(0.7, 1.0))
                paid_on = min(received + datetime.timedelta(days=rng.randint(7, 30)), world.as_of)
                check = f"EFT{rng.randint(10_000_000, 99_999_999)}"
            self.claim_serial += 1
            denial = ""
            if status == Claim.Status.DENIED:
                denial = rng.choice(DENIAL_REASONS)
            elif status == Claim.Status.ADJUSTED:
                denial = "Part of the billed amount is above the allowed amount for the plan"
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
                    denial_reason=denial,
                )
            )
        for _ in range(round(len(covered) * AUTHORIZATIONS_PER_MEMBER)):
            member = rng.choice(covered)
            tax_id, practitioners = self.claim_target()
            kind = rng.choices(Authorization.Kind.values, weights=[10, 60, 30])[0]
            requested = world.as_of - datetime.timedelta(days=rng.randint(0, 365))
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
        world.insert(Claim, claims)
        world.insert(ClaimLine, [line for claim in claims for line in self.claim_lines(claim)])
        world.insert(Authorization, authorizations)

    def claim_lines(self, claim):
        """One to three lines that add up to the claim's billed, allowed and paid amounts."""
        rng = self.rng
        count = rng.choice([1, 1, 2, 3])
        # Cents, split in `count` parts with the last taking what is left.
        totals = [
            int(amount.scaleb(2))
            for amount in (claim.billed_amount, claim.allowed_amount, claim.paid_amount)
        ]
        shares = [rng.uniform(1, 3) for _ in range(count)]
        weights = [share / sum(shares) for share in shares]
        lines = []
        spent = [0, 0, 0]
        for number, weight in enumerate(weights, start=1):
            last = number == count
            parts = [
                total - spent[k] if last else int(total * weight) for k, total in enumerate(totals)
            ]
            spent = [spent[k] + parts[k] for k in range(3)]
            code, description = rng.choice(PROCEDURES)
            lines.append(
                ClaimLine(
                    claim=claim,
                    line_number=number,
                    service_code=code,
                    description=description,
                    service_from=claim.service_from,
                    service_to=claim.service_to,
                    units=rng.choice([1, 1, 1, 2, 4]),
                    billed_amount=dollars(parts[0]),
                    allowed_amount=dollars(parts[1]),
                    paid_amount=dollars(parts[2]),
                    denial_reason=claim.denial_reason if parts[2] == 0 else "",
                )
            )
        return lines

    def claim_target(self):
        # The cast's offices get a steady share, so their demo pages are never empty.
        if self.rng.random() < 0.05:
            return self.rng.choice(self.cast_claim_targets)
        return self.rng.choice(self.claim_targets)


def create_logins(world: World, password_hash) -> dict:
    """provider@, provideruser@ and provider2@ in their offices; returns the users by email."""
    tenants = world.tenants
    provider = cast.login_create(
        "provider@demo.test", "Quinn", "Harrow", Role.PROVIDER_USER, password_hash
    )
    # A delegated administrator manages users and, without Tax IDs of their own, sees no patients.
    provider_user_add(organization=tenants.medical_group, user=provider, is_delegated_admin=True)

    provideruser = cast.login_create(
        "provideruser@demo.test", "Skyler", "Moreau", Role.PROVIDER_USER, password_hash
    )
    provider_user_add(
        organization=tenants.medical_group,
        user=provideruser,
        tax_ids=tenants.medical_group_tax_ids[:1],
        functions=(),
        by=provider,
    )

    provider2 = cast.login_create(
        "provider2@demo.test", "Emerson", "Tate", Role.PROVIDER_USER, password_hash
    )
    provider_user_add(
        organization=tenants.other_org,
        user=provider2,
        tax_ids=tenants.other_org_tax_ids,
        functions=("inquire_claims", "check_authorizations"),
    )
    # The registration queue's demo needs ops@, who decided one of its requests.
    registration_demo(world)
    # The users provider@ manages (Manage Users).
    office_users(world, provider, password_hash)
    return {user.email: user for user in (provider, provideruser, provider2)}
