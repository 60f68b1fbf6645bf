"""Writes about users that every audience shares: registration links, finishing a
registration, and locking an account after repeated failed sign-ins."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import RegistrationToken, User, UserStatus
from portal.mail import absolute_url, email_send

REGISTRATION_LINK_LIFETIME = timedelta(hours=48)
LOCKOUT_THRESHOLD = 5

# Sent when an account locks, so that the audience app can tell whoever administers it (a
# broker, for their office staff). portal/ imports no audience app; they listen instead.
user_locked_out = Signal()  # sender=User, user=the locked user


class RegistrationLinkError(Exception):
    """A registration link that cannot be used; `reason` says why, for a page that explains."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REPLACED = "replaced"

    def __init__(self, reason, token=None):
        super().__init__(reason)
        self.reason = reason
        self.token = token


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def registration_token_issue(*, user: User, purpose: str, payload=None) -> str:
    """A new registration link token for `user`; any earlier unused one for the same purpose
    stops working. Returns the raw token, which is never stored."""
    now = timezone.now()
    RegistrationToken.objects.filter(
        user=user, purpose=purpose, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    RegistrationToken.objects.create(
        user=user,
        purpose=purpose,
        digest=_digest(raw),
        payload=payload or {},
        expires_at=now + REGISTRATION_LINK_LIFETIME,
    )
    return raw


def registration_token_check(raw: str, *, purposes) -> RegistrationToken:
    """The usable token behind a link, or RegistrationLinkError saying why it can't be used."""
    token = (
        RegistrationToken.objects.select_related("user")
        .filter(digest=_digest(raw or ""), purpose__in=purposes)
        .first()
    )
    if token is None:
        raise RegistrationLinkError(RegistrationLinkError.UNKNOWN)
    if token.used_at or token.user.has_usable_password():
        raise RegistrationLinkError(RegistrationLinkError.USED, token)
    if token.revoked_at:
        raise RegistrationLinkError(RegistrationLinkError.REPLACED, token)
    if token.expires_at <= timezone.now():
        raise RegistrationLinkError(RegistrationLinkError.EXPIRED, token)
    return token


@transaction.atomic
def registration_complete(*, token: RegistrationToken, password: str, totp_secret: str) -> User:
    """Finish a registration: the password, the accepted terms, the verified email address and
    a TOTP authenticator with recovery codes, all at once or not at all.

    The caller has validated the password and the TOTP code against `totp_secret`.
    """
    token = RegistrationToken.objects.select_for_update().get(pk=token.pk)
    if token.used_at or token.revoked_at:
        raise RegistrationLinkError(RegistrationLinkError.USED, token)
    now = timezone.now()
    user = token.user
    user.set_password(password)
    user.terms_accepted_at = now
    user.save(update_fields=["password", "terms_accepted_at"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    Authenticator.objects.filter(user=user).delete()
    TOTP.activate(user, totp_secret)
    RecoveryCodes.activate(user)
    token.used_at = now
    token.save(update_fields=["used_at"])
    return user


def pending_user_create(*, email: str, first_name: str, last_name: str, role: str) -> User:
    """A user who has been invited but has not registered yet: no usable password."""
    user = User(email=email, first_name=first_name, last_name=last_name, role=role)
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


def login_failure_record(*, email: str) -> None:
    """Count a failed sign-in against the account with this email; lock it at the threshold."""
    updated = User.objects.filter(email__iexact=email, locked_at__isnull=True).update(
        failed_login_count=F("failed_login_count") + 1
    )
    if not updated:
        return
    locked = User.objects.filter(
        email__iexact=email, locked_at__isnull=True, failed_login_count__gte=LOCKOUT_THRESHOLD
    ).update(locked_at=timezone.now())
    if locked:
        user = User.objects.get(email__iexact=email)
        user_locked_out.send(sender=User, user=user)


def login_success_record(*, user: User) -> None:
    if user.failed_login_count:
        User.objects.filter(pk=user.pk).update(failed_login_count=0)


def user_unlock(*, user: User) -> None:
    """A password reset unlocks: the person proved they hold the mailbox."""
    user.locked_at = None
    user.failed_login_count = 0
    user.save(update_fields=["locked_at", "failed_login_count"])


def username_reminder_send(*, users, sign_in_url: str) -> None:
    """Email each user their own username (their address on file), with where to sign in and
    how to reset a forgotten password. Only registered, active users are reminded: someone
    invited but not yet registered has no username to forget."""
    reset_url = absolute_url(reverse("account_reset_password"))
    for user in users:
        if not user.is_active or not user.has_usable_password():
            continue
        email_send(
            to=[user.email],
            template="account_username_reminder",
            context={"user": user, "sign_in_url": sign_in_url, "reset_url": reset_url},
        )


def user_sessions_end(user: User) -> None:
    """Sign `user` out everywhere at once (a disabled account, a password reset by an admin).

    Authentication already refuses an inactive user on their next request; deleting the
    sessions also drops what they hold. Database sessions keep the user's id inside the signed
    data, so the live ones are decoded: few, with sessions ending after 15 idle minutes.
    """
    live = Session.objects.filter(expire_date__gt=timezone.now())
    keys = [
        session.session_key
        for session in live.iterator(chunk_size=500)
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=keys).delete()


def password_reset_email_send(*, user: User, request) -> None:
    """Send `user` the portal's ordinary password reset email, link and all, as an
    administrator's "Reset Password" does. Only for someone who has registered and is not
    disabled (ValidationError otherwise); finishing the reset unlocks a locked account (the
    account adapter's set_password does that). allauth builds the link from the request.
    """
    if user.status not in (UserStatus.ACTIVE, UserStatus.LOCKED):
        raise ValidationError(
            f"{user.display_name} has no password to reset: the account is "
            f"{user.status.label.lower()}."
        )
    form = ResetPasswordForm(data={"email": user.email})
    with allauth_context.request_context(request):
        # Without a matching user allauth would send an "unknown account" email instead.
        if not form.is_valid() or [found.pk for found in form.users] != [user.pk]:
            raise ValidationError(f"No password reset email could be sent to {user.email}.")
        form.save(request)
