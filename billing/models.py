from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round

from enrollment.models import Coverage, Employer, Group, Member, Plan
from portal.money import money
from portal.validators import digits


class PremiumRate(models.Model):
    """The monthly premium of a plan for a coverage tier, from a date on (renewals add rows).

    Invoices are generated from these and the coverage on the books; ops load them."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="premium_rates")
    tier = models.CharField(max_length=3, choices=Coverage.Tier.choices)
    effective_date = models.DateField()
    monthly_premium = money()

    class Meta:
        ordering = ["plan", "tier", "-effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "tier", "effective_date"], name="premium_rate_one_per_date"
            ),
            models.CheckConstraint(
                condition=Q(monthly_premium__gte=0), name="premium_rate_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.plan_id} {self.tier} from {self.effective_date}: {self.monthly_premium}"


class Invoice(models.Model):
    """A group's bill for one period, with the figures the employer and broker see."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="invoices")
    # The group number (up to 20) and "-yymm".
    number = models.CharField(max_length=30, unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    issued_on = models.DateField()
    due_date = models.DateField()
    balance_forward = money("balance forward (prior balance)")
    current_amount = money("current period amount due")
    adjustments = money(default=0)
    payments = money(default=0)
    balance_due = money()

    class Meta:
        ordering = ["group", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "period_start"], name="invoice_one_per_group_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="invoice_period_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issued_on")), name="invoice_due_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(current_amount__gte=0), name="invoice_current_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(payments__gte=0), name="invoice_payments_not_negative"
            ),
            # Rounded to cents because SQLite (the demo) keeps decimals as floating point.
            models.CheckConstraint(
                condition=Q(
                    balance_due=Round(
                        F("balance_forward")
                        + F("current_amount")
                        + F("adjustments")
                        - F("payments"),
                        2,
                    )
                ),
                name="invoice_balance_adds_up",
            ),
        ]
        indexes = [models.Index(fields=["group", "-period_start"])]

    def __str__(self):
        return self.number


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        PREMIUM = "premium", "Premium"
        ADJUSTMENT = "adjustment", "Retroactive adjustment"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PREMIUM)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=200)
    tier = models.CharField(max_length=3, blank=True)
    amount = money()

    class Meta:
        ordering = ["invoice", "id"]

    def __str__(self):
        return f"{self.invoice_id}: {self.description} {self.amount}"


def invoice_document_storage():
    return storages["invoices"]


class InvoiceDocument(models.Model):
    """An invoice's PDF or XLS file, drawn once by the worker from what the bill shows and
    served again until that changes (`content_hash`, as commission statements do)."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="documents")
    format = models.CharField(max_length=4, choices=Format.choices)
    content_hash = models.CharField(max_length=64)
    file = models.FileField(storage=invoice_document_storage, upload_to="%Y/%m/", max_length=200)
    size = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["invoice", "format"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "format"], name="invoice_document_unique")
        ]

    def __str__(self):
        return f"{self.invoice_id}.{self.format}"


class BillingPreferences(models.Model):
    """How an employer receives its bills: on paper by mail, by email, or both (or neither: the
    portal only). Each change is audited and shown in Recent Activity."""

    employer = models.OneToOneField(
        Employer, on_delete=models.CASCADE, related_name="billing_preferences"
    )
    paper_billing = models.BooleanField("paper bills by mail", default=True)
    bills_by_email = models.BooleanField("bills by email", default=False)
    email = models.EmailField("send bills to", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "billing preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(bills_by_email=False) | ~Q(email=""),
                name="billing_email_needs_address",
            )
        ]

    def __str__(self):
        return f"Billing preferences of {self.employer_id}"


class AmountChangeRequest(models.Model):
    """An employer's request to change what a bill asks for, with a reason; ops verify it in the
    admin. Approving it adds the difference to the bill as an adjustment."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending verification"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="amount_change_requests"
    )
    requested_amount = money("requested amount due")
    reason = models.TextField(max_length=1000)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_amount__gte=0), name="amount_change_not_negative"
            ),
            # One open request per bill: a second waits for the first to be decided.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status="pending"),
                name="amount_change_one_pending_per_invoice",
            ),
        ]

    def __str__(self):
        return f"{self.invoice_id}: {self.requested_amount} ({self.status})"


class PaymentAccount(models.Model):
    """An employer's bank account for paying bills. The account number never reaches our
    database: the gateway keeps it and gives back a token; we keep the token and the last four
    digits to show. Removing an account hides it and stops its recurring payments; the
    payments made from it keep pointing at it."""

    class AccountType(models.TextChoices):
        CHECKING = "checking", "Checking"
        SAVINGS = "savings", "Savings"

    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="payment_accounts"
    )
    nickname = models.CharField(max_length=40)
    holder_name = models.CharField("name on the account", max_length=120)
    account_type = models.CharField(max_length=8, choices=AccountType.choices)
    routing_number = models.CharField(max_length=9, validators=[digits(9)])
    account_token = models.CharField(max_length=100, unique=True)
    account_last4 = models.CharField("account number ending", max_length=4)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["employer", "nickname"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "nickname"],
                condition=Q(removed_at__isnull=True),
                name="payment_account_nickname_unique",
            )
        ]

    def __str__(self):
        return f"{self.nickname} (…{self.account_last4})"


class RecurringPayment(models.Model):
    """Pay a suffix's bill every month on a day, from one account: the balance due then, or a
    fixed amount (never more than the balance due). A periodic task makes each month's payment."""

    class AmountKind(models.TextChoices):
        BALANCE_DUE = "balance_due", "The balance due"
        FIXED = "fixed", "A fixed amount"

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="recurring_payments")
    account = models.ForeignKey(
        PaymentAccount, on_delete=models.PROTECT, related_name="recurring_payments"
    )
    day_of_month = models.PositiveSmallIntegerField()
    amount_kind = models.CharField(max_length=11, choices=AmountKind.choices)
    fixed_amount = money(null=True, blank=True)
    starts_on = models.DateField()
    last_paid_period = models.DateField(
        null=True, blank=True, help_text="The month of the last payment made, so none is twice."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["group", "day_of_month"]
        constraints = [
            # 1–28, so that every month has the day.
            models.CheckConstraint(
                condition=Q(day_of_month__gte=1, day_of_month__lte=28),
                name="recurring_payment_day_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount_kind="balance_due", fixed_amount__isnull=True)
                | Q(amount_kind="fixed", fixed_amount__gt=0),
                name="recurring_payment_amount_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(cancelled_at__isnull=True),
                name="recurring_payment_one_active_per_group",
            ),
        ]

    def __str__(self):
        return f"{self.group_id} on day {self.day_of_month}"


class PaymentSubmission(models.Model):
    """One press of "Submit payment": its idempotency key is unique, so a double click, a
    retried request or a resent form finds the submission already made instead of paying
    twice. A submission holds one or more payments (accounts and amounts across bills)."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, unique=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.idempotency_key


class Payment(models.Model):
    class Method(models.TextChoices):
        ACH = "ach", "Bank account (ACH)"
        CARD = "card", "Card"
        CHECK = "check", "Check"
        EFT = "eft", "Wire / EFT"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SUBMITTED = "submitted", "Submitted"
        SETTLED = "settled", "Settled"
        RETURNED = "returned", "Returned"
        # Cancelled before its day by the one who scheduled it (or a colleague who may pay).
        CANCELLED = "cancelled", "Cancelled"

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payment_set"
    )
    amount = money()
    received_on = models.DateField(
        help_text="The day the payment is (or was) made: its scheduled date until submitted."
    )
    method = models.CharField(max_length=5, choices=Method.choices)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.SETTLED)
    reference = models.CharField(max_length=40, blank=True)
    account = models.ForeignKey(
        PaymentAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    submission = models.ForeignKey(
        PaymentSubmission,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    recurring = models.ForeignKey(
        RecurringPayment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    gateway_reference = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    settled_on = models.DateField(null=True, blank=True)
    returned_on = models.DateField(null=True, blank=True)
    return_reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "-received_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="payment_returned_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "-received_on"]),
            models.Index(fields=["status", "received_on"]),
        ]

    def __str__(self):
        return f"{self.group_id} {self.amount} on {self.received_on}"
