from django.conf import settings
from django.contrib.auth.models import Group as AuthGroup
from django.db import models
from django.db.models import F, Q

from enrollment.models import Group
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

    def __str__(self):
        return f"{self.first_name} {self.last_name} (NPN {self.npn})"


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


class License(models.Model):
    broker = models.ForeignKey(Broker, on_delete=models.CASCADE, related_name="licenses")
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
