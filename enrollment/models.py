"""Plans, employers, their groups (parent + suffixes), members, coverage and enrollment history.

This core knows nothing of brokers, employer users or providers: they point at it, never back.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from portal.audit.models import AppendOnlyModel
from portal.fields import EncryptedTextField
from portal.validators import digits

US_STATE = {"max_length": 2}


class Plan(models.Model):
    class PlanType(models.TextChoices):
        HMO = "HMO"
        PPO = "PPO"
        EPO = "EPO"

    class Market(models.TextChoices):
        SMALL_GROUP = "small_group", "Small group"
        LARGE_GROUP = "large_group", "Large group"
        IFP = "ifp", "Individual & family"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    plan_type = models.CharField(max_length=3, choices=PlanType.choices)
    market = models.CharField(max_length=12, choices=Market.choices)
    state = models.CharField(**US_STATE)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.plan_type} - {self.name}"


class Employer(models.Model):
    """The policyholder: the employer that buys group coverage."""

    name = models.CharField(max_length=150)
    policyholder_id = models.CharField(
        "policyholder ID",
        max_length=9,
        unique=True,
        validators=[digits(9)],
        help_text="Nine digits, zero-padded: 1234 is 000001234.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(policyholder_id__regex=r"^[0-9]{9}$"),
                name="employer_policyholder_id_9_digits",
            )
        ]

    def __str__(self):
        return self.name

    @staticmethod
    def pad_policyholder_id(value: str) -> str:
        return value.strip().zfill(9)


class ParentGroup(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="parent_groups")
    number = models.CharField("parent group ID", max_length=12, unique=True)
    name = models.CharField(max_length=150)
    effective_date = models.DateField("parent group effective date")

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.name}"


class Group(models.Model):
    """A group suffix: the unit that is enrolled, billed and granted to brokers."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PENDING = "pending", "Pending"
        CANCELLED = "cancelled", "Cancelled"

    class RatingType(models.TextChoices):
        COMPOSITE = "composite", "Composite"
        AGE_RATED = "age_rated", "Age rated"
        LIST_BILLED = "list_billed", "List billed"

    class WaitingPeriod(models.TextChoices):
        NONE = "none", "First of month after hire"
        DAYS_30 = "30", "First of month after 30 days"
        DAYS_60 = "60", "First of month after 60 days"
        DAYS_90 = "90", "First of month after 90 days"

    parent = models.ForeignKey(ParentGroup, on_delete=models.PROTECT, related_name="suffixes")
    suffix = models.CharField("group suffix ID", max_length=4)
    number = models.CharField("group number", max_length=20, unique=True)
    name = models.CharField("suffix name", max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    state = models.CharField("group state", **US_STATE)
    sic_code = models.CharField("SIC code", max_length=4, validators=[digits(4)])
    rating_type = models.CharField(max_length=12, choices=RatingType.choices)
    original_effective_date = models.DateField()
    suffix_effective_date = models.DateField()
    cancellation_date = models.DateField(null=True, blank=True)
    renewal_month = models.PositiveSmallIntegerField()
    last_renewal_date = models.DateField(null=True, blank=True)
    waiting_period = models.CharField(max_length=4, choices=WaitingPeriod.choices)
    admin_name = models.CharField("group admin", max_length=120)
    admin_phone = models.CharField(max_length=20, blank=True)
    admin_email = models.EmailField(blank=True)
    admin_street = models.CharField(max_length=120, blank=True)
    admin_city = models.CharField(max_length=60, blank=True)
    admin_state = models.CharField(blank=True, **US_STATE)
    admin_zip = models.CharField(max_length=10, blank=True)
    billing_street = models.CharField(max_length=120)
    billing_city = models.CharField(max_length=60)
    billing_state = models.CharField(**US_STATE)
    billing_zip = models.CharField(max_length=10)
    billing_contact_name = models.CharField(max_length=120, blank=True)
    billing_contact_phone = models.CharField(max_length=20, blank=True)
    plans = models.ManyToManyField(Plan, related_name="groups", blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "suffix"], name="group_suffix_unique_in_parent"
            ),
            models.CheckConstraint(
                condition=Q(renewal_month__gte=1, renewal_month__lte=12),
                name="group_renewal_month_valid",
            ),
            models.CheckConstraint(
                condition=Q(suffix_effective_date__gte=F("original_effective_date")),
                name="group_suffix_effective_after_original",
            ),
            models.CheckConstraint(
                condition=Q(cancellation_date__isnull=True)
                | Q(cancellation_date__gte=F("suffix_effective_date")),
                name="group_cancellation_after_effective",
            ),
        ]
        indexes = [models.Index(fields=["parent", "status"])]
        permissions = [
            ("view_roster", "View the group's subscribers and dependents"),
            ("perform_enrollment", "Enroll, change, cancel and reinstate members"),
            ("receive_enrollment_notifications", "Receive enrollment notifications"),
            ("view_invoice", "View full invoices"),
            ("view_payment_history", "Research payment history"),
            ("view_balance", "Find balance details"),
            ("pay_bill", "Pay the bill"),
            ("run_reports", "Run enrollment and billing reports"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"


# Guardian's direct-foreign-key permission tables: list pages filter with a join on these,
# not with a subquery over the generic object-permission table.
class GroupUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Group, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "group permission held by a user"
        verbose_name_plural = "group permissions held by users"


class GroupGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Group, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "group permission held by an office"
        verbose_name_plural = "group permissions held by offices"


class Member(models.Model):
    """A subscriber (the employee) or one of their dependents.

    Dependents point at their subscriber and share the subscriber's group. Address and phones
    are kept on the subscriber.
    """

    class Relationship(models.TextChoices):
        SUBSCRIBER = "subscriber", "Subscriber"
        SPOUSE = "spouse", "Spouse"
        DOMESTIC_PARTNER = "partner", "Domestic partner"
        CHILD = "child", "Child"
        OTHER = "other", "Other dependent"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PENDING = "pending", "Pending"
        COBRA = "cobra", "COBRA"
        CANCELLED = "cancelled", "Cancelled"

    class Gender(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "X", "Another gender"
        UNKNOWN = "U", "Not given"

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="members")
    subscriber = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="dependents"
    )
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    member_id = models.CharField("member ID", max_length=12, unique=True)
    first_name = models.CharField(max_length=60)
    middle_initial = models.CharField(max_length=1, blank=True)
    last_name = models.CharField(max_length=60)
    dob = models.DateField("date of birth")
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    ssn = EncryptedTextField("SSN", blank=True)
    ssn_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The plan of the current coverage period, kept by the enrollment services.",
    )
    street = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=60, blank=True)
    state = models.CharField(blank=True, **US_STATE)
    zip_code = models.CharField(max_length=10, blank=True)
    county = models.CharField(max_length=60, blank=True)
    home_phone = models.CharField(max_length=20, blank=True)
    work_phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    spoken_language = models.CharField(max_length=30, default="English")
    marital_status = models.CharField(max_length=20, blank=True)
    pcp_name = models.CharField("PCP", max_length=120, blank=True)
    pcp_npi = models.CharField("PCP NPI", max_length=10, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(relationship="subscriber", subscriber__isnull=True)
                | (~Q(relationship="subscriber") & Q(subscriber__isnull=False)),
                name="member_dependent_has_subscriber",
            ),
        ]
        # Eligibility by last name + DOB uses an index on (dob, lower(last_name)) created in
        # migration 0002, with PostgreSQL's text_pattern_ops for prefix searches.
        indexes = [
            models.Index(fields=["group", "last_name", "first_name"]),
            # A group's subscriber list, in name order, paged by OFFSET over this index alone.
            models.Index(
                fields=["group", "last_name", "first_name", "id"],
                condition=Q(relationship="subscriber"),
                name="member_subscribers_by_name_idx",
            ),
        ]

    def __str__(self):
        return f"{self.last_name}, {self.first_name} ({self.member_id})"

    @property
    def is_subscriber(self):
        return self.relationship == self.Relationship.SUBSCRIBER

    @property
    def ssn_masked(self):
        return f"***-**-{self.ssn[-4:]}" if self.ssn else ""

    def set_ssn(self, ssn: str):
        from portal.crypto import digest

        ssn = "".join(ch for ch in ssn if ch.isdigit())
        self.ssn = ssn
        self.ssn_digest = digest(ssn) if ssn else ""


class Coverage(models.Model):
    """A period during which a member is covered by a plan through a group."""

    class Tier(models.TextChoices):
        EMPLOYEE = "EE", "Employee only"
        EMPLOYEE_SPOUSE = "ES", "Employee + spouse"
        EMPLOYEE_CHILDREN = "EC", "Employee + children"
        FAMILY = "FAM", "Family"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="coverages")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(max_length=3, choices=Tier.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # COBRA continuation is a period of its own, after the employer-paid one it continues, so
    # the history shows both; the qualifying event and its date say why it began.
    is_cobra = models.BooleanField("COBRA continuation", default=False)
    cobra_event = models.CharField("COBRA qualifying event", max_length=30, blank=True)
    cobra_event_date = models.DateField("COBRA qualifying event date", null=True, blank=True)

    class Meta:
        ordering = ["member", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="coverage_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["member", "-start_date"])]

    def __str__(self):
        return f"{self.member_id} {self.plan_id} {self.start_date}–{self.end_date or ''}"


class EnrollmentEvent(AppendOnlyModel):
    """What happened to a member's coverage, by whom, on whose behalf. Never changed."""

    class Kind(models.TextChoices):
        ENROLL = "enroll", "Enrolled"
        CHANGE = "change", "Information changed"
        PLAN_CHANGE = "plan_change", "Plan changed"
        PCP_CHANGE = "pcp_change", "PCP changed"
        CANCEL = "cancel", "Cancelled"
        REINSTATE = "reinstate", "Reinstated"
        COBRA = "cobra", "Moved to COBRA"

    at = models.DateTimeField(auto_now_add=True)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="events")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    effective_date = models.DateField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.CharField(
        max_length=120, blank=True, help_text="Whose request it was, when someone acted for them."
    )
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["member", "-at"]), models.Index(fields=["group", "-at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.member_id} {self.effective_date}"


class IFPApplication(models.Model):
    """An application for an individual & family plan, from receipt to effectuation.

    `broker_code` is the Broker ID the application was written under, kept as text: this core
    knows nothing of brokers, and an application may name a code the carrier has not matched
    to a broker yet.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PENDING_INFORMATION = "pending_info", "Pending information"
        APPROVED = "approved", "Approved"
        EFFECTUATED = "effectuated", "Effectuated"
        DENIED = "denied", "Denied"
        WITHDRAWN = "withdrawn", "Withdrawn"

    application_number = models.CharField(max_length=20, unique=True)
    first_name = models.CharField("applicant first name", max_length=60)
    last_name = models.CharField("applicant last name", max_length=60)
    dob = models.DateField("applicant date of birth")
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"market": Plan.Market.IFP},
    )
    requested_effective_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    received_on = models.DateField()
    status_changed_on = models.DateField()
    missing_information = models.TextField(
        blank=True, help_text="What the carrier is waiting for, while pending information."
    )
    decided_on = models.DateField(null=True, blank=True, help_text="Approved or denied on.")
    effectuated_on = models.DateField(
        null=True, blank=True, help_text="The first premium was paid and coverage began."
    )
    broker_code = models.CharField("broker ID", max_length=12, db_index=True)

    class Meta:
        ordering = ["-received_on", "application_number"]
        verbose_name = "IFP application"
        constraints = [
            models.CheckConstraint(
                condition=Q(status_changed_on__gte=F("received_on")),
                name="ifp_application_changed_after_received",
            ),
        ]
        indexes = [
            models.Index(fields=["broker_code", "-received_on"], name="ifp_app_code_received_idx")
        ]

    def __str__(self):
        return f"{self.application_number} {self.last_name}, {self.first_name}"
