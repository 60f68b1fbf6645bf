import hashlib
import re
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from brokers import access as broker_access
from brokers.models import Broker, BrokerOfRecord
from employers import access
from employers import access as employer_access
from employers.models import (
    BrokerAccessChange,
    BrokerAccessGrant,
    EmployerAdmin,
    EmployerRegistrationKey,
)
from enrollment.models import Employer, Group
from portal.accounts.models import RegistrationToken, Role, User, UserStatus
from portal.accounts.services import (
    REGISTRATION_LINK_LIFETIME,
    password_reset_email_send,
    pending_user_create,
    registration_complete,
    registration_token_issue,
    user_sessions_end,
)
from portal.activity.services import activity_record
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record_for_user
from portal.mail import absolute_url, email_send


@transaction.atomic
def employer_admin_add(
    *, employer: Employer, user: User, level: str, groups=(), by: User | None = None
):
    """Make `user` an administrator of `employer`; group admins and delegates get `groups`."""
    user.role = Role.EMPLOYER_ADMIN
    user.save(update_fields=["role"])
    admin = EmployerAdmin.objects.create(user=user, employer=employer, level=level, created_by=by)
    if not admin.is_client_admin:
        access.grant_admin_groups(admin, groups)
    return admin


@transaction.atomic
def broker_access_grant(*, group: Group, broker: Broker, functions, by: User) -> BrokerAccessGrant:
    """Grant (or change) the billing and enrollment functions a broker has on one group.

    The terms are accepted by submitting; functions not listed are taken away.
    """
    unknown = set(functions) - set(broker_access.GRANTABLE_FUNCTIONS)
    if unknown:
        raise ValueError(f"Not a grantable function: {', '.join(sorted(unknown))}")
    grant, _ = BrokerAccessGrant.objects.update_or_create(
        group=group,
        broker=broker,
        defaults={
            "employer": group.parent.employer,
            "functions": sorted(functions),
            "granted_by": by,
            "terms_accepted_at": timezone.now(),
        },
    )
    broker_access.revoke_group_functions(
        broker, group, set(broker_access.GRANTABLE_FUNCTIONS) - set(functions)
    )
    broker_access.grant_group_functions(broker, group, ["view_group", *functions])
    return grant


# Manage Broker Access: what an employer's client administrators let each broker of record do
# on its groups. Every change is kept (BrokerAccessChange), audited, and told to the broker's
# office (Recent Activity, and an email to the broker) and to the employer's client administrators.

# The functions in the words of the Access Privileges page (the seed's), in its order.
BROKER_BILLING_FUNCTIONS = {
    "view_invoice": "View invoice",
    "view_payment_history": "View payment history",
    "view_balance": "View balance details",
    "pay_bill": "Pay bill",
}
BROKER_ENROLLMENT_FUNCTIONS = {
    "perform_enrollment": "Perform enrollment",
    "receive_enrollment_notifications": "Receive enrollment notifications",
    "run_reports": "Run reports",
}
BROKER_FUNCTION_LABELS = {**BROKER_BILLING_FUNCTIONS, **BROKER_ENROLLMENT_FUNCTIONS}
TERMS_REQUIRED = (
    "Tick \u201cI accept the terms and conditions\u201d to submit. Nothing has been changed."
)


def broker_function_labels(functions) -> list[str]:
    """The functions' names, in the page's order."""
    return [label for name, label in BROKER_FUNCTION_LABELS.items() if name in functions]


def _broker_groups_of_record(*, broker: Broker, employer: Employer, lock=False):
    """The employer's groups the broker is broker of record for now, by pk.

    With `lock`, the broker-of-record rows are locked until the transaction ends, so that two
    administrators' changes (or a change of broker of record) don't interleave.
    """
    records = BrokerOfRecord.objects.filter(
        broker=broker, group__parent__employer=employer, end_date__isnull=True
    )
    if lock:
        records = records.select_for_update(of=("self",))
    return {record.group.pk: record.group for record in records.select_related("group")}


def _broker_grants_on(*, broker: Broker, groups) -> dict:
    """{group pk: sorted functions} of the broker's grants on `groups`, empty ones left out."""
    grants = BrokerAccessGrant.objects.filter(broker=broker, group__in=list(groups))
    return {grant.group_id: sorted(grant.functions) for grant in grants if grant.functions}


def _by_number(functions_by_group_pk: dict, groups: dict) -> dict:
    return {groups[pk].number: functions for pk, functions in sorted(functions_by_group_pk.items())}


def broker_access_problems(functions_by_group: dict, groups_of_record: dict) -> list[str]:
    """Why `functions_by_group` ({group: functions}) can't be granted, as sentences; none if it
    can. The form asks the same before a Submit, the service again before writing."""
    problems = []
    for group, functions in functions_by_group.items():
        if group.pk not in groups_of_record:
            problems.append(f"The broker is not the broker of record for group {group.number}.")
            continue
        unknown = set(functions) - set(BROKER_FUNCTION_LABELS)
        if unknown:
            problems.append(f"Not a function a broker can be given: {', '.join(sorted(unknown))}.")
        # A bill the broker can't see is not one they can pay.
        if "pay_bill" in functions and "view_invoice" not in functions:
            problems.append(f"Group {group.number}: Pay bill needs View invoice too.")
    return problems


def _broker_access_write(*, broker: Broker, groups: dict, before: dict, after: dict, by) -> None:
    """Make the grants and the office's permissions on `groups` go from `before` to `after`
    ({group pk: functions}), touching only the groups that change."""
    for pk, group in groups.items():
        if before.get(pk, []) == after.get(pk, []):
            continue
        if after.get(pk):
            broker_access_grant(group=group, broker=broker, functions=after[pk], by=by)
        else:
            BrokerAccessGrant.objects.filter(group=group, broker=broker).delete()
            broker_access.revoke_group_functions(broker, group, broker_access.GRANTABLE_FUNCTIONS)


@transaction.atomic
def broker_access_set(
    *, broker: Broker, employer: Employer, functions_by_group: dict, terms_accepted: bool, by: User
):
    """Make what `broker` may do on `employer`'s groups exactly `functions_by_group`
    ({group: function codenames}; groups left out, or with no functions, lose everything the
    employer had granted there). The broker keeps viewing the groups of their book: that comes
    with being broker of record, not from the employer.

    Only a client administrator of the employer, only on groups the broker is broker of record
    for, and only with the terms accepted; ValidationError otherwise, and nothing changes.
    Takes effect on the broker's next request. Returns the BrokerAccessChange written, or None
    when nothing changed (a second click of Submit, say).
    """
    if not terms_accepted:
        raise ValidationError(TERMS_REQUIRED)
    return _broker_access_change(
        broker=broker,
        employer=employer,
        functions_by_group=functions_by_group,
        by=by,
        terms_accepted_at=timezone.now(),
    )


@transaction.atomic
def broker_access_revoke(*, broker: Broker, employer: Employer, by: User):
    """Take away everything `employer` granted `broker`, on every group (no terms to accept).
    Returns the BrokerAccessChange written, or None if the broker had nothing."""
    return _broker_access_change(
        broker=broker, employer=employer, functions_by_group={}, by=by, terms_accepted_at=None
    )


def _broker_access_change(*, broker, employer, functions_by_group, by, terms_accepted_at):
    admin = employer_access.admin_for(by)
    if admin is None or admin.employer_id != employer.pk or not admin.is_client_admin:
        raise ValidationError("Only the employer's client administrators manage broker access.")
    groups = _broker_groups_of_record(broker=broker, employer=employer, lock=True)
    if not groups:
        raise ValidationError("This broker is not the broker of record for any of your groups.")
    problems = broker_access_problems(functions_by_group, groups)
    if problems:
        raise ValidationError(problems)
    before = _broker_grants_on(broker=broker, groups=groups.values())
    after = {
        group.pk: sorted(set(functions))
        for group, functions in functions_by_group.items()
        if functions
    }
    if before == after:
        return None
    _broker_access_write(broker=broker, groups=groups, before=before, after=after, by=by)
    if not before:
        kind = BrokerAccessChange.Kind.GRANTED
    elif not after:
        kind = BrokerAccessChange.Kind.REVOKED
    else:
        kind = BrokerAccessChange.Kind.CHANGED
    change = BrokerAccessChange.objects.create(
        employer=employer,
        broker=broker,
        kind=kind,
        by=by,
        before=_by_number(before, groups),
        after=_by_number(after, groups),
        terms_accepted_at=terms_accepted_at,
    )
    _broker_access_tell(change, groups=groups.values())
    return change


@transaction.atomic
def broker_access_end(*, broker: Broker, group: Group):
    """The broker is no longer `group`'s broker of record: what the employer granted them there
    ends with it (the office's permissions are taken by brokers.services). Kept in the history
    and told like any other change; nothing happens if there was no grant."""
    grant = BrokerAccessGrant.objects.filter(broker=broker, group=group).first()
    if grant is None:
        return None
    employer = group.parent.employer
    # The broker's access across the employer, before and after: this group is what changes.
    groups = _broker_groups_of_record(broker=broker, employer=employer)
    groups[group.pk] = group
    before = _broker_grants_on(broker=broker, groups=groups.values())
    grant.delete()
    broker_access.revoke_group_functions(broker, group, broker_access.GRANTABLE_FUNCTIONS)
    if not before.get(group.pk):
        return None
    after = {pk: functions for pk, functions in before.items() if pk != group.pk}
    change = BrokerAccessChange.objects.create(
        employer=employer,
        broker=broker,
        kind=BrokerAccessChange.Kind.ENDED,
        before=_by_number(before, groups),
        after=_by_number(after, groups),
    )
    _broker_access_tell(change, groups=groups.values())
    return change


def broker_access_differences(*, before: dict, after: dict, groups=()) -> list[dict]:
    """The groups whose functions differ between `before` and `after` ({group number:
    functions}), each with its number, name (when `groups` are given) and the functions before
    and after, in words: for the review page, the history and the emails."""
    names = {group.number: group.name for group in groups}
    rows = []
    for number in sorted(set(before) | set(after)):
        was, now = sorted(before.get(number, [])), sorted(after.get(number, []))
        if was != now:
            rows.append(
                {
                    "number": number,
                    "name": names.get(number, ""),
                    "before": broker_function_labels(was),
                    "after": broker_function_labels(now),
                }
            )
    return rows


def _broker_access_tell(change: BrokerAccessChange, *, groups) -> None:
    """Audit the change, and tell the broker's office and the employer's client administrators."""
    broker, employer = change.broker, change.employer
    if change.by is not None:
        audit_record_for_user(
            user=change.by,
            action=AuditEvent.Action.CHANGE,
            object_type="employers.BrokerAccessChange",
            object_ids=[change.pk],
        )
    differences = broker_access_differences(before=change.before, after=change.after, groups=groups)
    numbers = ", ".join(row["number"] for row in differences)
    what = "group" if len(differences) == 1 else "groups"
    to_broker = {
        BrokerAccessChange.Kind.GRANTED: (
            f"{employer.name} gave you billing and enrollment access on {what} {numbers}."
        ),
        BrokerAccessChange.Kind.CHANGED: (
            f"{employer.name} changed your billing and enrollment access on {what} {numbers}."
        ),
        BrokerAccessChange.Kind.REVOKED: (
            f"{employer.name} revoked your billing and enrollment access on {what} {numbers}."
        ),
        BrokerAccessChange.Kind.ENDED: (
            f"Your billing and enrollment access on {what} {numbers} of {employer.name} ended: "
            "you are no longer the broker of record."
        ),
    }[change.kind]
    # Everyone in the office works the delegated groups; the email goes to the broker.
    office = []
    if broker.office_id is not None:
        office = list(User.objects.filter(groups=broker.office_id, is_active=True))
    if broker.user is not None and broker.user not in office:
        office.append(broker.user)
    link = reverse("brokers:delegated-group-list")
    activity_record(recipients=office, summary=to_broker, actor=change.by, link=link)
    email_send(
        to=[broker.user.email if broker.user is not None else broker.email],
        template="broker_access_changed",
        context={
            "broker": broker,
            "employer": employer,
            "summary": to_broker,
            "differences": differences,
            "link": absolute_url(link),
        },
    )
    broker_name = f"{broker.first_name} {broker.last_name}"
    by_name = change.by.display_name if change.by is not None else "A change of broker of record"
    to_employer = {
        BrokerAccessChange.Kind.GRANTED: f"{by_name} gave {broker_name} access on {numbers}.",
        BrokerAccessChange.Kind.CHANGED: f"{by_name} changed {broker_name}'s access on {numbers}.",
        BrokerAccessChange.Kind.REVOKED: f"{by_name} revoked {broker_name}'s access on {numbers}.",
        BrokerAccessChange.Kind.ENDED: (
            f"{broker_name}'s access on {numbers} ended: they are no longer the broker of record."
        ),
    }[change.kind]
    client_admins = client_admin_users(employer)
    # After a change of broker of record the broker may have no page here any more.
    if change.kind == BrokerAccessChange.Kind.ENDED:
        employer_link = reverse("employers:broker-access")
    else:
        employer_link = reverse("employers:broker-access-detail", args=[broker.pk])
    activity_record(
        recipients=list(client_admins), summary=to_employer, actor=change.by, link=employer_link
    )


def client_admin_users(employer):
    """The employer's active primary and secondary client administrators."""
    return User.objects.filter(
        employer_admin__employer=employer,
        employer_admin__level__in=[EmployerAdmin.Level.PRIMARY, EmployerAdmin.Level.SECONDARY],
        is_active=True,
    )


def broker_payment_tell_employer(*, submission, summary: str) -> None:
    """A broker paid the employer's bills on its behalf: the client administrators read it in
    Recent Activity, with a link to their payment history."""
    activity_record(
        recipients=list(client_admin_users(submission.employer)),
        summary=f"{submission.on_behalf_of}: {summary}",
        actor=submission.submitted_by,
        link=reverse("employers:payment-history"),
    )


# Registration: the key ops email to a primary client administrator, and finishing an account.

REGISTRATION_KEY_LIFETIME = timedelta(days=14)
# Twelve characters without the ones people misread (0/O, 1/I): about 60 bits, typed in groups of
# four. Lookups are rate-limited per address and per policyholder ID, so that is plenty.
REGISTRATION_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REGISTRATION_KEY_LENGTH = 12
PRIMARY_REGISTRATION_PURPOSE = "employer_primary"
USER_REGISTRATION_PURPOSE = "employer_user"


class RegistrationRefused(Exception):
    """The key or the account can't be used to register (any more); `reason` says why."""

    REGISTERED = "registered"
    HAS_PRIMARY = "has_primary"

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def registration_key_normalize(value) -> str:
    """The key's characters as stored: upper case, without the dashes and spaces people type."""
    return re.sub(r"[^A-Z0-9]", "", str(value or "").upper())


def registration_key_digest(value) -> str:
    return hashlib.sha256(registration_key_normalize(value).encode()).hexdigest()


def registration_key_display(raw: str) -> str:
    """ABCD-EFGH-JKLM: the key as the email shows it."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _email_taken(email: str) -> bool:
    """Whether a portal user has `email`, apart from one left pending by an unfinished
    registration with a key (registering again simply reuses them)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return EmailAddress.objects.filter(email__iexact=email).exists()
    return (
        user.has_usable_password()
        or user.role != Role.EMPLOYER_ADMIN
        or EmployerAdmin.objects.filter(user=user).exists()
    )


def registration_key_refusal(*, employer: Employer, email: str) -> str | None:
    """Why no registration key may be issued for `employer` to `email`, or None."""
    if EmployerAdmin.objects.filter(employer=employer, level=EmployerAdmin.Level.PRIMARY).exists():
        return (
            f"{employer} already has a primary client administrator. Remove them first to "
            "register someone else."
        )
    if _email_taken(email):
        return f"A portal user with the email address {email} already exists."
    return None


@transaction.atomic
def employer_registration_key_issue(
    *, employer: Employer, email: str, first_name: str, last_name: str, by: User | None
) -> str:
    """Email a new registration key to the person who will be `employer`'s primary client
    administrator; any unused earlier key of the employer stops working. Returns the raw key,
    which is stored only as a digest.

    Refused (ValidationError) while the employer has a primary administrator or the address
    belongs to a portal user.
    """
    email = email.strip().lower()
    refusal = registration_key_refusal(employer=employer, email=email)
    if refusal:
        raise ValidationError(refusal)
    now = timezone.now()
    EmployerRegistrationKey.objects.filter(
        employer=employer, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw = "".join(secrets.choice(REGISTRATION_KEY_ALPHABET) for _ in range(REGISTRATION_KEY_LENGTH))
    registration_key = EmployerRegistrationKey.objects.create(
        employer=employer,
        email=email,
        first_name=first_name,
        last_name=last_name,
        digest=registration_key_digest(raw),
        issued_by=by,
        expires_at=now + REGISTRATION_KEY_LIFETIME,
    )
    email_send(
        to=[email],
        template="employer_registration_key",
        context={
            "first_name": first_name,
            "last_name": last_name,
            "employer": employer,
            "key": registration_key_display(raw),
            "days": REGISTRATION_KEY_LIFETIME.days,
            "register_url": absolute_url(reverse("employers:register")),
            "contact": settings.CARRIER["contacts"]["employer"][0],
        },
    )
    if by is not None:
        audit_record_for_user(
            user=by,
            action=AuditEvent.Action.CHANGE,
            object_type="employers.EmployerRegistrationKey",
            object_ids=[registration_key.pk],
        )
    return raw


@transaction.atomic
def employer_registration_start(*, key: EmployerRegistrationKey) -> str:
    """After a visitor matched group number, policyholder ID and `key`: a one-time link token
    to the completion step, for a pending user with the key's email address.

    The key itself is used up only when the registration completes, so a person who leaves
    halfway can type it in again. Raises RegistrationRefused if the address has meanwhile
    become another portal user's or the employer got a primary administrator.
    """
    if EmployerAdmin.objects.filter(
        employer_id=key.employer_id, level=EmployerAdmin.Level.PRIMARY
    ).exists():
        raise RegistrationRefused(RegistrationRefused.HAS_PRIMARY)
    if _email_taken(key.email):
        raise RegistrationRefused(RegistrationRefused.REGISTERED)
    user = User.objects.filter(email__iexact=key.email).first() or pending_user_create(
        email=key.email,
        first_name=key.first_name,
        last_name=key.last_name,
        role=Role.EMPLOYER_ADMIN,
    )
    return registration_token_issue(
        user=user, purpose=PRIMARY_REGISTRATION_PURPOSE, payload={"key": key.pk}
    )


@transaction.atomic
def employer_registration_complete(*, token, password: str, totp_secret: str) -> User:
    """Finish a primary administrator's registration (from a key) or an invited user's (from
    the email their administrator had sent): password, terms and second factor together.

    The primary becomes the employer's primary client administrator and the key is used up;
    an invited user's administrator hears that they finished. Raises RegistrationRefused,
    changing nothing, when the key stopped working or the employer got a primary meanwhile.
    """
    user = registration_complete(token=token, password=password, totp_secret=totp_secret)
    now = timezone.now()
    if token.purpose == PRIMARY_REGISTRATION_PURPOSE:
        key = EmployerRegistrationKey.objects.select_for_update().get(pk=token.payload["key"])
        if key.used_at or key.revoked_at or key.expires_at <= now:
            raise RegistrationRefused(RegistrationRefused.REGISTERED)
        if EmployerAdmin.objects.filter(
            employer_id=key.employer_id, level=EmployerAdmin.Level.PRIMARY
        ).exists():
            raise RegistrationRefused(RegistrationRefused.HAS_PRIMARY)
        user.first_name, user.last_name = key.first_name, key.last_name
        user.save(update_fields=["first_name", "last_name"])
        employer_admin_add(employer=key.employer, user=user, level=EmployerAdmin.Level.PRIMARY)
        key.used_at = now
        key.registered_user = user
        key.save(update_fields=["used_at", "registered_user"])
    else:
        admin = EmployerAdmin.objects.select_related("created_by").get(user=user)
        if admin.created_by is not None:
            activity_record(
                recipients=[admin.created_by],
                summary=f"{user.display_name} completed registration.",
                actor=user,
            )
    email_send(
        to=[user.email],
        template="employer_account_active",
        context={"user": user, "sign_in_url": absolute_url(reverse("employers:sign-in"))},
    )
    return user


# Manage Accounts: Update Account Information, Add New User, View and Edit Users. Each change
# to another user is told to them (Recent Activity) and kept in the audit log.


def _admin_change_record(*, by: User, admin: EmployerAdmin, summary: str) -> None:
    audit_record_for_user(
        user=by,
        action=AuditEvent.Action.CHANGE,
        object_type="accounts.User",
        object_ids=[admin.user_id],
    )
    # The user hears of it (their own account page is where they see it), and so does the
    # primary administrator, on the user's page, when someone else made the change.
    if admin.user_id != by.pk:
        link = reverse("employers:account-update")
        activity_record(recipients=[admin.user], summary=summary, actor=by, link=link)
    primary = (
        EmployerAdmin.objects.filter(
            employer_id=admin.employer_id, level=EmployerAdmin.Level.PRIMARY
        )
        .select_related("user")
        .first()
    )
    if primary is not None and primary.user_id not in (by.pk, admin.user_id):
        link = reverse("employers:user-detail", args=[admin.user_id])
        activity_record(recipients=[primary.user], summary=summary, actor=by, link=link)


def _manageable_check(*, admin: EmployerAdmin, by: User) -> None:
    """The views find `admin` through the acting user's scope; services check it again, so
    that no other caller can change a user out of `by`'s reach (or `by` themself)."""
    if admin.user_id == by.pk:
        raise ValidationError(
            "You can't change your own user here; use Update Account Information."
        )
    if not employer_access.manageable_admins(by).filter(pk=admin.pk).exists():
        raise ValidationError("You can't change this user.")


def _access_check(*, admin: EmployerAdmin, access: "employer_access.Access", by_admin):
    bound = employer_access.access_bound_for(admin, by_admin)
    if not bound.covers(access):
        if admin.level == EmployerAdmin.Level.DELEGATE:
            raise ValidationError(
                "A delegate can't be given more access than the administrator who created "
                "them holds, nor more than you hold."
            )
        raise ValidationError("You can't give more access than you hold.")
    if not access.group_ids:
        raise ValidationError("Choose at least one group.")
    if not access.functions - {"enrollment_notifications"}:
        raise ValidationError("Choose at least one function.")


def _narrow_delegates_of(admin: EmployerAdmin) -> None:
    """A group administrator's delegates keep no more than the administrator now holds."""
    if admin.level != EmployerAdmin.Level.GROUP_ADMIN:
        return
    bound = employer_access.access_of(admin)
    for delegate in EmployerAdmin.objects.filter(
        employer_id=admin.employer_id,
        level=EmployerAdmin.Level.DELEGATE,
        created_by_id=admin.user_id,
    ):
        held = employer_access.access_of(delegate)
        if not bound.covers(held):
            employer_access.admin_access_set(delegate, held & bound)


@transaction.atomic
def employer_user_invite(
    *,
    employer: Employer,
    email: str,
    first_name: str,
    last_name: str,
    level: str,
    access: "employer_access.Access",
    by: User,
) -> EmployerAdmin:
    """Add New User: a secondary client administrator, group administrator or delegate, who
    is emailed a link to finish registering (password, terms, second factor).

    `by` may create only the levels employers.access allows them, one secondary per employer,
    and give a group administrator or delegate no more than `by` holds (a delegate: no more
    than their creator, which `by` is). Raises ValidationError, changing nothing, otherwise.
    """
    by_admin = employer_access.admin_for(by)
    if by_admin is None or by_admin.employer_id != employer.pk:
        raise ValidationError("You are not an administrator of this employer.")
    if level not in employer_access.levels_creatable_by(by_admin):
        raise ValidationError("You can't create a user of this kind.")
    if (
        level == EmployerAdmin.Level.SECONDARY
        and EmployerAdmin.objects.filter(employer=employer, level=level).exists()
    ):
        raise ValidationError(
            "This employer already has a secondary client administrator; there can be only one."
        )
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists() or (
        EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError("A portal user with this email address already exists.")
    user = pending_user_create(
        email=email, first_name=first_name, last_name=last_name, role=Role.EMPLOYER_ADMIN
    )
    admin = EmployerAdmin.objects.create(user=user, employer=employer, level=level, created_by=by)
    if not admin.is_client_admin:
        _access_check(admin=admin, access=access, by_admin=by_admin)
        employer_access.admin_access_set(admin, access)
    _invitation_send(admin=admin, by=by)
    _admin_change_record(
        by=by,
        admin=admin,
        summary=f"{by.display_name} added {user.display_name} ({admin.get_level_display()}).",
    )
    return admin


def _invitation_send(*, admin: EmployerAdmin, by: User) -> None:
    token = registration_token_issue(
        user=admin.user, purpose=USER_REGISTRATION_PURPOSE, payload={"admin": admin.pk}
    )
    email_send(
        to=[admin.user.email],
        template="employer_user_invitation",
        context={
            "user": admin.user,
            "by": by,
            "employer": admin.employer,
            "level": admin.get_level_display(),
            "link": absolute_url(reverse("employers:register-complete", args=[token])),
            "hours": int(REGISTRATION_LINK_LIFETIME.total_seconds() // 3600),
        },
    )


@transaction.atomic
def employer_user_access_change(
    *, admin: EmployerAdmin, access: "employer_access.Access", by: User
) -> EmployerAdmin:
    """Change the groups and functions (and notification preference) of a group administrator
    or delegate; a group administrator's delegates lose what the administrator no longer
    holds. Effective on the user's next request."""
    _manageable_check(admin=admin, by=by)
    if admin.is_client_admin:
        raise ValidationError("Client administrators hold every function on every group.")
    by_admin = employer_access.admin_for(by)
    _access_check(admin=admin, access=access, by_admin=by_admin)
    employer_access.admin_access_set(admin, access)
    _narrow_delegates_of(admin)
    _admin_change_record(
        by=by,
        admin=admin,
        summary=f"{by.display_name} changed the access of {admin.user.display_name}.",
    )
    return admin


@transaction.atomic
def employer_user_name_change(
    *, admin: EmployerAdmin, first_name: str, last_name: str, by: User
) -> EmployerAdmin:
    _manageable_check(admin=admin, by=by)
    user = admin.user
    if (user.first_name, user.last_name) == (first_name, last_name):
        return admin
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    _admin_change_record(
        by=by, admin=admin, summary=f"{by.display_name} updated the name of {user.display_name}."
    )
    return admin


@transaction.atomic
def employer_account_update(
    *, admin: EmployerAdmin, first_name: str, last_name: str, job_title: str, phone: str
) -> EmployerAdmin:
    """Update Account Information: an administrator's own name, job title and phone."""
    user = admin.user
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    admin.job_title, admin.phone = job_title, phone
    admin.save(update_fields=["job_title", "phone"])
    audit_record_for_user(
        user=user,
        action=AuditEvent.Action.CHANGE,
        object_type="accounts.User",
        object_ids=[user.pk],
    )
    return admin


@transaction.atomic
def employer_user_disable(*, admin: EmployerAdmin, by: User) -> EmployerAdmin:
    """Disable a user and end their sessions now: their next request is the sign-in page.
    An unused registration link of theirs stops working too."""
    _manageable_check(admin=admin, by=by)
    user = admin.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    RegistrationToken.objects.filter(
        user=user, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    user_sessions_end(user)
    _admin_change_record(
        by=by, admin=admin, summary=f"{by.display_name} disabled {user.display_name}."
    )
    return admin


@transaction.atomic
def employer_user_enable(*, admin: EmployerAdmin, by: User) -> EmployerAdmin:
    """Let a disabled user sign in again (a pending one needs a new registration email)."""
    _manageable_check(admin=admin, by=by)
    admin.user.is_active = True
    admin.user.save(update_fields=["is_active"])
    _admin_change_record(
        by=by, admin=admin, summary=f"{by.display_name} enabled {admin.user.display_name}."
    )
    return admin


@transaction.atomic
def employer_user_password_reset(*, admin: EmployerAdmin, by: User, request) -> None:
    """Send the user the portal's ordinary password reset email; only for someone who has
    registered and is not disabled. allauth builds the link from the request."""
    _manageable_check(admin=admin, by=by)
    user = admin.user
    password_reset_email_send(user=user, request=request)
    _admin_change_record(
        by=by,
        admin=admin,
        summary=f"{by.display_name} sent {user.display_name} a password reset email.",
    )


@transaction.atomic
def employer_user_registration_resend(*, admin: EmployerAdmin, by: User) -> None:
    """Email a pending user a new registration link; the previous one stops working."""
    _manageable_check(admin=admin, by=by)
    user = admin.user
    if user.status != UserStatus.PENDING:
        raise ValidationError(
            f"{user.display_name} is not waiting to register: the account is "
            f"{user.status.label.lower()}."
        )
    _invitation_send(admin=admin, by=by)
    _admin_change_record(
        by=by,
        admin=admin,
        summary=f"{by.display_name} sent {user.display_name} a new registration email.",
    )


@transaction.atomic
def registration_keys_revoke(*, keys, by: User) -> int:
    """Stop unused registration keys from working (ops, in the admin)."""
    revoked = list(keys.filter(used_at__isnull=True, revoked_at__isnull=True))
    EmployerRegistrationKey.objects.filter(pk__in=[key.pk for key in revoked]).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record_for_user(
            user=by,
            action=AuditEvent.Action.CHANGE,
            object_type="employers.EmployerRegistrationKey",
            object_ids=[key.pk for key in revoked],
        )
    return len(revoked)
