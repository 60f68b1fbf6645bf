"""Ops roles are least privilege: each opens exactly its own models' changelists in the admin,
none makes anyone a superuser, and no role holder can hand themselves more."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group as AuthGroup
from django.urls import reverse

from portal.accounts import ops_roles
from portal.accounts.models import Role, User
from tests.factories import UserFactory

ALL_MODELS = {model._meta.label_lower for model in admin.site._registry}


def _app(*apps):
    return {label for label in ALL_MODELS if label.split(".")[0] in apps}


# What each role opens, written out rather than read back from the role table.
EXPECTED = {
    ops_roles.BROKER_SERVICES: {
        "accounts.user",
        *_app("brokers", "commissions"),
        "enrollment.employer",
        "enrollment.parentgroup",
        "enrollment.group",
    },
    ops_roles.EMPLOYER_SERVICES: {
        "accounts.user",
        *_app("employers"),
        "enrollment.employer",
        "enrollment.parentgroup",
        "enrollment.group",
        "billing.amountchangerequest",
        "billing.invoice",
        "billing.paymentaccount",
    },
    ops_roles.PROVIDER_RELATIONS: {
        "accounts.user",
        "providers.registrationrequest",
        "providers.providerorganization",
        "providers.taxid",
        "providers.practitioner",
        "providers.medicalpolicy",
    },
    ops_roles.SECURITY: {
        "audit.auditevent",
        "accounts.supportaction",
        "accounts.user",
        "accounts.registrationtoken",
        "account.emailaddress",
        "mfa.authenticator",
        "auth.group",
        "enrollment.groupuserobjectpermission",
        "enrollment.groupgroupobjectpermission",
        "providers.taxiduserobjectpermission",
        "providers.taxidgroupobjectpermission",
        "brokers.brokerofrecord",
        "brokers.uplineaccess",
        "employers.brokeraccessgrant",
        "employers.employeradmin",
    },
    ops_roles.ACCOUNT_SUPPORT: {
        "accounts.user",
        "accounts.registrationtoken",
        "account.emailaddress",
        "mfa.authenticator",
        "accounts.supportaction",
    },
    ops_roles.SUPPORT: {
        "accounts.user",
        "accounts.registrationtoken",
        "account.emailaddress",
        "activity.activity",
        "jobs.reportjob",
        *_app("enrollment", "billing", "commissions", "brokers", "employers", "providers"),
    },
    ops_roles.ADMINISTRATOR: {
        "accounts.user",
        "accounts.registrationtoken",
        "accounts.supportaction",
        "account.emailaddress",
        "activity.activity",
        "mfa.authenticator",
        "auth.group",
        "jobs.reportjob",
        *_app("enrollment", "billing", "commissions", "brokers", "employers", "providers"),
    },
}


def _ops(*roles):
    user = UserFactory(role=Role.OPS, is_staff=True)
    user.groups.add(*AuthGroup.objects.filter(name__in=roles))
    return user


def _changelist(label):
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_changelist")


def test_every_role_is_described_here():
    assert set(EXPECTED) == set(ops_roles.OPS_ROLES)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_opens_exactly_its_models_changelists(client, db, role):
    client.force_login(_ops(role))

    statuses = {label: client.get(_changelist(label)).status_code for label in ALL_MODELS}

    assert {label for label, status in statuses.items() if status == 200} == EXPECTED[role]
    assert {label for label, status in statuses.items() if status != 200} == {
        label for label, status in statuses.items() if status == 403
    }


@pytest.mark.parametrize("role", sorted(set(ops_roles.OPS_ROLES) - {ops_roles.SECURITY}))
def test_only_the_security_role_opens_the_audit_log(client, db, role):
    client.force_login(_ops(role))
    assert client.get(_changelist("audit.auditevent")).status_code == 403

    client.force_login(_ops(role, ops_roles.SECURITY))
    assert client.get(_changelist("audit.auditevent")).status_code == 200


def test_roles_are_least_privilege_where_it_matters(db):
    # given one user per role
    users = {role: _ops(role) for role in ops_roles.OPS_ROLES}

    # then nobody may change audit events or support records, whatever the role
    for user in users.values():
        assert not user.has_perm("audit.change_auditevent")
        assert not user.has_perm("audit.delete_auditevent")
        assert not user.has_perm("accounts.change_supportaction")
        assert not user.has_perm("accounts.delete_supportaction")
        assert not user.has_perm("auth.change_group")
        # A second factor goes only through Reset two-step verification, with its reason.
        assert not user.has_perm("mfa.delete_authenticator")
        assert not user.is_superuser
    # and the support tools are with the roles that use them
    assume = {role for role, user in users.items() if user.has_perm("accounts.assume_identity")}
    assert assume == {ops_roles.SUPPORT}
    mfa = {role for role, user in users.items() if user.has_perm("accounts.reset_mfa")}
    assert mfa == {ops_roles.ACCOUNT_SUPPORT, ops_roles.ADMINISTRATOR}
    # the read-only role writes nothing
    support = users[ops_roles.SUPPORT]
    assert not any(
        perm.split(".")[1].startswith(("add_", "change_", "delete_"))
        for perm in support.get_all_permissions()
    )


def test_a_role_holder_cannot_make_anyone_staff_superuser_or_give_roles(client, db):
    administrator = _ops(ops_roles.ADMINISTRATOR)
    broker = UserFactory(email="b@test.example", role=Role.BROKER)
    security = AuthGroup.objects.get(name=ops_roles.SECURITY)
    client.force_login(administrator)

    response = client.post(
        reverse("admin:accounts_user_change", args=[broker.pk]),
        {
            "email": broker.email,
            "first_name": "Changed",
            "last_name": broker.last_name,
            "role": Role.BROKER,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [security.pk],
            "support_actions-TOTAL_FORMS": "0",
            "support_actions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    broker.refresh_from_db()
    assert broker.first_name == "Changed"  # the form was saved ...
    assert not broker.is_staff and not broker.is_superuser  # ... but not the privileges
    assert not broker.groups.exists()


def test_the_platform_team_superuser_gives_roles(client, db):
    platform = User.objects.create_superuser("platform@carrier.example", "x-very-long-1")
    agent = _ops()
    client.force_login(platform)

    client.post(
        reverse("admin:accounts_user_change", args=[agent.pk]),
        {
            "email": agent.email,
            "first_name": agent.first_name,
            "last_name": agent.last_name,
            "role": Role.OPS,
            "is_active": "on",
            "is_staff": "on",
            "groups": [AuthGroup.objects.get(name=ops_roles.SECURITY).pk],
            "support_actions-TOTAL_FORMS": "0",
            "support_actions-INITIAL_FORMS": "0",
        },
    )

    assert list(agent.groups.values_list("name", flat=True)) == [ops_roles.SECURITY]


def test_members_of_a_retired_role_get_the_roles_that_replace_it(db):
    # given a database from before the split, with someone in the contracting role
    old = AuthGroup.objects.create(name="Ops: contracting")
    agent = UserFactory(role=Role.OPS, is_staff=True)
    agent.groups.add(old)

    # when the roles are synced (after every migrate)
    ops_roles.sync_ops_groups(sender=None)

    # then they hold the roles it was split into, and it is gone
    assert set(agent.groups.values_list("name", flat=True)) == {
        ops_roles.BROKER_SERVICES,
        ops_roles.PROVIDER_RELATIONS,
    }
    assert not AuthGroup.objects.filter(name="Ops: contracting").exists()
