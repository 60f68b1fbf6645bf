from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower


class Role(models.TextChoices):
    BROKER = "broker", "Broker"
    BROKER_STAFF = "broker_staff", "Broker office staff"
    EMPLOYER_ADMIN = "employer_admin", "Employer administrator"
    PROVIDER_USER = "provider_user", "Provider office user"
    OPS = "ops", "Carrier ops staff"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.OPS)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    """A person who logs in. Email is the username; the role decides which portal they see."""

    username = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    # Consecutive failed sign-ins; at LOCKOUT_THRESHOLD the account locks until a password reset.
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        return self.get_full_name() or self.email

    @property
    def status(self):
        """Pending registration, Active, Locked or Disabled, as office administrators see it.

        Derived, not stored: a user who has not finished registering has no usable password.
        """
        if not self.is_active:
            return UserStatus.DISABLED
        if self.locked_at:
            return UserStatus.LOCKED
        if not self.has_usable_password():
            return UserStatus.PENDING
        return UserStatus.ACTIVE


class UserStatus(models.TextChoices):
    PENDING = "pending", "Pending registration"
    ACTIVE = "active", "Active"
    LOCKED = "locked", "Locked"
    DISABLED = "disabled", "Disabled"


class RegistrationToken(models.Model):
    """A one-time link that lets a person finish registering (set a password, accept the
    terms, enrol a second factor). Only a digest of the token is stored; issuing a new one for
    the same user and purpose revokes the old.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="registration_tokens")
    purpose = models.CharField(max_length=30)
    digest = models.CharField(max_length=64, unique=True)
    # What the audience app needs to finish the registration (e.g. a contracting record's id).
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "purpose"])]

    def __str__(self):
        return f"{self.purpose} registration for {self.user}"


class SupportAction(models.Model):
    """Something ops did to, or as, a user's account for a caller, and the reason they gave.

    An assumed identity is one row from its start to its end (`ended_at`); the pages seen
    meanwhile are audit events under the agent, "acting as" the user.
    """

    class Kind(models.TextChoices):
        ASSUME_IDENTITY = "assume_identity", "Assumed identity (read-only)"
        UNLOCK = "unlock", "Unlocked the account"
        REGISTRATION_RESEND = "registration_resend", "Sent a new registration link"
        PASSWORD_RESET = "password_reset", "Forced a password reset"
        MFA_RESET = "mfa_reset", "Reset two-step verification"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    agent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="support_actions")
    reason = models.TextField()
    at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "-at"])]
        permissions = [
            ("assume_identity", "Can view the portal as a user sees it, read-only"),
            (
                "support_account",
                "Can unlock, resend registration and force a password reset",
            ),
            ("reset_mfa", "Can reset a user's two-step verification"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.user} by {self.agent}"
