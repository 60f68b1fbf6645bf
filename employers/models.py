from django.conf import settings
from django.db import models
from django.db.models import Q

from brokers.models import Broker
from enrollment.models import Employer, Group


class EmployerAdmin(models.Model):
    """A person who administers an employer's coverage in the portal, and at what level."""

    class Level(models.TextChoices):
        PRIMARY = "primary", "Primary client administrator"
        SECONDARY = "secondary", "Secondary client administrator"
        GROUP_ADMIN = "group_admin", "Group administrator"
        DELEGATE = "delegate", "Delegate"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employer_admin"
    )
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="admins")
    level = models.CharField(max_length=12, choices=Level.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employer", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer"], condition=Q(level="primary"), name="employer_one_primary_admin"
            ),
            models.UniqueConstraint(
                fields=["employer"],
                condition=Q(level="secondary"),
                name="employer_one_secondary_admin",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_level_display()}, {self.employer})"

    @property
    def is_client_admin(self):
        return self.level in (self.Level.PRIMARY, self.Level.SECONDARY)


class BrokerAccessGrant(models.Model):
    """An employer's grant of billing and enrollment functions on one group to a broker.

    The functions are permission codenames on the group; `employers.access` applies them to
    the broker's office and takes them away again on revoke or change of broker of record.
    """

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="broker_grants")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="broker_grants")
    broker = models.ForeignKey(Broker, on_delete=models.CASCADE, related_name="access_grants")
    functions = models.JSONField(default=list)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    terms_accepted_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "broker"]
        constraints = [
            models.UniqueConstraint(fields=["group", "broker"], name="grant_one_per_group_broker")
        ]

    def __str__(self):
        return f"{self.broker} on {self.group_id}: {', '.join(self.functions)}"
