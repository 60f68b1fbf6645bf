"""Delegated administration: the users a provider office's delegated administrators create
and manage (My Account → Create New User / Manage Users), and their first sign-in.

Every delegated administrator of an organisation administers all of its Tax IDs and all of its
users (themselves excepted: nobody changes their own access or disables themselves). A new
user gets a temporary password by email, in a different message from the one that names their
user name, and must accept the terms, set a password and enrol an authenticator before anything
else (providers.first_sign_in). Every change is audited, in the acting administrator's Recent
Activity and in that of the organisation's other administrators.
"""

import secrets
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Role, User, UserStatus
from portal.accounts.services import password_reset_email_send, user_sessions_end
from portal.activity.services import activity_record
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record_for_user
from portal.mail import absolute_url, email_render, email_send
from portal.tasks import send_email
from providers import access
from providers.models import Practitioner, ProviderUser, TaxId

# The functions an administrator may add to the standard eligibility verification.
EXTRA_FUNCTIONS = ("inquire_claims", "check_authorizations")
# 16 characters of an alphabet without look-alikes (0/O, 1/l/I): about 90 bits, typed once.
TEMPORARY_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105 - the characters, not a password
TEMPORARY_PASSWORD_LENGTH = 16


def temporary_password() -> str:
    return "".join(
        secrets.choice(TEMPORARY_PASSWORD_ALPHABET) for _ in range(TEMPORARY_PASSWORD_LENGTH)
    )


def _acting_admin(by: User) -> ProviderUser:
    profile = access.provider_user_for(by)
    if profile is None or not profile.is_delegated_admin:
        raise ValidationError("Only a delegated administrator can manage users.")
    return profile


def _manageable_check(*, profile: ProviderUser, by: User) -> ProviderUser:
    """The views find `profile` through the administrator's scope; the services check it again
    so that no other caller changes a user of another office, or the administrator's own."""
    admin = _acting_admin(by)
    if profile.organization_id != admin.organization_id:
        raise ValidationError("You can't change this user.")
    if profile.user_id == by.pk:
        raise ValidationError("You can't change your own user here.")
    return admin


def _access_check(
    *, admin: ProviderUser, tax_ids: Iterable[TaxId], practitioners, functions
) -> None:
    """What an end user is given must be the administrator's organisation's: its Tax IDs, the
    providers under those Tax IDs, and known functions."""
    tax_ids = list(tax_ids)
    if not tax_ids:
        raise ValidationError("Choose at least one Tax ID.")
    if any(tax_id.organization_id != admin.organization_id for tax_id in tax_ids):
        raise ValidationError("You can only give your own organization's Tax IDs.")
    unknown = set(functions) - set(EXTRA_FUNCTIONS)
    if unknown:
        raise ValidationError(f"Not a function you can give: {', '.join(sorted(unknown))}.")
    practitioner_ids = {practitioner.pk for practitioner in practitioners}
    if practitioner_ids:
        under = set(
            Practitioner.objects.filter(
                pk__in=practitioner_ids, tax_ids__in=[tax_id.pk for tax_id in tax_ids]
            ).values_list("pk", flat=True)
        )
        if under != practitioner_ids:
            raise ValidationError("Choose only providers who bill under the chosen Tax IDs.")


def _change_record(*, by: User, profile: ProviderUser, summary: str) -> None:
    """Audit the change, and tell the office's administrators (the acting one included: it is
    their Recent Activity too) on the user's page."""
    audit_record_for_user(
        user=by,
        action=AuditEvent.Action.CHANGE,
        object_type="accounts.User",
        object_ids=[profile.user_id],
    )
    admins = User.objects.filter(
        provider_user__organization_id=profile.organization_id,
        provider_user__is_delegated_admin=True,
        is_active=True,
    )
    link = reverse("providers:user-detail", args=[profile.user_id])
    activity_record(recipients=list(admins), summary=summary, actor=by, link=link)


def _sign_in_context(*, profile: ProviderUser, by: User) -> dict:
    return {
        "user": profile.user,
        "by": by,
        "organization": profile.organization,
        "kind": "delegated administrator" if profile.is_delegated_admin else "end user",
        "sign_in_url": absolute_url(reverse("providers:sign-in")),
    }


def _sign_in_emails_send(*, profile: ProviderUser, by: User) -> None:
    """The user name and the temporary password, each in its own message: someone who reads
    one of them cannot sign in with it alone. The password is made by the worker once this
    transaction commits (temporary_password_issue), so it never sits in the task queue."""
    from providers import tasks

    email_send(
        to=[profile.user.email],
        template="provider_user_username",
        context=_sign_in_context(profile=profile, by=by),
    )
    transaction.on_commit(lambda: tasks.temporary_password_send.delay(profile.pk, by.pk))


def temporary_password_issue(*, profile_id: int, by_id: int) -> None:
    """In the worker: give a user whose first sign-in is still owed a new temporary password
    and email it to them. Until then their password is unusable; a user who has since finished
    their first sign-in, or was disabled, gets nothing."""
    with transaction.atomic():
        profile = (
            ProviderUser.objects.select_for_update()
            .select_related("user", "organization")
            .filter(pk=profile_id, must_change_password=True, user__is_active=True)
            .first()
        )
        if profile is None:
            return
        password = temporary_password()
        profile.user.set_password(password)
        profile.user.save(update_fields=["password"])
        by = User.objects.get(pk=by_id)
        message = email_render(
            "provider_user_password",
            {**_sign_in_context(profile=profile, by=by), "password": password},
        )
    # Sent here rather than queued: a queued message would carry the password through Redis.
    send_email(to=[profile.user.email], **message)


@transaction.atomic
def provider_user_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    is_delegated_admin: bool,
    tax_ids: Iterable[TaxId] = (),
    practitioners: Iterable[Practitioner] = (),
    functions: Iterable[str] = (),
    by: User,
) -> ProviderUser:
    """Create New User: an end user with eligibility on `tax_ids` (plus `functions`, and only
    for `practitioners` if any are chosen), or a delegated administrator, who administers all
    of the organisation's Tax IDs and sees no patient data. The user is sent their user name
    and, separately, a temporary password. Raises ValidationError, changing nothing, for
    anything the acting administrator may not give."""
    admin = _acting_admin(by)
    tax_ids, practitioners, functions = list(tax_ids), list(practitioners), list(functions)
    if not is_delegated_admin:
        _access_check(
            admin=admin, tax_ids=tax_ids, practitioners=practitioners, functions=functions
        )
    email = email.strip().lower()
    if (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError("A portal user with this email address already exists.")
    user = User(email=email, first_name=first_name, last_name=last_name, role=Role.PROVIDER_USER)
    user.set_unusable_password()  # until the worker makes the temporary one
    user.save()
    # Verified: the temporary password goes only to this address, so signing in with it
    # proves the mailbox is theirs (and allauth requires a verified address to sign in).
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile = ProviderUser.objects.create(
        user=user,
        organization_id=admin.organization_id,
        is_delegated_admin=is_delegated_admin,
        must_change_password=True,
        created_by=by,
    )
    if not is_delegated_admin:
        access.tax_id_access_set(profile, tax_ids, functions)
        profile.practitioners.set(practitioners)
    _sign_in_emails_send(profile=profile, by=by)
    kind = "a delegated administrator" if is_delegated_admin else "an end user"
    _change_record(
        by=by, profile=profile, summary=f"{by.display_name} created {user.display_name} ({kind})."
    )
    return profile


@transaction.atomic
def provider_user_access_change(
    *,
    profile: ProviderUser,
    tax_ids: Iterable[TaxId],
    practitioners: Iterable[Practitioner],
    functions: Iterable[str],
    by: User,
) -> ProviderUser:
    """Change an end user's Tax IDs, providers and functions: exactly these from now on,
    effective on their next request (the grants are read afresh on every request)."""
    admin = _manageable_check(profile=profile, by=by)
    if profile.is_delegated_admin:
        raise ValidationError(
            "A delegated administrator administers every Tax ID of the organization and sees "
            "no patient data: there is no access to change."
        )
    tax_ids, practitioners, functions = list(tax_ids), list(practitioners), list(functions)
    _access_check(admin=admin, tax_ids=tax_ids, practitioners=practitioners, functions=functions)
    access.tax_id_access_set(profile, tax_ids, functions)
    profile.practitioners.set(practitioners)
    _change_record(
        by=by,
        profile=profile,
        summary=f"{by.display_name} changed the access of {profile.user.display_name}.",
    )
    return profile


@transaction.atomic
def provider_user_disable(*, profile: ProviderUser, by: User) -> ProviderUser:
    """Disable a user and sign them out everywhere now."""
    _manageable_check(profile=profile, by=by)
    user = profile.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_sessions_end(user)
    _change_record(
        by=by, profile=profile, summary=f"{by.display_name} disabled {user.display_name}."
    )
    return profile


@transaction.atomic
def provider_user_enable(*, profile: ProviderUser, by: User) -> ProviderUser:
    _manageable_check(profile=profile, by=by)
    user = profile.user
    user.is_active = True
    user.save(update_fields=["is_active"])
    _change_record(
        by=by, profile=profile, summary=f"{by.display_name} enabled {user.display_name}."
    )
    return profile


@transaction.atomic
def provider_user_sign_in_resend(*, profile: ProviderUser, by: User) -> ProviderUser:
    """A user who has not finished their first sign-in gets a new temporary password (the
    earlier one stops working, and any session of theirs ends) and their user name again."""
    _manageable_check(profile=profile, by=by)
    user = profile.user
    if not user.is_active:
        raise ValidationError(f"{user.display_name} is disabled: enable them first.")
    if not profile.must_change_password:
        raise ValidationError(
            f"{user.display_name} has already set their own password; send a password reset "
            "email instead."
        )
    # The earlier temporary password stops working now; the worker makes the new one.
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user_sessions_end(user)
    _sign_in_emails_send(profile=profile, by=by)
    _change_record(
        by=by,
        profile=profile,
        summary=f"{by.display_name} sent {user.display_name} a new temporary password.",
    )
    return profile


@transaction.atomic
def provider_user_password_reset(*, profile: ProviderUser, by: User, request) -> None:
    """The portal's ordinary password reset email, for a user who has set their own password."""
    _manageable_check(profile=profile, by=by)
    if profile.must_change_password:
        raise ValidationError(
            f"{profile.user.display_name} has not signed in yet: send a new temporary password "
            "instead."
        )
    password_reset_email_send(user=profile.user, request=request)
    _change_record(
        by=by,
        profile=profile,
        summary=f"{by.display_name} sent {profile.user.display_name} a password reset email.",
    )


@transaction.atomic
def provider_admin_email_change(
    *, profile: ProviderUser, email: str, password: str, by: User
) -> ProviderUser:
    """Update the profile email (delegated administrators, their own): it is also the user
    name they sign in with, so the current password is asked for, the old address is told,
    and the new one must be confirmed at the next sign-in (allauth sends the link then)."""
    if profile.user_id != by.pk or not profile.is_delegated_admin:
        raise ValidationError("Only a delegated administrator can update their own email here.")
    user = profile.user
    if not check_password(password, user.password):
        raise ValidationError("That is not your current password.")
    email = email.strip().lower()
    if email == user.email:
        raise ValidationError("That is already your email address.")
    if (
        User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
        or EmailAddress.objects.filter(email__iexact=email).exclude(user=user).exists()
    ):
        raise ValidationError("A portal user with this email address already exists.")
    old = user.email
    user.email = email
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    email_send(
        to=[old],
        template="provider_user_email_changed",
        context={"user": user, "old_email": old, "new_email": email},
    )
    _change_record(
        by=by, profile=profile, summary=f"{by.display_name} changed their email to {email}."
    )
    return profile


# The first sign-in with a temporary password: terms, then a password, then an authenticator.


@transaction.atomic
def first_sign_in_terms_accept(*, profile: ProviderUser) -> ProviderUser:
    now = timezone.now()
    profile.terms_accepted_at = now
    profile.save(update_fields=["terms_accepted_at"])
    profile.user.terms_accepted_at = now
    profile.user.save(update_fields=["terms_accepted_at"])
    return profile


@transaction.atomic
def first_sign_in_complete(
    *, profile: ProviderUser, password_hash: str, totp_secret: str | None
) -> ProviderUser:
    """Finish the first sign-in: the password the user chose (hashed) replaces the temporary
    one and, unless they already have one, `totp_secret` becomes their authenticator with
    recovery codes; all at once or not at all. The caller has checked the code."""
    if profile.terms_accepted_at is None:
        raise ValidationError("Accept the terms first.")
    user = profile.user
    user.password = password_hash
    user.save(update_fields=["password"])
    if totp_secret is not None:
        Authenticator.objects.filter(user=user).delete()
        TOTP.activate(user, totp_secret)
        RecoveryCodes.activate(user)
    profile.must_change_password = False
    profile.save(update_fields=["must_change_password"])
    audit_record_for_user(
        user=user,
        action=AuditEvent.Action.CHANGE,
        object_type="accounts.User",
        object_ids=[user.pk],
    )
    _office_tell(
        profile=profile,
        summary=f"{user.display_name} signed in for the first time and set up their account.",
    )
    return profile


def _office_tell(*, profile: ProviderUser, summary: str) -> None:
    admins = User.objects.filter(
        provider_user__organization_id=profile.organization_id,
        provider_user__is_delegated_admin=True,
        is_active=True,
    ).exclude(pk=profile.user_id)
    link = reverse("providers:user-detail", args=[profile.user_id])
    activity_record(recipients=list(admins), summary=summary, actor=profile.user, link=link)


def status_of(profile: ProviderUser) -> str:
    """The user's status as Manage Users shows it: a user who has not finished their first
    sign-in is pending, whatever their temporary password."""
    status = profile.user.status
    if status == UserStatus.ACTIVE and profile.must_change_password:
        return UserStatus.PENDING
    return status
