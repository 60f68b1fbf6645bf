"""factory_boy factories for every model. Defaults make a valid row; tests override what matters."""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group as AuthGroup

from billing.models import Invoice, InvoiceLine, Payment
from brokers.models import Agency, Broker, BrokerCode, BrokerOfRecord, License
from commissions.models import CommissionLine, CommissionStatement
from employers.models import BrokerAccessGrant, EmployerAdmin
from enrollment.models import Coverage, Employer, EnrollmentEvent, Group, Member, ParentGroup, Plan
from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent
from portal.jobs.models import ReportJob
from providers.models import (
    Authorization,
    Claim,
    Practitioner,
    ProviderOrganization,
    ProviderUser,
    TaxId,
)

PASSWORD = "portal-demo-2026"
TODAY = datetime.date(2026, 11, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.BROKER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        # Email verification is mandatory: a user who logs in has a verified address.
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"PLN{n:05d}")
    name = factory.Sequence(lambda n: f"Silver {n} 2500/40")
    plan_type = Plan.PlanType.PPO
    market = Plan.Market.SMALL_GROUP
    state = "CA"


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"Employer {n} LLC")
    policyholder_id = factory.Sequence(lambda n: f"{n + 1000:09d}")


class ParentGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParentGroup

    employer = factory.SubFactory(EmployerFactory)
    number = factory.Sequence(lambda n: f"P{n + 10000}")
    name = factory.SelfAttribute("employer.name")
    effective_date = datetime.date(2020, 1, 1)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    parent = factory.SubFactory(ParentGroupFactory)
    suffix = factory.Sequence(lambda n: f"{n % 10000:04d}")
    number = factory.LazyAttribute(lambda o: f"{o.parent.number}-{o.suffix}")
    name = factory.LazyAttribute(lambda o: f"{o.parent.name} {o.suffix}")
    state = "CA"
    sic_code = "7372"
    rating_type = Group.RatingType.COMPOSITE
    original_effective_date = datetime.date(2020, 1, 1)
    suffix_effective_date = datetime.date(2020, 1, 1)
    renewal_month = 1
    last_renewal_date = datetime.date(2026, 1, 1)
    waiting_period = Group.WaitingPeriod.DAYS_30
    admin_name = "Pat Admin"
    billing_street = "1 Main St"
    billing_city = "Sacramento"
    billing_state = "CA"
    billing_zip = "95814"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    group = factory.SubFactory(GroupFactory)
    relationship = Member.Relationship.SUBSCRIBER
    member_id = factory.Sequence(lambda n: f"M{n:09d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    dob = datetime.date(1980, 5, 17)
    plan = factory.SubFactory(PlanFactory)
    ssn = ""


class DependentFactory(MemberFactory):
    subscriber = factory.SubFactory(MemberFactory)
    group = factory.SelfAttribute("subscriber.group")
    relationship = Member.Relationship.CHILD
    dob = datetime.date(2012, 3, 4)


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    member = factory.SubFactory(MemberFactory)
    group = factory.SelfAttribute("member.group")
    plan = factory.SelfAttribute("member.plan")
    tier = Coverage.Tier.EMPLOYEE
    start_date = datetime.date(2024, 1, 1)


class EnrollmentEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnrollmentEvent

    member = factory.SubFactory(MemberFactory)
    group = factory.SelfAttribute("member.group")
    kind = EnrollmentEvent.Kind.ENROLL
    effective_date = datetime.date(2024, 1, 1)


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    group = factory.SubFactory(GroupFactory)
    number = factory.Sequence(lambda n: f"INV{n:08d}")
    period_start = datetime.date(2026, 11, 1)
    period_end = datetime.date(2026, 11, 30)
    issued_on = datetime.date(2026, 10, 15)
    due_date = datetime.date(2026, 11, 1)
    balance_forward = Decimal("0.00")
    current_amount = Decimal("2835.66")
    adjustments = Decimal("0.00")
    payments = Decimal("0.00")
    balance_due = factory.LazyAttribute(
        lambda o: o.balance_forward + o.current_amount + o.adjustments - o.payments
    )


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    description = "Monthly premium"
    amount = Decimal("412.50")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    group = factory.SubFactory(GroupFactory)
    amount = Decimal("2835.66")
    received_on = datetime.date(2026, 10, 28)
    method = Payment.Method.ACH


class CommissionStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionStatement

    broker_code = factory.Sequence(lambda n: f"B{n:07d}")
    npn = factory.Sequence(lambda n: f"{n + 100000:08d}")
    period = datetime.date(2026, 10, 1)
    category = CommissionStatement.Category.GROUP
    state = "CA"
    statement_date = datetime.date(2026, 10, 7)
    total = Decimal("1240.00")
    payment_method = CommissionStatement.PaymentMethod.EFT


class CommissionLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionLine

    statement = factory.SubFactory(CommissionStatementFactory)
    description = "Group premium commission"
    product = "Gold PPO 500"
    coverage_period = factory.SelfAttribute("statement.period")
    subscriber_count = 12
    premium = Decimal("12400.00")
    rate = Decimal("0.1000")
    amount = Decimal("1240.00")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n} Insurance Services")
    tax_id = factory.Sequence(lambda n: f"{n + 200000000:09d}")


class BrokerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Broker

    agency = factory.SubFactory(AgencyFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"producer{n}@agency.example")
    npn = factory.Sequence(lambda n: f"{n + 7000000}")
    tax_id = "123456789"


class BrokerCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrokerCode

    broker = factory.SubFactory(BrokerFactory)
    code = factory.Sequence(lambda n: f"BR{n:06d}")
    is_primary = True


class LicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = License

    broker = factory.SubFactory(BrokerFactory)
    state = "CA"
    number = factory.Sequence(lambda n: f"0L{n:05d}")
    expires_on = datetime.date(2028, 6, 30)
    is_primary = True


class BrokerOfRecordFactory(factory.django.DjangoModelFactory):
    """A plain row; use brokers.services.broker_of_record_start to also grant the office."""

    class Meta:
        model = BrokerOfRecord

    group = factory.SubFactory(GroupFactory)
    broker = factory.SubFactory(BrokerFactory)
    start_date = datetime.date(2024, 1, 1)


class AuthGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthGroup

    name = factory.Sequence(lambda n: f"Office {n}")


class EmployerAdminFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmployerAdmin

    user = factory.SubFactory(UserFactory, role=Role.EMPLOYER_ADMIN)
    employer = factory.SubFactory(EmployerFactory)
    level = EmployerAdmin.Level.PRIMARY


class BrokerAccessGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrokerAccessGrant

    group = factory.SubFactory(GroupFactory)
    employer = factory.SelfAttribute("group.parent.employer")
    broker = factory.SubFactory(BrokerFactory)
    functions = ["view_invoice"]
    terms_accepted_at = factory.Faker("date_time", tzinfo=datetime.UTC)


class ProviderOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderOrganization

    name = factory.Sequence(lambda n: f"Valley Medical Group {n}")
    org_type = ProviderOrganization.OrgType.MEDICAL_GROUP
    status = ProviderOrganization.Status.APPROVED


class TaxIdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxId

    organization = factory.SubFactory(ProviderOrganizationFactory)
    number = factory.Sequence(lambda n: f"{n + 300000000:09d}")
    name = factory.SelfAttribute("organization.name")


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    organization = factory.SubFactory(ProviderOrganizationFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    npi = factory.Sequence(lambda n: f"{n + 1000000000:010d}")
    license_state = "CA"
    license_number = factory.Sequence(lambda n: f"A{n:06d}")


class ProviderUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderUser

    user = factory.SubFactory(UserFactory, role=Role.PROVIDER_USER)
    organization = factory.SubFactory(ProviderOrganizationFactory)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    number = factory.Sequence(lambda n: f"C{n:010d}")
    member = factory.SubFactory(MemberFactory)
    tax_id = factory.SubFactory(TaxIdFactory)
    service_from = datetime.date(2026, 9, 1)
    service_to = datetime.date(2026, 9, 1)
    received_on = datetime.date(2026, 9, 10)
    status = Claim.Status.PAID
    billed_amount = Decimal("250.00")
    allowed_amount = Decimal("180.00")
    paid_amount = Decimal("150.00")
    paid_on = datetime.date(2026, 9, 30)


class AuthorizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authorization

    number = factory.Sequence(lambda n: f"A{n:010d}")
    member = factory.SubFactory(MemberFactory)
    tax_id = factory.SubFactory(TaxIdFactory)
    kind = Authorization.Kind.OUTPATIENT
    status = Authorization.Status.APPROVED
    requested_on = datetime.date(2026, 8, 1)
    start_date = datetime.date(2026, 8, 15)
    end_date = datetime.date(2026, 11, 15)
    service_description = "Physical therapy, 12 visits"


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    user = factory.SubFactory(UserFactory)
    action = AuditEvent.Action.VIEW
    object_type = "enrollment.Member"
    object_id = "1"


class ReportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportJob

    kind = "group_roster_xlsx"
    requester = factory.SubFactory(UserFactory)


class ContractingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "brokers.ContractingRecord"

    npn = factory.Sequence(lambda n: f"{n + 8100000}")
    tax_id = factory.Sequence(lambda n: f"{n + 400000000:09d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"contracted{n}@agency.example")
    firm_name = factory.Sequence(lambda n: f"Contracted Agency {n}")
    states_appointed = "CA,NV"
    created_on = datetime.date(2017, 8, 7)


class IFPApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrollment.IFPApplication"

    application_number = factory.Sequence(lambda n: f"IFP{n:08d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    dob = datetime.date(1988, 9, 12)
    plan = factory.SubFactory(PlanFactory, market=Plan.Market.IFP)
    requested_effective_date = datetime.date(2026, 12, 1)
    status = "received"
    received_on = datetime.date(2026, 10, 20)
    status_changed_on = factory.SelfAttribute("received_on")
    broker_code = "BR000000"


# The smallest well-formed PDF: one empty page. Enough for Forms & Brochures' content check.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class DocumentFactory(factory.django.DjangoModelFactory):
    """A published PDF for every market and state; its file goes to the "documents" storage."""

    class Meta:
        model = "brokers.Document"

    title = factory.Sequence(lambda n: f"Enrollment form {n:03d}")
    category = "form"
    market = "all"
    state = ""
    file = factory.django.FileField(data=TINY_PDF, filename="form.pdf")
    filename = "form.pdf"
    content_type = "application/pdf"
    size = len(TINY_PDF)
    is_published = True
    published_on = datetime.date(2026, 10, 1)


class GroupDocumentFactory(factory.django.DjangoModelFactory):
    """A published PDF for one group; its file goes to the "documents" storage."""

    class Meta:
        model = "employers.GroupDocument"

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Summary of Benefits {n:03d}")
    category = "benefits"
    file = factory.django.FileField(data=TINY_PDF, filename="benefits.pdf")
    filename = "benefits.pdf"
    content_type = "application/pdf"
    size = len(TINY_PDF)
    is_published = True
    published_on = datetime.date(2026, 10, 1)


class RosterLineFactory(InvoiceLineFactory):
    """A premium line billed for one member of the invoice's group, on the member's plan."""

    member = factory.SubFactory(MemberFactory, group=factory.SelfAttribute("..invoice.group"))
    plan = factory.SelfAttribute("member.plan")
    tier = "EE"
    description = factory.LazyAttribute(lambda o: f"Premium: {o.member.member_id}")


class PaymentAccountFactory(factory.django.DjangoModelFactory):
    """A saved bank account of an employer: a sandbox-shaped token and its last four digits."""

    class Meta:
        model = "billing.PaymentAccount"

    employer = factory.SubFactory(EmployerFactory)
    nickname = factory.Sequence(lambda n: f"Operating account {n}")
    holder_name = "Cypress Manufacturing Inc."
    account_type = "checking"
    routing_number = "011000015"
    account_token = factory.Sequence(lambda n: f"sandbox_test_{n:08d}")
    account_last4 = "6789"
    created_by = factory.SubFactory(UserFactory)


class RecurringPaymentFactory(factory.django.DjangoModelFactory):
    """The balance due of a group's bills on the 5th of each month, from the employer's account."""

    class Meta:
        model = "billing.RecurringPayment"

    group = factory.SubFactory(GroupFactory)
    account = factory.SubFactory(
        PaymentAccountFactory, employer=factory.SelfAttribute("..group.parent.employer")
    )
    day_of_month = 5
    amount_kind = "balance_due"
    fixed_amount = None
    starts_on = datetime.date(2026, 11, 1)
    created_by = factory.SubFactory(UserFactory)


class MedicalPolicyFactory(factory.django.DjangoModelFactory):
    """A published medical policy, as ops publish them for Resources."""

    class Meta:
        model = "providers.MedicalPolicy"

    number = factory.Sequence(lambda n: f"MP-{n + 5000}")
    title = factory.Sequence(lambda n: f"Medical policy {n}")
    kind = "medical_policy"
    category = "Surgery"
    effective_date = datetime.date(2026, 1, 1)
    last_reviewed = datetime.date(2026, 2, 1)
    summary = "When the service is medically necessary."
    body = "Criteria\nThe member meets the criteria."
    is_published = True
