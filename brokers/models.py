from django.conf import settings
from django.contrib.auth.models import Group as AuthGroup
from django.core.files.storage import storages
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from enrollment.models import Group, Plan
from portal import crypto
from portal.fields import EncryptedTextField
from portal.validators import digits, digits_between


class Agency(models.Model):
    class AccountType(models.TextChoices):
        AGENCY = "agency", "Agency"
        UPLINE = "upline", "Upline (general agency)"

    name = models.CharField("brokerage firm name", max_length=150)
    tax_id = models.CharField("tax ID (FEIN)", max_length=9, validators=[digits(9)])
    account_type = models.CharField(
        max_length=6, choices=AccountType.choices, default=AccountType.AGENCY
    )
    upline = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="downlines",
        help_text="The general agency this agency writes business under.",
    )
    phone = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name


class Broker(models.Model):
    """A contracted producer. `user` is set once they register; `office` holds their staff."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        TERMINATED = "terminated", "Terminated"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="brokers")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="broker",
    )
    office = models.OneToOneField(
        AuthGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="broker",
        help_text="The broker and the office staff they created share these permissions.",
    )
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    email = models.EmailField()
    phone = models.CharField(max_length=20, blank=True)
    npn = models.CharField("NPN", max_length=10, unique=True, validators=[digits_between(1, 10)])
    tax_id = EncryptedTextField("tax ID / SSN", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        # The portal's tools, granted one by one to office staff (a broker has them all).
        permissions = [
            ("use_book_of_business", "Book of Business"),
            ("use_commission_statements", "Commission Statements"),
            ("use_eligibility", "Eligibility & Application Status"),
            ("manage_accounts", "Manage Accounts"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} (NPN {self.npn})"

    @property
    def tax_id_masked(self):
        return f"***-**-{self.tax_id[-4:]}" if self.tax_id else ""


class BrokerCode(models.Model):
    """A Broker ID the carrier pays commissions under; a broker may have several."""

    broker = models.ForeignKey(Broker, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField("broker ID", max_length=12, unique=True)
    label = models.CharField(max_length=60, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["broker"], condition=Q(is_primary=True), name="broker_one_primary_code"
            )
        ]

    def __str__(self):
        return self.code

    @property
    def display_name(self):
        return f"{self.label} - {self.code}" if self.label else self.code


class License(models.Model):
    """A state license, shown on My Account as a profile the broker may mark as primary."""

    broker = models.ForeignKey(Broker, on_delete=models.CASCADE, related_name="licenses")
    association = models.CharField(
        "association ID", max_length=80, blank=True, help_text="The plan or line of business."
    )
    state = models.CharField(max_length=2)
    number = models.CharField("license #", max_length=20)
    expires_on = models.DateField()
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "state"]
        constraints = [
            models.UniqueConstraint(fields=["broker", "state"], name="license_one_per_state"),
            models.UniqueConstraint(
                fields=["broker"], condition=Q(is_primary=True), name="license_one_primary"
            ),
        ]

    def __str__(self):
        return f"{self.state} {self.number}"


class BrokerOfRecord(models.Model):
    """Who writes a group's business, from when to when. At most one current per group."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="brokers_of_record")
    broker = models.ForeignKey(Broker, on_delete=models.PROTECT, related_name="groups_of_record")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["group", "-start_date"]
        verbose_name_plural = "brokers of record"
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(end_date__isnull=True),
                name="bor_one_current_per_group",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="bor_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["broker", "end_date"])]

    def __str__(self):
        return f"{self.broker} for {self.group_id} from {self.start_date}"


class ContractingRecord(models.Model):
    """The carrier's record of a contracted producer, loaded by ops. A broker registers by
    proving the NPN and Tax ID on one of these."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        TERMINATED = "terminated", "Terminated"

    npn = models.CharField("NPN", max_length=10, unique=True, validators=[digits_between(1, 10)])
    tax_id = EncryptedTextField("tax ID / SSN")
    # A keyed digest of the nine digits, to find a record by Tax ID without decrypting them all.
    tax_id_digest = models.CharField(max_length=64, db_index=True, editable=False)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    email = models.EmailField()
    firm_name = models.CharField("brokerage firm name", max_length=150, blank=True)
    states_appointed = models.CharField(
        max_length=200, blank=True, help_text="Two-letter state codes, comma-separated."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_on = models.DateField("create date")

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(Lower("email"), name="contracting_email_ci")]

    def __str__(self):
        return f"{self.first_name} {self.last_name} (NPN {self.npn})"

    def save(self, *args, **kwargs):
        self.tax_id_digest = crypto.digest(self.tax_id)
        super().save(*args, **kwargs)


class UplineAccess(models.Model):
    """A broker lets their general agency's (upline's) office view the groups of their book."""

    broker = models.OneToOneField(Broker, on_delete=models.CASCADE, related_name="upline_access")
    rosters_allowed = models.BooleanField(
        default=False, help_text="Whether the upline may also see subscriber lists."
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "upline access"

    def __str__(self):
        return f"Upline view of {self.broker}'s book"


def document_storage():
    # Not under any served folder: documents leave only through the audited download view.
    return storages["documents"]


class Document(models.Model):
    """A form, brochure, rate sheet or guide that ops publish to brokers (Forms & Brochures)."""

    class Category(models.TextChoices):
        FORM = "form", "Form"
        BROCHURE = "brochure", "Brochure"
        RATE_SHEET = "rate_sheet", "Rate sheet"
        GUIDE = "guide", "Guide"

    # The plan markets, or every market.
    ALL_MARKETS = "all"
    MARKETS = [(ALL_MARKETS, "All markets"), *Plan.Market.choices]

    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=10, choices=Category.choices)
    market = models.CharField(max_length=12, choices=MARKETS, default=ALL_MARKETS)
    state = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Enter a two-letter state code, like CA.")],
        help_text="Two-letter state code; leave blank for all states.",
    )
    file = models.FileField(storage=document_storage, upload_to="%Y/%m/", max_length=200)
    filename = models.CharField(
        max_length=150, editable=False, help_text="The name the download is saved as."
    )
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField("size (bytes)", editable=False)
    is_published = models.BooleanField(
        "published", default=False, help_text="Brokers see only published documents."
    )
    published_on = models.DateField(
        null=True, blank=True, help_text="Shown to brokers; today when left blank on publishing."
    )
    expires_on = models.DateField(
        null=True,
        blank=True,
        help_text="Brokers stop seeing it after this day (a rate sheet's last quarter).",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["is_published", "market", "state"])]

    def __str__(self):
        return self.title
