"""Resources' part of the demo world: the carrier's participating-provider network that offices
search to refer patients, and the medical policies and clinical guidelines ops publish.

`demo.builder` calls `network` and `policies` once, after everything else that draws from
`world.rng`. The network is the practitioners the providers' builder made (given an office
address and phone here) plus NETWORK_PRACTITIONERS_PER_SCALE more in practices that do not use
the portal, a few of them no longer participating (the search must not show those).
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings

from portal.demo.world import World
from providers.demo import PRIMARY_CARE, SPECIALTIES
from providers.models import MedicalPolicy, Practitioner, ProviderOrganization, TaxId

NETWORK_PRACTITIONERS_PER_SCALE = 300
# Of the network's practitioners: no longer participating, and accepting new patients.
NOT_PARTICIPATING_SHARE = 0.05
ACCEPTING_SHARE = 0.7
NETWORK_SPECIALTIES = [*PRIMARY_CARE, *SPECIALTIES, "Neurology", "Ophthalmology", "Urology"]

# (number, title, kind, category, summary, published, has an outside document)
POLICIES = [
    (
        "MP-1001",
        "Bariatric Surgery",
        "medical_policy",
        "Surgery",
        "Criteria for gastric bypass, sleeve gastrectomy and adjustable gastric banding in adults "
        "with severe obesity.",
        True,
        True,
    ),
    (
        "MP-1002",
        "Magnetic Resonance Imaging of the Spine",
        "medical_policy",
        "Radiology",
        "When MRI of the cervical, thoracic or lumbar spine is medically necessary, and when "
        "conservative care comes first.",
        True,
        False,
    ),
    (
        "MP-1003",
        "Continuous Glucose Monitoring",
        "medical_policy",
        "Durable Medical Equipment",
        "Personal continuous glucose monitors for members with diabetes on insulin therapy.",
        True,
        True,
    ),
    (
        "MP-1004",
        "Sleep Studies for Obstructive Sleep Apnea",
        "medical_policy",
        "Diagnostics",
        "Home sleep apnea testing and attended polysomnography.",
        True,
        False,
    ),
    (
        "MP-1005",
        "Knee Arthroscopy",
        "medical_policy",
        "Surgery",
        "Arthroscopic meniscectomy and debridement; not for osteoarthritis alone.",
        True,
        False,
    ),
    (
        "MP-1006",
        "Genetic Testing for Hereditary Cancer",
        "medical_policy",
        "Laboratory",
        "BRCA1/2 and multigene panel testing for members meeting family-history criteria.",
        True,
        True,
    ),
    (
        "MP-1007",
        "Physical Therapy Visits",
        "medical_policy",
        "Rehabilitation",
        "Outpatient physical therapy: evaluation, plan of care and the visits it supports.",
        True,
        False,
    ),
    (
        "MP-1008",
        "Cosmetic and Reconstructive Procedures",
        "medical_policy",
        "Surgery",
        "What distinguishes reconstructive surgery (to improve function or create a normal "
        "appearance) from cosmetic surgery.",
        False,
        False,
    ),
    (
        "CG-2001",
        "Adult Preventive Care",
        "clinical_guideline",
        "Preventive Care",
        "Screenings and immunizations for adults by age and risk.",
        True,
        True,
    ),
    (
        "CG-2002",
        "Management of Type 2 Diabetes",
        "clinical_guideline",
        "Chronic Conditions",
        "A1c targets, annual eye and foot exams, and when to refer to endocrinology.",
        True,
        False,
    ),
    (
        "CG-2003",
        "Prenatal and Postpartum Care",
        "clinical_guideline",
        "Maternity",
        "Visit schedule, screenings and postpartum follow-up.",
        True,
        False,
    ),
    (
        "CG-2004",
        "Low Back Pain",
        "clinical_guideline",
        "Chronic Conditions",
        "Conservative care first; imaging only with red flags or after six weeks.",
        True,
        False,
    ),
    (
        "CG-2005",
        "Depression Screening in Primary Care",
        "clinical_guideline",
        "Behavioral Health",
        "PHQ-2 and PHQ-9 screening and follow-up for adolescents and adults.",
        False,
        False,
    ),
]

POLICY_BODY = (
    "Description\n"
    "{summary}\n\n"
    "Policy\n"
    "{carrier} considers the service medically necessary when the criteria below are met and "
    "documented in the medical record. Requests that do not meet them are reviewed by a medical "
    "director.\n\n"
    "Criteria\n"
    "1. The member has a diagnosis the service is indicated for, confirmed by the treating "
    "provider.\n"
    "2. Appropriate conservative treatment has been tried for an adequate period, or is "
    "contraindicated.\n"
    "3. The service is expected to change the member's management or outcome.\n\n"
    "Demo content: this policy is fictional and written for the portal's demonstration."
)


def network(world: World):
    """Office addresses, phones and new-patient status for the practitioners the providers'
    builder made, and more participating practitioners in practices outside the portal."""
    rng, pools = world.rng, world.pools
    located = []
    for practitioner in Practitioner.objects.filter(city="").order_by("pk"):
        _place(world, practitioner, practitioner.license_state or pools.state(rng))
        located.append(practitioner)
    Practitioner.objects.bulk_update(
        located,
        ["city", "state", "zip_code", "office_phone", "accepting_new_patients"],
        batch_size=1000,
    )

    wanted = max(100, round(NETWORK_PRACTITIONERS_PER_SCALE * world.scale))
    serial = TaxId.objects.filter(number__startswith="003").count()
    practices, members = [], []
    while len(members) < wanted:
        serial += 1
        state = pools.state(rng)
        size = 1 if rng.random() < 0.4 else rng.randint(2, 8)
        word = rng.choice(pools.company_words)
        Org = ProviderOrganization
        org = Org(
            name=f"{word} Family Medicine" if size == 1 else f"{word} Medical Associates",
            org_type=Org.OrgType.PHYSICIAN if size == 1 else Org.OrgType.MEDICAL_GROUP,
            # A practice the carrier contracts with, whose office has not registered.
            status=Org.Status.APPROVED,
        )
        practices.append((org, serial, state, size))
        members.extend([org] * size)
    world.insert(ProviderOrganization, [org for org, *_ in practices])
    tax_ids = world.insert(
        TaxId,
        [
            TaxId(organization=org, number=f"003{serial:06d}", name=org.name)
            for org, serial, _, _ in practices
        ],
    )

    practitioners = []
    first_serial = Practitioner.objects.filter(npi__startswith="8").count()
    for org, _, state, size in practices:
        # A practice shares one address and phone.
        city, _, zip_code, area = pools.place(rng, state)
        phone = pools.phone(rng, area)
        specialty = rng.choice(NETWORK_SPECIALTIES)
        for _ in range(size):
            number = first_serial + len(practitioners) + 1
            _, first, last = world.person()
            practitioners.append(
                Practitioner(
                    organization=org,
                    first_name=first,
                    last_name=last,
                    # 8 and 9 never start a real NPI; the providers' builder uses 9.
                    npi=f"8{number:09d}",
                    license_state=state,
                    # A letter pair: the providers' builder's licenses are one letter + digits.
                    license_number=f"RN{number:07d}",
                    specialty=specialty if size > 1 else rng.choice(PRIMARY_CARE),
                    is_participating=rng.random() >= NOT_PARTICIPATING_SHARE,
                    accepting_new_patients=rng.random() < ACCEPTING_SHARE,
                    office_phone=phone,
                    city=city,
                    state=state,
                    zip_code=zip_code,
                )
            )
    world.insert(Practitioner, practitioners)
    Through = Practitioner.tax_ids.through
    tax_id_of = {tax_id.organization_id: tax_id.pk for tax_id in tax_ids}
    world.insert(
        Through,
        [
            Through(practitioner_id=p.pk, taxid_id=tax_id_of[p.organization_id])
            for p in practitioners
        ],
    )
    world.say(
        f"{len(located)} practitioners' offices placed; {len(practitioners)} network "
        f"practitioners in {len(practices)} practices"
    )


def _place(world, practitioner, state):
    rng = world.rng
    city, _, zip_code, area = world.pools.place(rng, state)
    practitioner.city, practitioner.state, practitioner.zip_code = city, state, zip_code
    practitioner.office_phone = world.pools.phone(rng, area)
    practitioner.accepting_new_patients = rng.random() < ACCEPTING_SHARE


def policies(world: World):
    """A dozen medical policies and clinical guidelines, two of them not published yet. The
    full documents "live" on the carrier's public site (the origin of its privacy page)."""
    rng = world.rng
    site = urlsplit(settings.CARRIER.get("privacy_url") or "https://www.example.com")
    url_base = f"{site.scheme}://{site.netloc}"
    rows = []
    for number, title, kind, category, summary, published, outside in POLICIES:
        effective = world.as_of - datetime.timedelta(days=rng.randint(60, 900))
        rows.append(
            MedicalPolicy(
                number=number,
                title=title,
                kind=kind,
                category=category,
                effective_date=effective,
                last_reviewed=effective + datetime.timedelta(days=rng.randint(0, 45)),
                summary=summary,
                body=POLICY_BODY.format(summary=summary, carrier=settings.CARRIER["name"]),
                external_url=f"{url_base}/medical-policies/{number}.pdf" if outside else "",
                is_published=published,
            )
        )
    world.insert(MedicalPolicy, rows)
    world.say(f"{len(rows)} medical policies and clinical guidelines")
