"""Account support: what ops do in the user admin for a caller whose identity they have checked.

Each action takes the agent's reason, is recorded as a SupportAction (who, whom, what, why) and
an audit event under the agent, tells the user in their Recent Activity, and refuses with a ValidationError, changing nothing, when it
does not apply (unlocking an account that is not locked, say).
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from portal.accounts import services
from portal.accounts.models import RegistrationToken, SupportAction, User, UserStatus
from portal.activity.services import activity_record
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

Kind = SupportAction.Kind

# Which permission each action needs. Unlocking, a new registration link and a forced password
# reset all end with the person proving they hold the mailbox; removing their second factor
# does not, so it is a permission of its own.
PERMISSIONS = {
    Kind.UNLOCK: "accounts.support_account",
    Kind.REGISTRATION_RESEND: "accounts.support_account",
    Kind.PASSWORD_RESET: "accounts.support_account",
    Kind.MFA_RESET: "accounts.reset_mfa",
}

# Registration links are the audiences' (their email, their completion page): each audience
# registers, per registration token purpose, a function(token, by) that sends a new link.
# portal/ imports no audience app.
REGISTRATION_RESENDERS = {}


def registration_resender(purpose):
    """Decorator: `func(token, by)` emails a new link for registrations of this purpose."""

    def register(func):
        REGISTRATION_RESENDERS[purpose] = func
        return func

    return register


# What the user reads in their Recent Activity: support changed their account, in their words.
ACTIVITY = {
    Kind.UNLOCK: "{carrier} support unlocked your account.",
    Kind.REGISTRATION_RESEND: "{carrier} support sent you a new registration link.",
    Kind.PASSWORD_RESET: "{carrier} support reset your password: use the link emailed to you "
    "to choose a new one.",
    Kind.MFA_RESET: "{carrier} support reset your two-step verification: set up your "
    "authenticator app again.",
}


def _record(*, request, kind, user, reason) -> SupportAction:
    action = SupportAction.objects.create(
        kind=kind, agent=request.user, user=user, reason=reason, at=timezone.now()
    )
    # The agent is not named to the user: the line says the carrier's support did it.
    activity_record(
        recipients=[user], summary=ACTIVITY[kind].format(carrier=settings.CARRIER["short_name"])
    )
    audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[user])
    audit_record(
        request=request,
        action=AuditEvent.Action.CHANGE,
        object_type="accounts.SupportAction",
        object_ids=[action.pk],
    )
    return action


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for this action; it is kept with the record.")
    return reason


def _not_ops(user: User):
    if user.is_superuser or user.is_staff:
        raise ValidationError("Ops accounts are supported by the platform team, not from here.")


@transaction.atomic
def account_unlock(*, request, user: User, reason: str) -> SupportAction:
    """Unlock an account locked by failed sign-ins, as a password reset would."""
    reason = _reason(reason)
    _not_ops(user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.locked_at is None:
        raise ValidationError(f"{user.display_name}'s account is not locked.")
    services.user_unlock(user=user)
    return _record(request=request, kind=Kind.UNLOCK, user=user, reason=reason)


@transaction.atomic
def account_registration_resend(*, request, user: User, reason: str) -> SupportAction:
    """Email a user who never finished registering a new link; the earlier one stops working."""
    reason = _reason(reason)
    _not_ops(user)
    if user.status != UserStatus.PENDING:
        raise ValidationError(
            f"{user.display_name} is not waiting to register: the account is "
            f"{user.status.label.lower()}."
        )
    token = RegistrationToken.objects.filter(user=user).order_by("-created_at", "-pk").first()
    resend = REGISTRATION_RESENDERS.get(token.purpose) if token else None
    if resend is None:
        raise ValidationError(
            f"{user.display_name} has no registration link that can be sent again from here."
        )
    resend(token, request.user)
    return _record(request=request, kind=Kind.REGISTRATION_RESEND, user=user, reason=reason)


@transaction.atomic
def account_password_reset_force(*, request, user: User, reason: str) -> SupportAction:
    """The password stops working, every session of the user ends, and the user gets the
    ordinary password reset email: the only way back in is the link, from their mailbox."""
    reason = _reason(reason)
    _not_ops(user)
    if user.status not in (UserStatus.ACTIVE, UserStatus.LOCKED):
        raise ValidationError(
            f"{user.display_name} has no password to reset: the account is "
            f"{user.status.label.lower()}."
        )
    # A random password, not an unusable one: the account still reads as registered, and the
    # reset link (which is made from the current password) is made after it.
    user.set_password(get_random_string(48))
    user.save(update_fields=["password"])
    services.password_reset_email_send(user=user, request=request)
    services.user_sessions_end(user)
    return _record(request=request, kind=Kind.PASSWORD_RESET, user=user, reason=reason)


@transaction.atomic
def account_mfa_reset(*, request, user: User, reason: str) -> SupportAction:
    """Remove the user's authenticators and recovery codes and end their sessions: at their
    next sign-in they set up two-step verification again."""
    reason = _reason(reason)
    _not_ops(user)
    deleted, _ = Authenticator.objects.filter(user=user).delete()
    if not deleted:
        raise ValidationError(f"{user.display_name} has no two-step verification to reset.")
    services.user_sessions_end(user)
    return _record(request=request, kind=Kind.MFA_RESET, user=user, reason=reason)


ACTIONS = {
    Kind.UNLOCK: account_unlock,
    Kind.REGISTRATION_RESEND: account_registration_resend,
    Kind.PASSWORD_RESET: account_password_reset_force,
    Kind.MFA_RESET: account_mfa_reset,
}
