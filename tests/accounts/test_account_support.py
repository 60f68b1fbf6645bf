"""Account support in the user admin: unlock, resend registration, force a password reset and
reset two-step verification, each with a required reason, recorded and audited under the agent;
refused to roles without the permission, and for accounts it does not apply to."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group as AuthGroup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brokers import services as broker_services
from portal.accounts import ops_roles
from portal.accounts.models import RegistrationToken, Role, SupportAction, User, UserStatus
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from tests.factories import PASSWORD, ContractingRecordFactory, UserFactory


def _url(name, user):
    return reverse(f"admin:accounts_user_{name}", args=[user.pk])


def _ops(*roles, email="agent@carrier.example"):
    user = UserFactory(email=email, role=Role.OPS, is_staff=True)
    user.groups.add(*AuthGroup.objects.filter(name__in=roles))
    return user


@pytest.fixture
def agent(db):
    return _ops(ops_roles.SUPPORT, ops_roles.ACCOUNT_SUPPORT)


@pytest.fixture
def support(client, agent):
    client.force_login(agent)
    return client


def _signed_in(user):
    other = Client()
    other.force_login(user)
    return other


def _still_signed_in(other):
    return "_auth_user_id" in other.session.load()


def _assert_recorded(*, kind, agent, user, reason):
    action = SupportAction.objects.get(kind=kind)
    assert (action.agent, action.user, action.reason) == (agent, user, reason)
    assert AuditEvent.objects.filter(
        user=agent,
        action="change",
        object_type="accounts.User",
        object_id=str(user.pk),
    ).exists()
    assert AuditEvent.objects.filter(
        user=agent, object_type="accounts.SupportAction", object_id=str(action.pk)
    ).exists()
    # The user reads it in their Recent Activity, from the carrier's support, not the agent.
    line = Activity.objects.get(recipient=user)
    assert line.summary.startswith(f"{settings.CARRIER['short_name']} support ")
    assert agent.email not in line.summary and line.actor is None


# Unlock -------------------------------------------------------------------------------------


def test_unlock_with_a_reason(support, agent, cast):
    User.objects.filter(pk=cast.staff.pk).update(locked_at=timezone.now(), failed_login_count=5)

    page = support.get(_url("unlock", cast.staff))
    response = support.post(_url("unlock", cast.staff), {"reason": "Caller verified, ticket 1"})

    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    assert response.status_code == 302
    staff = User.objects.get(pk=cast.staff.pk)
    assert (staff.locked_at, staff.failed_login_count) == (None, 0)
    _assert_recorded(kind="unlock", agent=agent, user=staff, reason="Caller verified, ticket 1")


def test_unlock_without_a_reason_changes_nothing(support, cast):
    User.objects.filter(pk=cast.staff.pk).update(locked_at=timezone.now(), failed_login_count=5)

    response = support.post(_url("unlock", cast.staff), {"reason": ""})

    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    assert User.objects.get(pk=cast.staff.pk).status == UserStatus.LOCKED
    assert not SupportAction.objects.exists()


def test_unlocking_an_account_that_is_not_locked_says_so(support, cast):
    response = support.post(_url("unlock", cast.staff), {"reason": "ticket 2"})

    assert response.status_code == 400
    assert "is not locked" in response.content.decode()
    assert not SupportAction.objects.exists()


# Resend registration -------------------------------------------------------------------------


def test_resend_registration_emails_a_new_link_and_the_old_one_stops(
    support, agent, cast, mailoutbox, django_capture_on_commit_callbacks
):
    record = ContractingRecordFactory()
    with django_capture_on_commit_callbacks(execute=True):
        broker_services.broker_registration_send(record=record)
    pending = User.objects.get(email=record.email)
    first = RegistrationToken.objects.get(user=pending)

    with django_capture_on_commit_callbacks(execute=True):
        response = support.post(
            _url("registration_resend", pending), {"reason": "Never got the email"}
        )

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert RegistrationToken.objects.filter(user=pending, revoked_at__isnull=True).count() == 1
    assert [m.to for m in mailoutbox] == [[record.email], [record.email]]
    _assert_recorded(
        kind="registration_resend", agent=agent, user=pending, reason="Never got the email"
    )


def test_resend_registration_for_office_staff_and_for_a_registered_user(
    support, cast, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff = broker_services.office_staff_invite(
            broker=cast.broker.broker,
            email="newstaff@test.example",
            first_name="New",
            last_name="Staff",
            tools=[],
            by=cast.broker,
        )
        ok = support.post(_url("registration_resend", staff), {"reason": "ticket 3"})
    refused = support.post(_url("registration_resend", cast.broker), {"reason": "ticket 4"})

    assert ok.status_code == 302
    assert [m.to for m in mailoutbox] == [[staff.email], [staff.email]]
    assert refused.status_code == 400
    assert "is not waiting to register" in refused.content.decode()
    assert SupportAction.objects.count() == 1


def test_a_pending_user_without_a_link_to_resend_is_explained(support, cast):
    pending = UserFactory(email="invited@test.example")
    pending.set_unusable_password()
    pending.save()

    response = support.post(_url("registration_resend", pending), {"reason": "ticket 5"})

    assert response.status_code == 400
    assert "no registration link that can be sent again" in response.content.decode()
    assert not SupportAction.objects.exists()


# Force password reset -------------------------------------------------------------------------


def test_force_password_reset_ends_sessions_and_emails_the_reset_link(
    support, agent, cast, mailoutbox, django_capture_on_commit_callbacks
):
    elsewhere = _signed_in(cast.employer)

    with django_capture_on_commit_callbacks(execute=True):
        response = support.post(
            _url("password_reset", cast.employer), {"reason": "Suspected shared password"}
        )

    assert response.status_code == 302
    employer = User.objects.get(pk=cast.employer.pk)
    assert employer.has_usable_password() and not employer.check_password(PASSWORD)
    assert employer.status == UserStatus.ACTIVE
    assert not _still_signed_in(elsewhere)
    assert [m.to for m in mailoutbox] == [["employer@demo.test"]]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    _assert_recorded(
        kind="password_reset", agent=agent, user=employer, reason="Suspected shared password"
    )


def test_support_actions_are_not_for_ops_accounts(support, cast):
    User.objects.filter(pk=cast.ops.pk).update(locked_at=timezone.now())
    TOTP.activate(cast.ops, generate_totp_secret())

    for name in ("unlock", "registration_resend", "password_reset", "mfa_reset"):
        response = support.post(_url(name, cast.ops), {"reason": "ticket 6"})
        assert response.status_code == 400, name
        assert "platform team" in response.content.decode()

    ops = User.objects.get(pk=cast.ops.pk)
    assert ops.check_password(PASSWORD) and ops.locked_at is not None
    assert Authenticator.objects.filter(user=ops).exists()
    assert not SupportAction.objects.exists()


# Reset two-step verification ------------------------------------------------------------------


def test_reset_mfa_removes_the_authenticators_and_ends_sessions(support, agent, cast):
    TOTP.activate(cast.provider, generate_totp_secret())
    RecoveryCodes.activate(cast.provider)
    elsewhere = _signed_in(cast.provider)

    response = support.post(_url("mfa_reset", cast.provider), {"reason": "Lost phone, ID seen"})

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=cast.provider).exists()
    assert not _still_signed_in(elsewhere)
    assert User.objects.get(pk=cast.provider.pk).check_password(PASSWORD)
    _assert_recorded(
        kind="mfa_reset", agent=agent, user=cast.provider, reason="Lost phone, ID seen"
    )


def test_reset_mfa_requires_a_reason_and_an_authenticator(support, cast):
    TOTP.activate(cast.provider, generate_totp_secret())

    no_reason = support.post(_url("mfa_reset", cast.provider), {"reason": " "})
    nothing_to_reset = support.post(_url("mfa_reset", cast.broker), {"reason": "ticket 7"})

    assert no_reason.status_code == 400
    assert Authenticator.objects.filter(user=cast.provider).exists()
    assert nothing_to_reset.status_code == 400
    assert "has no two-step verification" in nothing_to_reset.content.decode()
    assert not SupportAction.objects.exists()


# Who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        ops_roles.SUPPORT,
        ops_roles.SECURITY,
        ops_roles.BROKER_SERVICES,
        ops_roles.EMPLOYER_SERVICES,
        ops_roles.PROVIDER_RELATIONS,
    ],
)
def test_roles_without_the_permission_are_refused(client, cast, role):
    TOTP.activate(cast.provider, generate_totp_secret())
    User.objects.filter(pk=cast.staff.pk).update(locked_at=timezone.now(), failed_login_count=5)
    client.force_login(_ops(role))

    for name, user in [
        ("unlock", cast.staff),
        ("registration_resend", cast.staff),
        ("password_reset", cast.employer),
        ("mfa_reset", cast.provider),
    ]:
        assert client.get(_url(name, user)).status_code == 403
        assert client.post(_url(name, user), {"reason": "x"}).status_code == 403

    assert User.objects.get(pk=cast.staff.pk).status == UserStatus.LOCKED
    assert Authenticator.objects.filter(user=cast.provider).exists()
    assert User.objects.get(pk=cast.employer.pk).check_password(PASSWORD)
    assert not SupportAction.objects.exists()


def test_portal_users_never_reach_the_support_pages(client, cast):
    client.force_login(cast.employer)

    response = client.post(_url("password_reset", cast.employer2), {"reason": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not SupportAction.objects.exists()


def test_the_users_page_offers_the_tools_that_apply_and_the_history(client, cast, agent):
    User.objects.filter(pk=cast.staff.pk).update(locked_at=timezone.now())
    security = _ops(ops_roles.SECURITY, email="security@carrier.example")
    client.force_login(agent)
    client.post(_url("unlock", cast.staff), {"reason": "Caller verified, ticket 8"})
    User.objects.filter(pk=cast.staff.pk).update(locked_at=timezone.now())

    page = client.get(reverse("admin:accounts_user_change", args=[cast.staff.pk])).content.decode()

    assert _url("unlock", cast.staff) in page
    assert _url("password_reset", cast.staff) in page
    assert _url("mfa_reset", cast.staff) in page
    assert _url("registration_resend", cast.staff) not in page  # registered already
    assert "Caller verified, ticket 8" in page  # the support history
    # Security reads the history but has none of the tools.
    client.force_login(security)
    page = client.get(reverse("admin:accounts_user_change", args=[cast.staff.pk])).content.decode()
    assert "Caller verified, ticket 8" in page
    assert _url("unlock", cast.staff) not in page and _url("mfa_reset", cast.staff) not in page


def test_the_demo_has_a_support_agent_with_a_history(db):
    import datetime
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", scale=0.05, as_of=datetime.date(2026, 11, 15), stdout=StringIO())

    agent = User.objects.get(email="support@demo.test")
    assert set(agent.groups.values_list("name", flat=True)) == {
        ops_roles.SUPPORT,
        ops_roles.ACCOUNT_SUPPORT,
    }
    assert agent.has_perm("accounts.assume_identity") and not agent.is_superuser
    assert set(
        SupportAction.objects.filter(agent=agent).values_list("kind", "user__email", "ended_at")
    ) >= {("unlock", "staff@demo.test", None)}
    assert SupportAction.objects.get(kind="assume_identity").ended_at is not None
    ops = User.objects.get(email="ops@demo.test")
    assert ops.has_perm("audit.view_auditevent") and not ops.has_perm("accounts.assume_identity")


@pytest.mark.parametrize("rows", [3, 30])
def test_the_support_history_list_costs_the_same_at_any_size(
    client, cast, agent, rows, django_assert_num_queries
):
    SupportAction.objects.bulk_create(
        SupportAction(
            kind="unlock",
            agent=agent,
            user=[cast.staff, cast.employer, cast.provider][n % 3],
            reason=f"ticket {n}",
            at=timezone.now(),
        )
        for n in range(rows)
    )
    client.force_login(agent)
    url = reverse("admin:accounts_supportaction_changelist")
    client.get(url)

    # Session, user, permissions (the user's and their groups'), the page's count and rows,
    # and the session saved again (a savepoint around its UPDATE).
    with django_assert_num_queries(9):
        response = client.get(url)

    assert response.status_code == 200
    assert (
        len(re.findall(r"/admin/accounts/supportaction/\d+/change/", response.content.decode()))
        == rows
    )
