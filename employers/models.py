from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone

from brokers.models import Broker
from enrollment.models import Employer, Group
from portal.audit.models import AppendOnlyModel


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
    # Account information the administrator keeps up to date themself (Manage Accounts).
    job_title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # Who set the administrator up: a delegate's access may never be wider than this user's.
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


class EmployerRegistrationKey(models.Model):
    """The key ops email to an employer's primary client administrator to register with.

    Typed in with the group number and policyholder ID, it lets that one person open the
    employer's portal account. Only a digest is stored; it works once, until `expires_at`, and
    issuing a new key for the employer revokes the unused ones.
    """

    employer = models.ForeignKey(
        Employer, on_delete=models.CASCADE, related_name="registration_keys"
    )
    email = models.EmailField(help_text="The primary administrator's; the key is sent there.")
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    registered_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["employer", "-created_at"])]

    def __str__(self):
        return f"Registration key for {self.employer} ({self.email})"

    @property
    def status(self) -> str:
        if self.used_at:
            return "Used"
        if self.revoked_at:
            return "Revoked"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Unused"


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


def group_document_storage():
    # The same private storage as Forms & Brochures: files leave only through audited views.
    return storages["documents"]


class GroupDocument(models.Model):
    """A benefit summary, contract or notice that ops publish to one group's administrators."""

    class Category(models.TextChoices):
        BENEFIT_SUMMARY = "benefits", "Benefit summary"
        CONTRACT = "contract", "Contract"
        NOTICE = "notice", "Notice"
        OTHER = "other", "Other"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=150)
    category = models.CharField(max_length=10, choices=Category.choices)
    file = models.FileField(
        storage=group_document_storage, upload_to="groups/%Y/%m/", max_length=200
    )
    filename = models.CharField(
        max_length=150, editable=False, help_text="The name the download is saved as."
    )
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField("size (bytes)", editable=False)
    is_published = models.BooleanField(
        "published", default=False, help_text="Administrators see only published documents."
    )
    published_on = models.DateField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "-published_on", "title"]
        indexes = [models.Index(fields=["group", "is_published"])]

    def __str__(self):
        return f"{self.group.number}: {self.title}"


class BrokerAccessChange(AppendOnlyModel):
    """One change to what an employer lets a broker do on its groups: kept for good.

    `before` and `after` map each group number to the functions granted there (permission
    codenames, sorted); a group without functions is left out. Written by
    employers.services.broker_access_set and broker_access_end, never changed or deleted.
    """

    class Kind(models.TextChoices):
        GRANTED = "granted", "Access granted"
        CHANGED = "changed", "Access changed"
        REVOKED = "revoked", "Access revoked"
        ENDED = "ended", "Ended with the broker of record"

    at = models.DateTimeField(auto_now_add=True)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="+")
    broker = models.ForeignKey(Broker, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Nobody when the change came with a change of broker of record rather than from a person.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    # When the administrator accepted the terms and conditions with this change (none to revoke).
    terms_accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["employer", "-at"]),
            models.Index(fields=["employer", "broker", "-at"]),
        ]

    def __str__(self):
        return (
            f"{self.get_kind_display()}: {self.broker_id} at {self.employer_id}, {self.at:%Y-%m-%d}"
        )


class ReportDefinition(models.Model):
    """A report a user set up in Manage Accounts & Reports → Reports: a standard report or a
    custom one (chosen columns, filters and sort), run once or on a schedule.

    The report itself is produced by a report job (portal.jobs) of the kind named here; the
    job gets a copy of these settings, so editing a definition never changes a file already
    made. `next_run_on` is the date celery beat runs it next (none for a one-time report);
    the beat task moves it on with a conditional UPDATE, so a date is run once however often
    the task runs.
    """

    class Kind(models.TextChoices):
        ROSTER = "roster", "Enrollment roster"
        CHANGES = "changes", "Enrollment changes"
        BILLING_SUMMARY = "billing_summary", "Billing summary"
        PAYMENT_HISTORY = "payment_history", "Payment history"
        COBRA = "cobra", "COBRA members"
        TURNING_26 = "turning_26", "Dependents turning 26"
        TURNING_65 = "turning_65", "Members turning 65"
        CUSTOM = "custom", "Custom report"

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (XLSX)"
        PDF = "pdf", "PDF (to print)"

    class Schedule(models.TextChoices):
        NONE = "none", "One time"
        WEEKLY = "weekly", "Every week"
        MONTHLY = "monthly", "Every month"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_definitions"
    )
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    format = models.CharField(max_length=4, choices=Format.choices, default=Format.XLSX)
    # Custom reports: keys of the column catalogue (employers/reporting/catalogue.py), in order.
    columns = models.JSONField(default=list, blank=True)
    # Groups (ids; none means every group the owner may report on when it runs), statuses,
    # plans and the period; see employers/forms/reports.py for what each kind takes.
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=40, blank=True)
    schedule = models.CharField(max_length=8, choices=Schedule.choices, default=Schedule.NONE)
    # The weekday (0 = Monday) for a weekly report, the day of the month (1-28) for a monthly one.
    schedule_day = models.PositiveSmallIntegerField(null=True, blank=True)
    notify = models.BooleanField("email me when it is ready", default=False)
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(schedule="none", schedule_day__isnull=True)
                | Q(schedule="weekly", schedule_day__gte=0, schedule_day__lte=6)
                | Q(schedule="monthly", schedule_day__gte=1, schedule_day__lte=28),
                name="reportdefinition_schedule_day_fits",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "name"]),
            # The beat task's "due today or earlier" scan reads only scheduled definitions.
            models.Index(
                fields=["next_run_on"],
                condition=Q(next_run_on__isnull=False),
                name="reportdefinition_due_idx",
            ),
        ]

    def __str__(self):
        return self.name
