from django.core.files.storage import storages
from django.db import models
from django.db.models import Q

from enrollment.models import Group
from portal.money import money

# Statements are kept this many months, counting the current one; a periodic task purges older.
RETENTION_MONTHS = 18


def statement_storage():
    return storages["statements"]


class CommissionStatement(models.Model):
    """One month's commission statement for one Broker ID and category.

    Statements are keyed by the carrier's Broker ID (and NPN), not by a portal account:
    they exist before the broker registers.
    """

    class Category(models.TextChoices):
        GROUP = "group", "Group"
        IFP = "ifp", "Individual & family"

    class PaymentMethod(models.TextChoices):
        CHECK = "check", "Check"
        EFT = "eft", "EFT"

    broker_code = models.CharField("broker ID", max_length=12)
    npn = models.CharField("NPN", max_length=10, db_index=True)
    # Who the statement is addressed to, as the commission system printed it.
    payee_name = models.CharField(max_length=120, blank=True)
    agency_name = models.CharField(max_length=120, blank=True)
    period = models.DateField(help_text="The first day of the statement's month.")
    category = models.CharField(max_length=5, choices=Category.choices)
    state = models.CharField(max_length=2)
    statement_date = models.DateField()
    total = money()
    payment_method = models.CharField(max_length=5, choices=PaymentMethod.choices)
    payment_reference = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["broker_code", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["broker_code", "period", "category", "state"],
                name="commission_statement_unique",
            ),
        ]
        indexes = [models.Index(fields=["broker_code", "-period"])]

    def __str__(self):
        return f"{self.broker_code} {self.period:%b %Y} {self.get_category_display()} {self.state}"

    @property
    def category_label(self):
        """As the page's Category filter and headings name it: "Group – CA", "IFP – CA"."""
        market = "Group" if self.category == self.Category.GROUP else "IFP"
        return f"{market} – {self.state}"

    @property
    def document_name(self):
        """The file name brokers know the statement by, e.g. BRK_GRP_STMNT_CA_2026-08-07."""
        market = "GRP" if self.category == self.Category.GROUP else "IFP"
        return f"BRK_{market}_STMNT_{self.state}_{self.statement_date:%Y-%m-%d}"


def payments_document_name(statement_date):
    """The name of the checks & EFTs statement of one statement date."""
    return f"BRK_CHK_EFT_{statement_date:%Y-%m-%d}"


class CommissionLine(models.Model):
    """One line of a statement: commission on a group's or member's premium for a month, or an
    adjustment, or a chargeback (commission paid earlier and taken back, as a negative amount)."""

    class Kind(models.TextChoices):
        COMMISSION = "commission", "Commission"
        ADJUSTMENT = "adjustment", "Adjustment"
        CHARGEBACK = "chargeback", "Chargeback"

    statement = models.ForeignKey(
        CommissionStatement, on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMISSION)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An individual (IFP) policy's member ID, as the carrier's policy system has it; kept as text
    # because statements outlive coverage and name policies this portal may not hold.
    member_id = models.CharField("member ID", max_length=20, blank=True)
    description = models.CharField(max_length=200)
    product = models.CharField(max_length=100, blank=True)
    coverage_period = models.DateField(help_text="The first day of the month the premium paid for.")
    subscriber_count = models.PositiveIntegerField(default=0)
    premium = money()
    rate = models.DecimalField(max_digits=5, decimal_places=4)
    amount = money()

    class Meta:
        ordering = ["statement", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=1), name="commission_rate_is_fraction"
            ),
            models.CheckConstraint(
                condition=~Q(kind="chargeback") | Q(amount__lte=0),
                name="commission_chargeback_is_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind="commission") | Q(amount__gte=0),
                name="commission_commission_is_positive",
            ),
        ]

    def __str__(self):
        return f"{self.statement_id}: {self.description} {self.amount}"


class StatementDocument(models.Model):
    """A statement's PDF or XLS file, generated once from its lines and served again until they
    change: `content_hash` is the hash of what the file shows, so a changed line (or a new
    layout) makes a new file and an unchanged one is never drawn twice.

    A category statement's document points at it; the checks & EFTs statement of a date has no
    single statement and is known by its Broker ID and statement date.
    """

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    broker_code = models.CharField("broker ID", max_length=12)
    statement_date = models.DateField()
    statement = models.ForeignKey(
        CommissionStatement,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
        help_text="Empty for the checks & EFTs statement of the date.",
    )
    format = models.CharField(max_length=4, choices=Format.choices)
    name = models.CharField(max_length=60)
    content_hash = models.CharField(max_length=64)
    file = models.FileField(storage=statement_storage, upload_to="%Y/%m/", max_length=200)
    size = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["broker_code", "-statement_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["broker_code", "name", "format"], name="statement_document_unique"
            ),
        ]

    def __str__(self):
        return f"{self.broker_code} {self.name}.{self.format}"
