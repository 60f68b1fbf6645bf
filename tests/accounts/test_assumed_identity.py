"""Assumed Identity: a support agent sees the portal exactly as a user does, read-only, for 30
minutes at most, with a banner on every page and every page in the audit log under the agent."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group as AuthGroup
from django.urls import reverse

from billing.models import PaymentAccount
from portal.accounts import ops_roles
from portal.accounts.assumed_identity import SESSION_KEY
from portal.accounts.models import Role, SupportAction, User
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from portal.jobs.models import ReportJob
from tests.factories import UserFactory

BANNER = "You are viewing the portal as"
START = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)


def _assume_url(user):
    return reverse("admin:accounts_user_assume", args=[user.pk])


END_URL = reverse("admin:accounts_user_assume_end")


@pytest.fixture
def agent(db):
    user = UserFactory(email="agent@carrier.example", role=Role.OPS, is_staff=True)
    user.groups.add(AuthGroup.objects.get(name=ops_roles.SUPPORT))
    return user


def _start(client, agent, user, reason="Caller cannot find their bill; ticket 4411"):
    client.force_login(agent)
    return client.post(_assume_url(user), {"reason": reason})


def test_the_agent_sees_the_users_portal_with_a_banner(client, cast, agent):
    response = _start(client, agent, cast.broker)

    assert response.status_code == 302
    home = client.get(response["Location"], follow=True)
    assert home.redirect_chain[-1][0] == reverse("brokers:home")
    page = home.content.decode()
    assert BANNER in page
    assert "broker@demo.test" in page and "read-only" in page
    assert f'action="{END_URL}"' in page
    assert home.wsgi_request.user == cast.broker
    # Every page carries the banner, the user's own scope applies, other tenants stay 404.
    own = cast.members[cast.employer_groups[0].number]
    detail = client.get(reverse("brokers:subscriber-detail", args=[own.pk]))
    assert detail.status_code == 200 and BANNER in detail.content.decode()
    other_tenant = cast.members[cast.other_employer_group.number]
    assert (
        client.get(reverse("brokers:subscriber-detail", args=[other_tenant.pk])).status_code == 404
    )


def test_the_start_is_recorded_with_its_reason(client, cast, agent):
    _start(client, agent, cast.employer, reason="Verified by phone, ticket 17")

    action = SupportAction.objects.get()
    assert (action.kind, action.agent, action.user) == ("assume_identity", agent, cast.employer)
    assert action.reason == "Verified by phone, ticket 17"
    assert action.ended_at is None


def test_every_page_seen_is_audited_under_the_agent_as_the_user(client, cast, agent):
    _start(client, agent, cast.broker)
    action = SupportAction.objects.get()
    member = cast.members[cast.employer_groups[0].number]
    before = AuditEvent.objects.count()

    client.get(reverse("brokers:group-list"))
    client.get(reverse("brokers:subscriber-detail", args=[member.pk]))

    new = AuditEvent.objects.order_by("pk")[before:]
    assert {(e.user_id, e.acting_as_id) for e in new} == {(agent.pk, cast.broker.pk)}
    pages = [e.path for e in new if e.object_type == "accounts.SupportAction"]
    assert pages == [
        reverse("brokers:group-list"),
        reverse("brokers:subscriber-detail", args=[member.pk]),
    ]
    assert all(
        e.object_id == str(action.pk) for e in new if e.object_type == "accounts.SupportAction"
    )
    # The page's own audit of member data is the agent's too, never the broker's.
    assert any(e.object_type == "enrollment.Member" and e.object_id == str(member.pk) for e in new)
    assert not AuditEvent.objects.filter(user=cast.broker).exists()


def test_an_assumed_session_cannot_write(client, cast, agent):
    _start(client, agent, cast.employer)
    counts = (
        User.objects.count(),
        PaymentAccount.objects.count(),
        ReportJob.objects.count(),
        Activity.objects.count(),
    )
    attempts = [
        ("post", reverse("employers:user-create"), {"email": "new@test.example"}),
        ("post", reverse("employers:payment-account-add"), {"nickname": "Mine"}),
        ("post", reverse("employers:account-update"), {"name": "Changed"}),
        ("post", reverse("jobs:job-create"), {"kind": "employer_roster"}),
        ("post", reverse("account_logout"), {}),
        ("put", reverse("employers:home"), {}),
        ("patch", reverse("employers:home"), {}),
        ("delete", reverse("employers:home"), {}),
    ]

    for method, url, data in attempts:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert "Read-only while you assume an identity" in page
        assert BANNER in page

    assert counts == (
        User.objects.count(),
        PaymentAccount.objects.count(),
        ReportJob.objects.count(),
        Activity.objects.count(),
    )
    # Still assuming (logout was refused too), and reads still work.
    assert BANNER in client.get(reverse("employers:home")).content.decode()


def test_it_ends_by_itself_after_30_minutes(client, cast, agent):
    with time_machine.travel(START, tick=False) as traveller:
        _start(client, agent, cast.broker)
        for _ in range(2):
            traveller.shift(datetime.timedelta(minutes=14, seconds=59))
            response = client.get(reverse("brokers:home"))
            assert response.status_code == 200 and BANNER in response.content.decode()

        traveller.shift(datetime.timedelta(seconds=2))  # 30 minutes after the start
        response = client.get(reverse("brokers:home"))

        assert response.status_code == 302
        assert response["Location"] == reverse("admin:accounts_user_change", args=[cast.broker.pk])
        action = SupportAction.objects.get()
        assert action.ended_at == START + datetime.timedelta(minutes=30)
        # The agent is themselves again, in the admin, and no longer sees the broker's portal.
        page = client.get(response["Location"])
        assert page.status_code == 200 and page.wsgi_request.user == agent
        assert "has ended" in page.content.decode()
        assert SESSION_KEY not in client.session
        assert client.get(reverse("brokers:home")).status_code == 404


def test_ending_restores_the_agents_own_session(client, cast, agent):
    client.force_login(agent)
    session = client.session
    session["agent_own_key"] = "kept"
    session.save()
    client.post(_assume_url(cast.broker), {"reason": "ticket 9"})
    client.get(reverse("brokers:home"))
    session = client.session
    session["set_while_assuming"] = "dropped"
    session.save()

    response = client.post(END_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_user_change", args=[cast.broker.pk])
    session = client.session
    assert session["agent_own_key"] == "kept"
    assert "set_while_assuming" not in session and SESSION_KEY not in session
    assert SupportAction.objects.get().ended_at is not None
    page = client.get(response["Location"])
    assert page.wsgi_request.user == agent and BANNER not in page.content.decode()


def test_a_reason_is_required(client, cast, agent):
    client.force_login(agent)

    response = client.post(_assume_url(cast.broker), {"reason": "   "})

    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    assert not SupportAction.objects.exists()
    assert SESSION_KEY not in client.session


def test_the_start_page_asks_for_the_reason(client, cast, agent):
    client.force_login(agent)

    response = client.get(_assume_url(cast.broker))

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    # And the user's admin page offers the tool.
    change = client.get(reverse("admin:accounts_user_change", args=[cast.broker.pk]))
    assert _assume_url(cast.broker) in change.content.decode()


def test_ops_without_the_permission_are_refused(client, cast):
    # cast.ops holds the administrator and security roles, not support's Assumed Identity.
    client.force_login(cast.ops)

    assert client.get(_assume_url(cast.broker)).status_code == 403
    assert client.post(_assume_url(cast.broker), {"reason": "x"}).status_code == 403
    assert not SupportAction.objects.exists()
    change = client.get(reverse("admin:accounts_user_change", args=[cast.broker.pk]))
    assert _assume_url(cast.broker) not in change.content.decode()


@pytest.mark.parametrize("role", ["broker", "employer", "provider", "staff"])
def test_portal_users_cannot_start_it(client, cast, role):
    client.force_login(getattr(cast, role))

    response = client.post(_assume_url(cast.employer2), {"reason": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not SupportAction.objects.exists()
    assert SESSION_KEY not in client.session


def test_ops_users_and_superusers_cannot_be_assumed(client, cast, agent):
    superuser = User.objects.create_superuser("platform@carrier.example", "x-very-long-1")
    disabled = UserFactory(email="gone@test.example", is_active=False)
    client.force_login(agent)

    for target in (cast.ops, superuser, agent, disabled):
        assert client.post(_assume_url(target), {"reason": "x"}).status_code == 403
    assert not SupportAction.objects.exists()


def test_an_agent_who_loses_the_permission_is_put_back_at_once(client, cast, agent):
    _start(client, agent, cast.broker)
    agent.groups.clear()

    response = client.get(reverse("brokers:home"))

    assert response.status_code == 302
    assert SupportAction.objects.get().ended_at is not None
    assert SESSION_KEY not in client.session


def test_one_left_open_by_a_timed_out_session_is_closed_at_the_next_start(client, cast, agent):
    with time_machine.travel(START, tick=False) as traveller:
        _start(client, agent, cast.broker)
        client.logout()  # the agent's session timed out without an End
        traveller.shift(datetime.timedelta(hours=2))

        _start(client, agent, cast.employer)

    first, second = SupportAction.objects.order_by("at")
    assert first.ended_at == START + datetime.timedelta(minutes=30)
    assert second.ended_at is None


def test_assuming_adds_a_fixed_few_queries_to_a_page(client, cast, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("brokers:group-list")
    client.force_login(cast.broker)
    client.get(url)
    with CaptureQueriesContext(connection) as as_broker:
        assert client.get(url).status_code == 200
    _start(client, agent, cast.broker)
    client.get(url)

    with CaptureQueriesContext(connection) as assumed:
        assert client.get(url).status_code == 200

    # The agent's permissions (two), the assumed identity's row, its audit row; the session
    # and user lookups are the same as the broker's own.
    assert len(assumed) == len(as_broker) + 4


def test_the_users_own_sign_in_settings_stay_private(client, cast, agent):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(cast.broker)
    _start(client, agent, cast.broker)

    for name in (
        "mfa_index",
        "mfa_view_recovery_codes",
        "account_email",
        "account_change_password",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
        assert "stay private" in response.content.decode()


def test_an_htmx_write_reloads_the_page_with_the_reason(client, cast, agent):
    _start(client, agent, cast.employer)

    response = client.post(reverse("employers:user-create"), {}, headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    page = client.get(reverse("employers:home")).content.decode()
    assert "Read-only: you are viewing the portal as someone else." in page


def test_one_at_a_time_starting_another_elsewhere_ends_the_first(client, cast, agent):
    from django.test import Client

    _start(client, agent, cast.broker)
    elsewhere = Client()
    _start(elsewhere, agent, cast.employer)

    response = client.get(reverse("brokers:home"))

    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert SESSION_KEY not in client.session
    first, second = SupportAction.objects.order_by("pk")
    assert first.ended_at is not None and second.ended_at is None
    assert BANNER in elsewhere.get(reverse("employers:home")).content.decode()
