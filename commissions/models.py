from django.db import models
from django.db.models import Q

from enrollment.models import Group
from portal.money import money


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


class CommissionLine(models.Model):
    statement = models.ForeignKey(
        CommissionStatement, on_delete=models.CASCADE, related_name="lines"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=200)
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
        ]

    def __str__(self):
        return f"{self.statement_id}: {self.description} {self.amount}"
