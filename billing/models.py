from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round

from enrollment.models import Group, Member, Plan
from portal.money import money


class Invoice(models.Model):
    """A group's bill for one period, with the figures the employer and broker see."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=20, unique=True)
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


class Payment(models.Model):
    class Method(models.TextChoices):
        ACH = "ach", "Bank account (ACH)"
        CARD = "card", "Card"
        CHECK = "check", "Check"
        EFT = "eft", "Wire / EFT"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        POSTED = "posted", "Posted"
        RETURNED = "returned", "Returned"

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payment_set"
    )
    amount = money()
    received_on = models.DateField()
    method = models.CharField(max_length=5, choices=Method.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.POSTED)
    reference = models.CharField(max_length=40, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "-received_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]
        indexes = [models.Index(fields=["group", "-received_on"])]

    def __str__(self):
        return f"{self.group_id} {self.amount} on {self.received_on}"
