"""Manage Accounts: a broker's office staff users, their status and their tools."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brokers import access, selectors
from brokers.access import Tool
from brokers.services import (
    office_staff_add,
    office_staff_disable,
    office_staff_invite,
    office_staff_registration_resend,
)
from portal.accounts.models import RegistrationToken, Role, User, UserStatus
from portal.accounts.services import RegistrationLinkError, registration_token_check
from portal.audit.models import AuditEvent
from tests.factories import UserFactory

STAFF_LIST = reverse("brokers:staff-list")
LINK = re.compile(r"https?://\S+/brokers/register/complete/([\w-]+)/")


def logged_in(client, user):
    client.force_login(user)
    return client


def staff_user(broker_user, **fields):
    """A registered staff user in the office of `broker_user`."""
    user = UserFactory(role=Role.BROKER_STAFF, **fields)
    return office_staff_add(broker=access.broker_for(broker_user), user=user)


def pending_staff_user(broker_user, email="new.staff@agency.example"):
    return office_staff_invite(
        broker=access.broker_for(broker_user),
        email=email,
        first_name="Nia",
        last_name="Okafor",
        tools=[Tool.BOOK_OF_BUSINESS],
        by=broker_user,
    )


def registration_tokens(mails):
    return [LINK.search(mail.body).group(1) for mail in mails]


def test_the_broker_creates_a_staff_user_who_is_emailed_a_registration_link(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    logged_in(client, cast.broker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("brokers:staff-create"),
            {
                "email": "Nia.Okafor@Agency.example",
                "first_name": "Nia",
                "last_name": "Okafor",
                "tools": [Tool.BOOK_OF_BUSINESS, Tool.COMMISSION_STATEMENTS],
            },
        )

    user = User.objects.get(email="nia.okafor@agency.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("brokers:staff-detail", args=[user.pk])
    assert user.role == Role.BROKER_STAFF
    assert user.status == UserStatus.PENDING
    assert access.broker_for(user) == access.broker_for(cast.broker)
    assert selectors.staff_tools_of(user) == {Tool.BOOK_OF_BUSINESS, Tool.COMMISSION_STATEMENTS}
    [mail] = mailoutbox
    assert mail.to == ["nia.okafor@agency.example"]
    [token] = registration_tokens([mail])
    assert registration_token_check(token, purposes=["broker_staff"]).user == user
    assert AuditEvent.objects.filter(
        user=cast.broker, action=AuditEvent.Action.CHANGE, object_id=str(user.pk)
    ).exists()


def test_a_duplicate_email_is_a_form_error_and_changes_nothing(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    logged_in(client, cast.broker)
    users_before = User.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("brokers:staff-create"),
            {"email": "STAFF@demo.test", "first_name": "A", "last_name": "B"},
        )

    assert response.status_code == 200
    assert "A portal user with this email address already exists." in response.text
    assert User.objects.count() == users_before
    assert mailoutbox == []


def test_the_list_shows_the_office_staff_with_their_status(cast, client):
    pending = pending_staff_user(cast.broker)
    locked = staff_user(cast.broker, locked_at=timezone.now())
    disabled = staff_user(cast.broker, is_active=False)
    staff_user(cast.broker2)  # another office's

    response = logged_in(client, cast.broker).get(STAFF_LIST)

    assert response.status_code == 200
    assert "4 items found, displaying all items." in response.text
    rows = {user.email: user.status_code for user in response.context["page"].object_list}
    assert rows == {
        cast.staff.email: UserStatus.ACTIVE,
        pending.email: UserStatus.PENDING,
        locked.email: UserStatus.LOCKED,
        disabled.email: UserStatus.DISABLED,
    }
    assert "Pending registration" in response.text
    assert cast.broker.email not in rows


def test_the_list_searches_by_email_or_last_name_and_filters_by_status(cast, client):
    logged_in(client, cast.broker)
    staff_user(cast.broker, email="ana.alvarez@agency.example", last_name="Alvarez")
    staff_user(cast.broker, email="bo.baker@agency.example", last_name="Baker", is_active=False)

    def emails(**query):
        response = client.get(STAFF_LIST, query)
        return [user.email for user in response.context["page"].object_list]

    assert emails(email="ALVAREZ@") == ["ana.alvarez@agency.example"]
    assert emails(last_name="bak") == ["bo.baker@agency.example"]
    assert emails(last_name="aker") == []  # last name matches from its start
    assert emails(status="disabled") == ["bo.baker@agency.example"]
    assert emails(status="active", email="agency.example") == ["ana.alvarez@agency.example"]
    assert "No users match your search." in client.get(STAFF_LIST, {"email": "zzz"}).text


def test_the_list_sorts_by_each_column_both_ways(cast, client):
    logged_in(client, cast.broker)
    staff_user(cast.broker, email="a@agency.example", last_name="Zhou", first_name="Yan")
    staff_user(cast.broker, email="b@agency.example", last_name="Adams", first_name="Zoe")

    def emails(sort):
        response = client.get(STAFF_LIST, {"sort": sort})
        return [user.email for user in response.context["page"].object_list]

    everyone = ["a@agency.example", "b@agency.example", "staff@demo.test"]
    assert emails("email") == everyone
    assert emails("-email") == everyone[::-1]
    assert emails("last_name")[:1] == ["b@agency.example"]
    assert emails("-last_name")[:1] == ["a@agency.example"]
    assert emails("-first_name")[:1] == ["b@agency.example"]
    assert emails("-created")[:1] == ["b@agency.example"]
    assert emails("nonsense") == everyone
    response = client.get(STAFF_LIST, {"sort": "-last_name"})
    assert 'aria-sort="descending"' in response.text


def test_the_list_pages_by_25(cast, client):
    for n in range(30):
        staff_user(cast.broker, email=f"user{n:02}@agency.example")
    logged_in(client, cast.broker)

    first = client.get(STAFF_LIST)
    second = client.get(STAFF_LIST, {"page": 2})

    assert "31 items found, displaying 1 to 25." in first.text
    assert "Page 1/2" in first.text
    assert "31 items found, displaying 26 to 31." in second.text
    assert len(second.context["page"].object_list) == 6


def test_the_list_page_takes_the_same_queries_however_many_users(
    cast, client, django_assert_max_num_queries
):
    logged_in(client, cast.broker)
    with CaptureQueriesContext(connection) as few:
        client.get(STAFF_LIST)
    for n in range(20):
        staff_user(cast.broker, email=f"user{n:02}@agency.example")
    pending_staff_user(cast.broker)

    # Session, user, the broker with its Broker IDs (for the layout's picker), the count, the
    # page and the session save (begin, update, commit). A broker's tools cost no query.
    with django_assert_max_num_queries(8):
        response = client.get(STAFF_LIST)

    assert len(response.context["page"].object_list) == 22
    with CaptureQueriesContext(connection) as many:
        client.get(STAFF_LIST)
    assert len(many) == len(few)


def test_htmx_search_gets_just_the_results(cast, client):
    response = logged_in(client, cast.broker).get(
        STAFF_LIST, {"email": "staff"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="staff-results"
    )
    assert response.text.lstrip().startswith('<div id="staff-results">')
    assert "1 item found, displaying all items." in response.text


def test_changing_tools_changes_what_the_staff_user_may_use(cast, client):
    assert cast.staff.has_perm(Tool.BOOK_OF_BUSINESS)
    logged_in(client, cast.broker)

    response = client.post(
        reverse("brokers:staff-detail", args=[cast.staff.pk]),
        {"first_name": "Sam", "last_name": "Rivera", "tools": [Tool.COMMISSION_STATEMENTS]},
    )

    assert response.status_code == 302
    staff = User.objects.get(pk=cast.staff.pk)
    assert (staff.first_name, staff.last_name) == ("Sam", "Rivera")
    assert staff.has_perm(Tool.COMMISSION_STATEMENTS)
    assert not staff.has_perm(Tool.BOOK_OF_BUSINESS)
    assert not staff.has_perm(Tool.ELIGIBILITY)


def test_the_detail_page_shows_the_current_tools(cast, client):
    response = logged_in(client, cast.broker).get(
        reverse("brokers:staff-detail", args=[cast.staff.pk])
    )
    assert response.status_code == 200
    assert sorted(response.context["form"].initial["tools"]) == sorted(
        [Tool.BOOK_OF_BUSINESS, Tool.ELIGIBILITY]
    )
    assert "Disable User" in response.text
    assert "Send Password Reset Email" in response.text


def test_disabling_ends_the_staff_users_session_at_once(cast):
    staff_client = logged_in(Client(), cast.staff)
    assert staff_client.get(reverse("brokers:home")).status_code == 200
    broker_client = logged_in(Client(), cast.broker)

    response = broker_client.post(reverse("brokers:staff-disable", args=[cast.staff.pk]))

    assert response.status_code == 302
    assert User.objects.get(pk=cast.staff.pk).status == UserStatus.DISABLED
    next_page = staff_client.get(reverse("brokers:home"))
    assert next_page.status_code == 302
    assert next_page["Location"].startswith(reverse("account_login"))
    staff_sessions = [
        s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(cast.staff.pk)
    ]
    assert staff_sessions == []
    # The broker's own session is untouched.
    assert broker_client.get(STAFF_LIST).status_code == 200


def test_an_enabled_user_can_sign_in_again(cast, client):
    office_staff_disable(user=cast.staff, by=cast.broker)
    logged_in(client, cast.broker)

    client.post(reverse("brokers:staff-enable", args=[cast.staff.pk]))

    assert User.objects.get(pk=cast.staff.pk).status == UserStatus.ACTIVE
    assert Client().login(email=cast.staff.email, password="portal-demo-2026")


def test_disabling_a_pending_user_stops_their_registration_link(cast, mailoutbox):
    pending = pending_staff_user(cast.broker)
    assert RegistrationToken.objects.filter(user=pending, revoked_at__isnull=True).exists()

    office_staff_disable(user=pending, by=cast.broker)

    assert not RegistrationToken.objects.filter(user=pending, revoked_at__isnull=True).exists()


def test_a_password_reset_email_lets_a_locked_user_back_in(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=cast.staff.pk).update(locked_at=timezone.now(), failed_login_count=5)
    logged_in(client, cast.broker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("brokers:staff-password-reset", args=[cast.staff.pk]))

    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == [cast.staff.email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.body).group(1)
    # The person follows the link in their own browser and chooses a new password.
    person = Client()
    form_page = person.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a-fresh-office-passphrase"
    done = person.post(
        form_page.redirect_chain[-1][0],
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == 302
    staff = User.objects.get(pk=cast.staff.pk)
    assert staff.status == UserStatus.ACTIVE
    assert staff.check_password(new_password)


def test_a_pending_user_gets_no_password_reset(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    pending = pending_staff_user(cast.broker)
    logged_in(client, cast.broker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("brokers:staff-password-reset", args=[pending.pk]), follow=True
        )

    assert "has no password to reset" in response.text
    assert mailoutbox == []


def test_resending_the_registration_email_kills_the_old_link(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pending = pending_staff_user(cast.broker)
    logged_in(client, cast.broker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("brokers:staff-registration-resend", args=[pending.pk]), {"next": "list"}
        )

    assert response["Location"] == STAFF_LIST
    old, new = registration_tokens(mailoutbox)
    with pytest.raises(RegistrationLinkError) as error:
        registration_token_check(old, purposes=["broker_staff"])
    assert error.value.reason == RegistrationLinkError.REPLACED
    assert registration_token_check(new, purposes=["broker_staff"]).user == pending


def test_a_registered_user_gets_no_new_registration_email(cast, mailoutbox):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        office_staff_registration_resend(user=cast.staff, by=cast.broker)


@pytest.mark.parametrize(
    "url_name", ["staff-detail", "staff-disable", "staff-enable", "staff-password-reset"]
)
@pytest.mark.parametrize("outsider", ["sibling_office_staff", "other_tenant_staff"])
def test_another_offices_staff_answers_404(cast, client, url_name, outsider):
    outsider = getattr(cast, outsider)
    url = reverse(f"brokers:{url_name}", args=[outsider.pk])
    logged_in(client, cast.broker)

    response = client.get(url) if url_name == "staff-detail" else client.post(url)

    assert response.status_code == 404
    assert User.objects.get(pk=outsider.pk).is_active


@pytest.mark.parametrize("target", ["broker", "upline", "employer"])
def test_users_who_are_not_the_offices_staff_answer_404(cast, client, target):
    logged_in(client, cast.broker)
    user = getattr(cast, target)
    assert client.get(reverse("brokers:staff-detail", args=[user.pk])).status_code == 404
    assert client.post(reverse("brokers:staff-disable", args=[user.pk])).status_code == 404
    assert User.objects.get(pk=user.pk).is_active


def test_staff_without_manage_accounts_get_403(cast, client):
    logged_in(client, cast.staff)
    assert client.get(STAFF_LIST).status_code == 403
    assert client.get(reverse("brokers:staff-create")).status_code == 403
    assert client.get(reverse("brokers:upline-access")).status_code == 403
    other = staff_user(cast.broker)
    assert client.post(reverse("brokers:staff-disable", args=[other.pk])).status_code == 403
    assert User.objects.get(pk=other.pk).is_active


def test_other_audiences_get_404(cast, client):
    logged_in(client, cast.employer)
    assert client.get(STAFF_LIST).status_code == 404


@pytest.fixture
def staff_manager(cast):
    """The cast's staff user, given Manage Accounts (and not Commission Statements)."""
    cast.staff.user_permissions.add(*access.tool_permissions([Tool.MANAGE_ACCOUNTS]))
    return User.objects.get(pk=cast.staff.pk)


def test_a_staff_manager_manages_the_other_staff(cast, client, staff_manager):
    other = staff_user(cast.broker)
    logged_in(client, staff_manager)

    assert client.get(STAFF_LIST).status_code == 200
    assert client.post(reverse("brokers:staff-disable", args=[other.pk])).status_code == 302
    assert User.objects.get(pk=other.pk).status == UserStatus.DISABLED


def test_a_staff_manager_cannot_change_their_own_user(cast, client, staff_manager):
    logged_in(client, staff_manager)

    page = client.get(reverse("brokers:staff-detail", args=[staff_manager.pk]))
    assert page.status_code == 200
    assert "This is your own user." in page.text
    assert "Disable User" not in page.text
    for name in ("staff-disable", "staff-password-reset", "staff-detail"):
        response = client.post(reverse(f"brokers:{name}", args=[staff_manager.pk]))
        assert response.status_code == 403, name
    assert User.objects.get(pk=staff_manager.pk).is_active


def test_a_staff_manager_grants_only_the_tools_they_hold(cast, client, staff_manager):
    other = staff_user(cast.broker)
    other.user_permissions.set(access.tool_permissions([Tool.COMMISSION_STATEMENTS]))
    logged_in(client, staff_manager)

    page = client.get(reverse("brokers:staff-detail", args=[other.pk]))
    offered = [tool for tool, _label in page.context["form"].fields["tools"].choices]
    assert Tool.COMMISSION_STATEMENTS not in offered
    refused = client.post(
        reverse("brokers:staff-detail", args=[other.pk]),
        {"first_name": "A", "last_name": "B", "tools": [Tool.COMMISSION_STATEMENTS]},
    )
    assert refused.status_code == 200
    assert selectors.staff_tools_of(other) == {Tool.COMMISSION_STATEMENTS}
    client.post(
        reverse("brokers:staff-detail", args=[other.pk]),
        {"first_name": "A", "last_name": "B", "tools": [Tool.BOOK_OF_BUSINESS]},
    )

    # What the manager may not hand out stays as the broker left it; the rest is theirs to set.
    assert selectors.staff_tools_of(other) == {Tool.BOOK_OF_BUSINESS, Tool.COMMISSION_STATEMENTS}
    client.post(
        reverse("brokers:staff-detail", args=[other.pk]),
        {"first_name": "A", "last_name": "B", "tools": []},
    )
    assert selectors.staff_tools_of(other) == {Tool.COMMISSION_STATEMENTS}


def test_a_staff_manager_sees_the_upline_access_but_cannot_change_it(cast, client, staff_manager):
    logged_in(client, staff_manager)

    page = client.get(reverse("brokers:upline-access"))
    assert page.status_code == 200
    assert "Only your broker can change what the upline sees." in page.text
    response = client.post(
        reverse("brokers:upline-access"), {"action": "grant", "rosters_allowed": "on"}
    )
    assert response.status_code == 403
    # The cast's broker allowed group details only; the refused POST changed nothing.
    assert not selectors.upline_access_for(cast.broker).rosters_allowed
