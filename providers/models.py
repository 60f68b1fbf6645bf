from django.conf import settings
from django.db import models
from django.db.models import F, Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from enrollment.models import Member
from portal.money import money
from portal.validators import digits


class ProviderOrganization(models.Model):
    class OrgType(models.TextChoices):
        PHYSICIAN = "physician", "Physician (solo practitioner)"
        MEDICAL_GROUP = "medical_group", "Medical group"
        HOSPITAL = "hospital", "Hospital"
        ANCILLARY = "ancillary", "Ancillary facility"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting carrier approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SUSPENDED = "suspended", "Suspended"

    name = models.CharField(max_length=150)
    org_type = models.CharField("type", max_length=14, choices=OrgType.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TaxId(models.Model):
    """A Tax ID an organisation bills under: the unit provider users are given access to."""

    organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, related_name="tax_ids"
    )
    number = models.CharField("tax ID", max_length=9, unique=True, validators=[digits(9)])
    name = models.CharField(max_length=150)

    class Meta:
        ordering = ["number"]
        verbose_name = "tax ID"
        permissions = [
            ("check_eligibility", "Check member eligibility and benefits"),
            ("inquire_claims", "Check claim status"),
            ("check_authorizations", "Check authorization status"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"


class TaxIdUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(TaxId, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "Tax ID permission held by a user"
        verbose_name_plural = "Tax ID permissions held by users"


class TaxIdGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(TaxId, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "Tax ID permission held by a group"
        verbose_name_plural = "Tax ID permissions held by groups"


class Practitioner(models.Model):
    organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, related_name="practitioners"
    )
    tax_ids = models.ManyToManyField(TaxId, related_name="practitioners")
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[digits(10)])
    license_state = models.CharField(max_length=2)
    license_number = models.CharField(max_length=20)
    specialty = models.CharField(max_length=80, blank=True)
    # The carrier's participating-provider record: who may register, and the referral network
    # Resources searches.
    is_participating = models.BooleanField(default=True)
    accepting_new_patients = models.BooleanField(default=True)
    office_phone = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=60, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["license_state", "license_number"], name="practitioner_license_unique"
            )
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} (NPI {self.npi})"


class ProviderUser(models.Model):
    """A person in a provider office. Delegated administrators manage users; end users look up
    patients, within the Tax IDs and functions granted to them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_user"
    )
    organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, related_name="users"
    )
    is_delegated_admin = models.BooleanField(default=False)
    # The individual providers under the granted Tax IDs the user acts for; none: all of them.
    practitioners = models.ManyToManyField(Practitioner, blank=True, related_name="+")
    # Set when an administrator creates the user with a temporary password: the first sign-in
    # accepts the terms, sets a new password and enrols a second factor before anything else.
    must_change_password = models.BooleanField(default=False)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization", "user"]

    def __str__(self):
        return f"{self.user} ({self.organization})"


class RegistrationRequest(models.Model):
    """A provider office's request to use the portal. A solo practitioner whose license and Tax
    ID match the participating-provider records is approved at once; everything else waits for
    provider relations, who approve or reject it in the admin (target: two business days)."""

    class UserType(models.TextChoices):
        SOLO_PRACTITIONER = "solo", "Solo practitioner"
        DELEGATED_ADMIN = "delegated_admin", "Delegated administrator"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting verification"
        APPROVED = "approved", "Approved: registration link sent"
        REJECTED = "rejected", "Rejected"
        COMPLETED = "completed", "Registration completed"

    transaction_id = models.CharField("transaction ID", max_length=16, unique=True)
    account_type = models.CharField(max_length=14, choices=ProviderOrganization.OrgType.choices)
    user_type = models.CharField(max_length=15, choices=UserType.choices)
    regions = models.JSONField(default=list)
    organization_name = models.CharField(max_length=150)
    tax_id_number = models.CharField("tax ID", max_length=9, validators=[digits(9)])
    npi = models.CharField("NPI", max_length=10, blank=True, validators=[digits(10)])
    license_state = models.CharField(max_length=2, blank=True)
    license_number = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    email = models.EmailField()
    phone = models.CharField(max_length=20)
    terms_accepted_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # What the participating-provider records say about the request, for the reviewer.
    matched_tax_id = models.ForeignKey(
        TaxId, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matched_practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejection_reason = models.TextField(blank=True, max_length=1000)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.transaction_id} {self.organization_name}"


class MedicalPolicy(models.Model):
    """A medical policy or clinical guideline ops publish for provider offices."""

    class Kind(models.TextChoices):
        MEDICAL_POLICY = "medical_policy", "Medical policy"
        CLINICAL_GUIDELINE = "clinical_guideline", "Clinical guideline"

    number = models.CharField("policy number", max_length=20, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=18, choices=Kind.choices)
    category = models.CharField(max_length=80, blank=True)
    effective_date = models.DateField()
    last_reviewed = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The policy text, shown in the portal.")
    external_url = models.URLField(
        blank=True, help_text="Where the full document lives, if outside the portal."
    )
    is_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name_plural = "medical policies"

    def __str__(self):
        return f"{self.number} {self.title}"


class Claim(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        DENIED = "denied", "Denied"
        ADJUSTED = "adjusted", "Adjusted"

    number = models.CharField("claim number", max_length=20, unique=True)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="claims")
    tax_id = models.ForeignKey(TaxId, on_delete=models.PROTECT, related_name="claims")
    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    service_from = models.DateField()
    service_to = models.DateField()
    received_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    billed_amount = money()
    allowed_amount = money(default=0)
    paid_amount = money(default=0)
    paid_on = models.DateField(null=True, blank=True)
    check_number = models.CharField(max_length=20, blank=True)
    denial_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the claim, or part of it, was not paid."
    )

    class Meta:
        ordering = ["-received_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_to__gte=F("service_from")), name="claim_service_dates_valid"
            ),
            models.CheckConstraint(
                condition=Q(billed_amount__gte=0, allowed_amount__gte=0, paid_amount__gte=0),
                name="claim_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__lte=F("billed_amount")), name="claim_paid_within_billed"
            ),
        ]
        indexes = [
            models.Index(fields=["tax_id", "member"]),
            models.Index(fields=["member", "-service_from"]),
            # Claim status for a Tax ID without a subscriber: newest first, keyset paged.
            models.Index(
                fields=["tax_id", "-received_on", "-id"], name="claim_tax_id_received_idx"
            ),
        ]

    def __str__(self):
        return self.number


class ClaimLine(models.Model):
    """One service billed on a claim, with what the plan allowed and paid for it."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveSmallIntegerField()
    service_code = models.CharField("procedure code", max_length=10)
    description = models.CharField(max_length=120)
    service_from = models.DateField()
    service_to = models.DateField()
    units = models.PositiveIntegerField(default=1)
    billed_amount = money()
    allowed_amount = money(default=0)
    paid_amount = money(default=0)
    denial_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["claim", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "line_number"], name="claim_line_unique"),
            models.CheckConstraint(
                condition=Q(service_to__gte=F("service_from")),
                name="claim_line_service_dates_valid",
            ),
            models.CheckConstraint(
                condition=Q(billed_amount__gte=0, allowed_amount__gte=0, paid_amount__gte=0),
                name="claim_line_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.claim} line {self.line_number}"


class Authorization(models.Model):
    class Kind(models.TextChoices):
        INPATIENT = "inpatient", "Inpatient"
        OUTPATIENT = "outpatient", "Outpatient"
        REFERRAL = "referral", "Referral"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField("authorization number", max_length=20, unique=True)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="authorizations")
    tax_id = models.ForeignKey(TaxId, on_delete=models.PROTECT, related_name="authorizations")
    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="authorizations"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    requested_on = models.DateField()
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    service_description = models.CharField(max_length=200)
    diagnosis_code = models.CharField(max_length=10, blank=True)
    units = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="authorization_dates_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["tax_id", "member"]),
            models.Index(fields=["member", "-requested_on"]),
        ]

    def __str__(self):
        return self.number
