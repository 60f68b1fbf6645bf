"""Manage Accounts: Update Account Information, Add New User, and View and Edit Users, with who
may manage whom (primary, secondary, group administrator, delegate) and the access each may give."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from employers import access, services
from employers.access import Access
from employers.models import EmployerAdmin
from portal.accounts.models import RegistrationToken, Role, User, UserStatus
from portal.accounts.services import RegistrationLinkError, registration_token_check
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from tests.factories import GroupFactory, UserFactory

USER_LIST = reverse("employers:user-list")
USER_CREATE = reverse("employers:user-create")
LINK = re.compile(r"https?://\S+/employers/register/complete/([\w-]+)/")
Level = EmployerAdmin.Level


def logged_in(client, user):
    client.force_login(user)
    return client


def detail(user):
    return reverse("employers:user-detail", args=[user.pk])


def everything_on(*groups):
    return Access(frozenset(g.pk for g in groups), access.ALL_FUNCTIONS)


def view_on(*groups):
    return Access(frozenset(g.pk for g in groups), frozenset({"enrollment_view"}))


def admin_user(cast, level, groups=(), *, by=None, functions=None, **fields):
    """A registered administrator of cast.employer's employer, made through the service."""
    user = UserFactory(role=Role.EMPLOYER_ADMIN, **fields)
    employer = cast.employer_groups[0].parent.employer
    admin = EmployerAdmin.objects.create(
        user=user, employer=employer, level=level, created_by=by or cast.employer
    )
    if groups:
        access.admin_access_set(
            admin,
            Access(
                frozenset(g.pk for g in groups),
                frozenset(functions or access.ALL_FUNCTIONS),
            ),
        )
    return user


def groupadmin_delegate(cast, **fields):
    """A delegate groupadmin@ created, on groupadmin@'s suffix."""
    return admin_user(cast, Level.DELEGATE, cast.employer_groups[:1], by=cast.groupadmin, **fields)


def create_data(**fields):
    data = {
        "email": "new.admin@employer.example",
        "first_name": "Nia",
        "last_name": "Okafor",
        "level": Level.GROUP_ADMIN,
        "functions": ["enrollment_view", "billing_view"],
    }
    data.update(fields)
    return data


# Add New User.


def test_the_primary_adds_a_group_administrator_who_is_emailed_a_link(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    group = cast.employer_groups[1]
    logged_in(client, cast.employer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            USER_CREATE,
            create_data(groups=[group.pk], notifications="on", email="New.Admin@Employer.example"),
        )

    user = User.objects.get(email="new.admin@employer.example")
    assert response.status_code == 302
    assert response["Location"] == detail(user)
    assert user.status == UserStatus.PENDING
    admin = user.employer_admin
    assert admin.level == Level.GROUP_ADMIN
    assert admin.created_by == cast.employer
    assert access.access_of(admin) == Access(
        frozenset({group.pk}),
        frozenset({"enrollment_view", "billing_view", "enrollment_notifications"}),
    )
    assert user.has_perm("enrollment.view_invoice", group)
    assert not user.has_perm("enrollment.pay_bill", group)
    assert not user.has_perm("enrollment.view_group", cast.employer_groups[0])
    [mail] = mailoutbox
    assert mail.to == ["new.admin@employer.example"]
    token = LINK.search(mail.body).group(1)
    assert registration_token_check(token, purposes=["employer_user"]).user == user
    assert AuditEvent.objects.filter(
        user=cast.employer, action=AuditEvent.Action.CHANGE, object_id=str(user.pk)
    ).exists()


def test_an_invited_user_registers_and_their_administrator_hears_of_it(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.employer_user_invite(
            employer=cast.employer_groups[0].parent.employer,
            email="tpa@thirdparty.example",
            first_name="Tia",
            last_name="Adams",
            level=Level.DELEGATE,
            access=view_on(cast.employer_groups[0]),
            by=cast.groupadmin,
        )
    path = reverse("employers:register-complete", args=[LINK.search(mailoutbox[0].body).group(1)])
    secret = client.get(path).context["totp_secret"]
    password = "a-long-new-password-2026"
    data = {
        "new_password1": password,
        "new_password2": password,
        "accept_terms": "on",
        "code": format_hotp_value(hotp_value(secret, int(time.time()) // 30)),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, data)

    assert "Your account is active" in response.text
    user = User.objects.get(email="tpa@thirdparty.example")
    assert user.status == UserStatus.ACTIVE
    assert Activity.objects.filter(
        recipient=cast.groupadmin, summary="Tia Adams completed registration."
    ).exists()


def test_a_duplicate_email_is_a_form_error_and_changes_nothing(cast, client, mailoutbox):
    logged_in(client, cast.employer)
    users_before = User.objects.count()

    response = client.post(
        USER_CREATE, create_data(email="GROUPADMIN@demo.test", groups=[cast.employer_groups[0].pk])
    )

    assert response.status_code == 200
    assert "A portal user with this email address already exists." in response.text
    assert 'role="alert"' in response.text
    assert User.objects.count() == users_before
    assert mailoutbox == []


def test_a_group_administrator_needs_a_group_and_a_function(cast, client):
    response = logged_in(client, cast.employer).post(
        USER_CREATE, create_data(groups=[], functions=[])
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"groups", "functions"}
    assert not User.objects.filter(email="new.admin@employer.example").exists()


def test_there_is_at_most_one_secondary_client_administrator(cast, client):
    logged_in(client, cast.employer)
    first = client.post(
        USER_CREATE, create_data(level=Level.SECONDARY, email="one@employer.example")
    )
    assert first.status_code == 302
    assert User.objects.get(email="one@employer.example").employer_admin.level == Level.SECONDARY

    # The form no longer offers it, and the service refuses it however it is asked.
    second = client.post(
        USER_CREATE, create_data(level=Level.SECONDARY, email="two@employer.example")
    )
    assert second.status_code == 200
    assert "level" in second.context["form"].errors
    with pytest.raises(ValidationError, match="can be only one"):
        services.employer_user_invite(
            employer=cast.employer_groups[0].parent.employer,
            email="two@employer.example",
            first_name="T",
            last_name="Wo",
            level=Level.SECONDARY,
            access=Access(),
            by=cast.employer,
        )
    assert not User.objects.filter(email="two@employer.example").exists()


def test_a_group_administrator_can_add_only_delegates(cast, client):
    response = logged_in(client, cast.groupadmin).get(USER_CREATE)
    assert [value for value, _ in response.context["form"].fields["level"].choices] == [
        Level.DELEGATE
    ]
    # Only their own suffix is offered.
    assert [value for value, _ in response.context["form"].fields["groups"].choices] == [
        str(cast.employer_groups[0].pk)
    ]
    refused = client.post(
        USER_CREATE, create_data(level=Level.GROUP_ADMIN, groups=[cast.employer_groups[0].pk])
    )
    assert "level" in refused.context["form"].errors


def test_a_delegate_cant_be_given_more_than_their_creator_holds(cast, client):
    # groupadmin@ views enrollment only, on the first suffix.
    access.admin_access_set(cast.groupadmin.employer_admin, view_on(cast.employer_groups[0]))
    logged_in(client, cast.groupadmin)

    sibling = client.post(
        USER_CREATE,
        create_data(
            level=Level.DELEGATE, groups=[cast.employer_groups[1].pk], functions=["enrollment_view"]
        ),
    )
    wider = client.post(
        USER_CREATE,
        create_data(
            level=Level.DELEGATE, groups=[cast.employer_groups[0].pk], functions=["billing_pay"]
        ),
    )

    assert "groups" in sibling.context["form"].errors
    assert "functions" in wider.context["form"].errors
    assert not User.objects.filter(email="new.admin@employer.example").exists()
    # The service refuses it too, whoever calls it.
    with pytest.raises(ValidationError, match="more access than"):
        services.employer_user_invite(
            employer=cast.employer_groups[0].parent.employer,
            email="x@employer.example",
            first_name="X",
            last_name="Y",
            level=Level.DELEGATE,
            access=everything_on(cast.employer_groups[0]),
            by=cast.groupadmin,
        )
    assert not User.objects.filter(email="x@employer.example").exists()


def test_the_primary_cant_widen_a_delegate_beyond_their_creator(cast):
    access.admin_access_set(cast.groupadmin.employer_admin, view_on(cast.employer_groups[0]))
    delegate = groupadmin_delegate(cast, functions=["enrollment_view"])

    with pytest.raises(ValidationError, match="more access than the administrator who created"):
        services.employer_user_access_change(
            admin=delegate.employer_admin,
            access=everything_on(*cast.employer_groups),
            by=cast.employer,
        )
    assert access.access_of(delegate.employer_admin) == view_on(cast.employer_groups[0])


def test_narrowing_a_group_administrator_narrows_their_delegates(cast):
    delegate = groupadmin_delegate(cast)
    assert delegate.has_perm("enrollment.pay_bill", cast.employer_groups[0])

    services.employer_user_access_change(
        admin=cast.groupadmin.employer_admin,
        access=view_on(cast.employer_groups[0]),
        by=cast.employer,
    )

    delegate = User.objects.get(pk=delegate.pk)
    assert not delegate.has_perm("enrollment.pay_bill", cast.employer_groups[0])
    assert access.access_of(delegate.employer_admin) == view_on(cast.employer_groups[0])


# Who sees whom.


def test_a_group_administrator_sees_only_their_own_delegates(cast, client):
    own = groupadmin_delegate(cast)
    admin_user(cast, Level.DELEGATE, cast.employer_groups[:1])  # the primary's delegate
    admin_user(cast, Level.GROUP_ADMIN, cast.employer_groups[1:2])

    response = logged_in(client, cast.groupadmin).get(USER_LIST)

    assert [admin.user for admin in response.context["page"].object_list] == [own]


def test_a_group_administrator_gets_404_for_another_suffixes_users(cast, client):
    sibling_admin = admin_user(cast, Level.GROUP_ADMIN, cast.employer_groups[1:2])
    sibling_delegate = admin_user(cast, Level.DELEGATE, cast.employer_groups[1:2], by=sibling_admin)
    logged_in(client, cast.groupadmin)

    for user in (sibling_admin, sibling_delegate, cast.employer, cast.employer2):
        assert client.get(detail(user)).status_code == 404
        posted = client.post(detail(user), {"first_name": "X", "last_name": "Y"})
        assert posted.status_code == 404
        for action in ("user-disable", "user-enable", "user-password-reset"):
            assert client.post(reverse(f"employers:{action}", args=[user.pk])).status_code == 404
    assert User.objects.get(pk=sibling_delegate.pk).is_active
    assert User.objects.get(pk=sibling_admin.pk).first_name != "X"


def test_another_employers_administrator_gets_404(cast, client):
    delegate = groupadmin_delegate(cast)
    logged_in(client, cast.employer2)
    assert client.get(detail(delegate)).status_code == 404
    assert client.post(reverse("employers:user-disable", args=[delegate.pk])).status_code == 404
    assert delegate.email not in client.get(USER_LIST).text


def test_the_secondary_cant_see_the_primary(cast, client):
    secondary = admin_user(cast, Level.SECONDARY)
    logged_in(client, secondary)
    assert client.get(detail(cast.employer)).status_code == 404
    assert client.get(detail(cast.groupadmin)).status_code == 200


def test_a_delegate_manages_nobody_but_updates_their_own_account(cast, client):
    delegate = groupadmin_delegate(cast)
    logged_in(client, delegate)

    assert client.get(USER_LIST).status_code == 403
    assert client.get(USER_CREATE).status_code == 403
    response = client.post(
        reverse("employers:account-update"),
        {"first_name": "Dee", "last_name": "Legate", "job_title": "TPA", "phone": "555-0100"},
    )
    assert response.status_code == 302
    admin = EmployerAdmin.objects.get(user=delegate)
    assert (admin.job_title, admin.phone, admin.user.first_name) == ("TPA", "555-0100", "Dee")


# View and Edit Users.


def test_the_list_shows_users_with_their_groups_and_status(cast, client):
    pending = services.employer_user_invite(
        employer=cast.employer_groups[0].parent.employer,
        email="pending@employer.example",
        first_name="Pen",
        last_name="Ding",
        level=Level.GROUP_ADMIN,
        access=view_on(*cast.employer_groups[1:]),
        by=cast.employer,
    ).user
    disabled = admin_user(cast, Level.GROUP_ADMIN, cast.employer_groups[:1], is_active=False)
    locked = admin_user(cast, Level.DELEGATE, cast.employer_groups[:1], locked_at=timezone.now())

    response = logged_in(client, cast.employer).get(USER_LIST)

    assert response.status_code == 200
    rows = {admin.user.email: admin.status_code for admin in response.context["page"].object_list}
    assert rows == {
        cast.groupadmin.email: UserStatus.ACTIVE,
        pending.email: UserStatus.PENDING,
        disabled.email: UserStatus.DISABLED,
        locked.email: UserStatus.LOCKED,
    }
    numbers = ", ".join(g.number for g in cast.employer_groups[1:])
    assert numbers in response.text
    assert "Pending registration" in response.text
    assert "4 users found, displaying all." in response.text


def test_the_list_searches_and_sorts(cast, client):
    admin_user(
        cast,
        Level.GROUP_ADMIN,
        cast.employer_groups[:1],
        email="ana@employer.example",
        last_name="Alvarez",
    )
    admin_user(
        cast, Level.SECONDARY, email="zed@employer.example", last_name="Zhou", is_active=False
    )
    logged_in(client, cast.employer)

    def emails(**query):
        return [a.user.email for a in client.get(USER_LIST, query).context["page"].object_list]

    assert emails(email="ANA@") == ["ana@employer.example"]
    assert emails(last_name="zh") == ["zed@employer.example"]
    assert emails(status="disabled") == ["zed@employer.example"]
    assert emails(sort="role")[0] == "zed@employer.example"
    assert emails(sort="-email")[0] == "zed@employer.example"
    assert emails(sort="nonsense")[0] == "ana@employer.example"
    assert 'aria-sort="descending"' in client.get(USER_LIST, {"sort": "-last_name"}).text
    assert "No users match your search." in client.get(USER_LIST, {"email": "zzz"}).text


def test_the_list_page_takes_the_same_queries_however_many_users(
    cast, client, django_assert_max_num_queries
):
    logged_in(client, cast.employer)
    with CaptureQueriesContext(connection) as few:
        client.get(USER_LIST)
    for n in range(20):
        admin_user(
            cast,
            Level.GROUP_ADMIN,
            cast.employer_groups[: 1 + n % 3],
            email=f"u{n:02}@employer.example",
        )

    # Session, user, the acting administrator, the count, the page, the pages' groups, and
    # the session save (begin, update, commit).
    with django_assert_max_num_queries(10):
        response = client.get(USER_LIST)

    assert len(response.context["page"].object_list) == 21
    with CaptureQueriesContext(connection) as many:
        client.get(USER_LIST)
    assert len(many) == len(few)


def test_htmx_search_gets_just_the_results(cast, client):
    response = logged_in(client, cast.employer).get(
        USER_LIST, {"email": "groupadmin"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="user-results"
    )
    assert response.text.lstrip().startswith('<div id="user-results">')
    assert "1 user found, displaying all." in response.text


def test_changing_access_takes_effect_on_the_users_next_request(cast, client):
    groupadmin_client = logged_in(Client(), cast.groupadmin)
    home = groupadmin_client.get(reverse("employers:home"))
    assert list(home.context["groups"]) == cast.employer_groups[:1]
    logged_in(client, cast.employer)

    response = client.post(
        detail(cast.groupadmin),
        {
            "first_name": "Jamie",
            "last_name": "Castellanos",
            "groups": [cast.employer_groups[1].pk, cast.employer_groups[2].pk],
            "functions": ["enrollment_view"],
        },
    )

    assert response.status_code == 302
    home = groupadmin_client.get(reverse("employers:home"))
    assert list(home.context["groups"]) == cast.employer_groups[1:]
    assert AuditEvent.objects.filter(user=cast.employer, object_id=str(cast.groupadmin.pk))
    assert Activity.objects.filter(
        recipient=cast.groupadmin, summary__contains="changed the access of"
    ).exists()


def test_the_detail_page_shows_the_current_access(cast, client):
    response = logged_in(client, cast.employer).get(detail(cast.groupadmin))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["groups"] == [str(cast.employer_groups[0].pk)]
    assert form.initial["functions"] == sorted(
        ["enrollment_view", "enrollment_perform", "billing_view", "billing_pay", "reports"]
    )
    assert form.initial["notifications"] is True
    assert "Disable User" in response.text


def test_a_crafted_group_of_another_employer_changes_nothing(cast, client):
    response = logged_in(client, cast.employer).post(
        detail(cast.groupadmin),
        {
            "first_name": "Jamie",
            "last_name": "Changed",
            "groups": [cast.other_employer_group.pk],
            "functions": ["enrollment_view"],
        },
    )
    assert response.status_code == 200
    assert "groups" in response.context["form"].errors
    groupadmin = User.objects.get(pk=cast.groupadmin.pk)
    assert groupadmin.last_name != "Changed"
    assert access.access_of(groupadmin.employer_admin).group_ids == {cast.employer_groups[0].pk}


def test_disabling_signs_the_user_out_on_their_next_request(cast):
    groupadmin_client = logged_in(Client(), cast.groupadmin)
    assert groupadmin_client.get(reverse("employers:home")).status_code == 200
    primary_client = logged_in(Client(), cast.employer)

    response = primary_client.post(reverse("employers:user-disable", args=[cast.groupadmin.pk]))

    assert response.status_code == 302
    assert User.objects.get(pk=cast.groupadmin.pk).status == UserStatus.DISABLED
    next_page = groupadmin_client.get(reverse("employers:home"))
    assert next_page.status_code == 302
    assert next_page["Location"].startswith(reverse("account_login"))
    assert not [
        s
        for s in Session.objects.all()
        if s.get_decoded().get(SESSION_KEY) == str(cast.groupadmin.pk)
    ]
    assert primary_client.get(USER_LIST).status_code == 200
    assert Activity.objects.filter(recipient=cast.groupadmin, summary__contains="disabled").exists()


def test_an_enabled_user_can_sign_in_again(cast, client):
    services.employer_user_disable(admin=cast.groupadmin.employer_admin, by=cast.employer)
    logged_in(client, cast.employer).post(
        reverse("employers:user-enable", args=[cast.groupadmin.pk])
    )
    assert User.objects.get(pk=cast.groupadmin.pk).status == UserStatus.ACTIVE
    assert Client().login(email=cast.groupadmin.email, password="portal-demo-2026")


def test_nobody_disables_themself(cast):
    with pytest.raises(ValidationError):
        services.employer_user_disable(admin=cast.employer.employer_admin, by=cast.employer)


def test_a_password_reset_email_goes_to_a_registered_user(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    logged_in(client, cast.employer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("employers:user-password-reset", args=[cast.groupadmin.pk]))
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == [cast.groupadmin.email]
    assert "/accounts/password/reset/key/" in mail.body


def test_a_pending_user_gets_a_new_registration_email_not_a_password_reset(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pending = services.employer_user_invite(
            employer=cast.employer_groups[0].parent.employer,
            email="pending@employer.example",
            first_name="Pen",
            last_name="Ding",
            level=Level.SECONDARY,
            access=Access(),
            by=cast.employer,
        ).user
    logged_in(client, cast.employer)

    with django_capture_on_commit_callbacks(execute=True):
        reset = client.post(
            reverse("employers:user-password-reset", args=[pending.pk]), follow=True
        )
        resend = client.post(
            reverse("employers:user-registration-resend", args=[pending.pk]), {"next": "list"}
        )

    assert "has no password to reset" in reset.text
    assert resend["Location"] == USER_LIST
    old, new = (LINK.search(m.body).group(1) for m in mailoutbox)
    with pytest.raises(RegistrationLinkError):
        registration_token_check(old, purposes=["employer_user"])
    assert registration_token_check(new, purposes=["employer_user"]).user == pending


def test_disabling_a_pending_user_stops_their_link(cast):
    pending = services.employer_user_invite(
        employer=cast.employer_groups[0].parent.employer,
        email="pending@employer.example",
        first_name="Pen",
        last_name="Ding",
        level=Level.DELEGATE,
        access=view_on(cast.employer_groups[0]),
        by=cast.employer,
    )
    services.employer_user_disable(admin=pending, by=cast.employer)
    assert not RegistrationToken.objects.filter(user=pending.user, revoked_at__isnull=True).exists()


def test_the_hub_links_to_reports(cast, client):
    response = logged_in(client, cast.groupadmin).get(reverse("employers:accounts-reports"))
    assert response.status_code == 200
    assert reverse("employers:report-list") in response.text
    assert reverse("employers:user-create") in response.text


def test_a_new_group_for_the_employer_is_not_given_to_group_administrators(cast):
    new_group = GroupFactory(parent=cast.employer_groups[0].parent, suffix="0099")
    assert not cast.groupadmin.has_perm("enrollment.view_group", new_group)
    assert cast.employer.has_perm("enrollment.view_group", new_group)


def test_a_change_is_told_to_the_user_and_to_the_primary(cast):
    delegate = groupadmin_delegate(cast)

    services.employer_user_disable(admin=delegate.employer_admin, by=cast.groupadmin)

    told = {a.recipient: a for a in Activity.objects.filter(summary__contains="disabled")}
    assert set(told) == {delegate, cast.employer}
    assert told[delegate].link == reverse("employers:account-update")
    assert told[cast.employer].link == detail(delegate)
    assert told[cast.employer].actor == cast.groupadmin
    assert AuditEvent.objects.filter(
        user=cast.groupadmin, action=AuditEvent.Action.CHANGE, object_id=str(delegate.pk)
    ).exists()


def test_the_services_refuse_a_user_out_of_reach_whoever_calls_them(cast):
    sibling = admin_user(cast, Level.GROUP_ADMIN, cast.employer_groups[1:2])
    target = sibling.employer_admin
    calls = [
        lambda: services.employer_user_disable(admin=target, by=cast.groupadmin),
        lambda: services.employer_user_enable(admin=target, by=cast.groupadmin),
        lambda: services.employer_user_name_change(
            admin=target, first_name="X", last_name="Y", by=cast.groupadmin
        ),
        lambda: services.employer_user_access_change(
            admin=target, access=view_on(cast.employer_groups[0]), by=cast.groupadmin
        ),
        lambda: services.employer_user_disable(admin=target, by=cast.employer2),
        lambda: services.employer_user_access_change(
            admin=cast.groupadmin.employer_admin,
            access=view_on(cast.employer_groups[1]),
            by=cast.groupadmin,
        ),
    ]
    for call in calls:
        with pytest.raises(ValidationError):
            call()
    sibling = User.objects.get(pk=sibling.pk)
    assert sibling.is_active and sibling.first_name != "X"
