"""Provider registration's part of the demo world: a participating physician nobody has
registered yet (to try the instant path), a non-participating one (to be told how to apply), and
provider relations' queue with requests awaiting verification, one of them overdue.

Called at the end of `providers.demo.create_logins`, once ops@ exists. Nothing here draws from
`world.rng`, and nothing is emailed while seeding. README lists the values to type.
"""

import datetime

from django.utils import timezone

from portal.accounts.models import User
from portal.demo.world import World
from providers.models import Practitioner, ProviderOrganization, RegistrationRequest, TaxId
from providers.registration import transaction_id_new

Org = ProviderOrganization
# Like the demo's other identifiers: NPIs starting with 9 are never issued, and the Tax IDs use
# EIN prefixes (89, 79) the IRS does not assign.
SOLO = {
    "first_name": "Taylor",
    "last_name": "Marlow",
    "practice": "Marlow Family Medicine",
    "tax_id": "892345678",  # typed as 89-2345678
    "npi": "9990000101",
    "license_state": "CA",
    "license_number": "A990101",
}
NOT_PARTICIPATING = {
    "first_name": "Sasha",
    "last_name": "Brennan",
    "practice": "Brennan Chiropractic",
    "tax_id": "793456789",
    "npi": "9990000102",
    "license_state": "CA",
    "license_number": "A990102",
}


def _practice(values, *, participating):
    org = Org.objects.create(
        name=values["practice"], org_type=Org.OrgType.PHYSICIAN, status=Org.Status.APPROVED
    )
    tax_id = TaxId.objects.create(organization=org, number=values["tax_id"], name=org.name)
    practitioner = Practitioner.objects.create(
        organization=org,
        first_name=values["first_name"],
        last_name=values["last_name"],
        npi=values["npi"],
        license_state=values["license_state"],
        license_number=values["license_number"],
        specialty="Family Medicine",
        is_participating=participating,
        accepting_new_patients=participating,
        city="Sacramento",
        state="CA",
    )
    practitioner.tax_ids.add(tax_id)
    return tax_id


def _request(*, submitted_at, **values):
    found = RegistrationRequest.objects.create(
        transaction_id=transaction_id_new(), terms_accepted_at=submitted_at, **values
    )
    # submitted_at is set on insert; the queue needs requests of different ages.
    RegistrationRequest.objects.filter(pk=found.pk).update(submitted_at=submitted_at)
    return found


def registration_demo(world: World) -> None:
    _practice(SOLO, participating=True)
    _practice(NOT_PARTICIPATING, participating=False)

    now = timezone.now()
    medical_group_tax_id = world.tenants.medical_group_tax_ids[0]
    _request(
        # A week ago: past the target, whatever the day of the week.
        submitted_at=now - datetime.timedelta(days=7),
        account_type=Org.OrgType.MEDICAL_GROUP,
        user_type=RegistrationRequest.UserType.DELEGATED_ADMIN,
        regions=["northern", "central"],
        organization_name="Foothill Orthopedic Partners",
        tax_id_number="894440001",
        npi="9990000201",
        first_name="Robin",
        last_name="Achebe",
        email="robin.achebe@foothill-ortho.example",
        phone="916-555-0131",
    )
    _request(
        submitted_at=now - datetime.timedelta(hours=20),
        account_type=Org.OrgType.MEDICAL_GROUP,
        user_type=RegistrationRequest.UserType.DELEGATED_ADMIN,
        regions=["northern"],
        organization_name=medical_group_tax_id.name,
        tax_id_number=medical_group_tax_id.number,
        first_name="Morgan",
        last_name="Ibarra",
        email="morgan.ibarra@valleyoak.example",
        phone="916-555-0132",
        matched_tax_id=medical_group_tax_id,
    )
    # A participating physician whose Tax ID doesn't match their records: verified by hand.
    physician = (
        Practitioner.objects.filter(
            organization__org_type=Org.OrgType.PHYSICIAN, is_participating=True
        )
        .exclude(npi__in=[SOLO["npi"]])
        .order_by("pk")
        .first()
    )
    if physician is not None:
        _request(
            submitted_at=now - datetime.timedelta(hours=3),
            account_type=Org.OrgType.PHYSICIAN,
            user_type=RegistrationRequest.UserType.SOLO_PRACTITIONER,
            regions=["southern"],
            organization_name=physician.organization.name,
            tax_id_number="894440002",
            npi=physician.npi,
            license_state=physician.license_state,
            license_number=physician.license_number,
            first_name=physician.first_name,
            last_name=physician.last_name,
            email="front.desk@solo-practice.example",
            phone="916-555-0133",
            matched_practitioner=physician,
        )
    rejected = _request(
        submitted_at=now - datetime.timedelta(days=20),
        account_type=Org.OrgType.ANCILLARY,
        user_type=RegistrationRequest.UserType.DELEGATED_ADMIN,
        regions=["southern"],
        organization_name="Harbor Imaging Center",
        tax_id_number="894440003",
        first_name="Lee",
        last_name="Osei",
        email="lee.osei@harbor-imaging.example",
        phone="916-555-0134",
    )
    RegistrationRequest.objects.filter(pk=rejected.pk).update(
        status=RegistrationRequest.Status.REJECTED,
        decided_at=now - datetime.timedelta(days=19),
        decided_by=User.objects.filter(email="ops@demo.test").first(),
        rejection_reason="Harbor Imaging Center is not under contract with us yet. Please apply "
        "to join our network first.",
    )
    world.log(
        f"To try provider registration at once: physician, solo practitioner, Tax ID "
        f"89-2345678, NPI {SOLO['npi']}, license {SOLO['license_state']} "
        f"{SOLO['license_number']}; license {NOT_PARTICIPATING['license_state']} "
        f"{NOT_PARTICIPATING['license_number']} is not participating. Ops' queue: "
        "/admin/providers/registrationrequest/."
    )
