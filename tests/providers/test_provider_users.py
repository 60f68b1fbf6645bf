"""My Account → Create New User and Manage Users: a delegated administrator creates end users
and other administrators of their office, and manages them; nobody else may."""

import re

import pytest
from celery.app.task import Task
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.accounts.models import Role, User, UserStatus
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from providers import selectors, user_admin
from providers.models import ProviderUser
from providers.services import provider_user_add
from tests import factories as f

pytestmark = pytest.mark.django_db

USER_LIST = reverse("providers:user-list")
USER_CREATE = reverse("providers:user-create")
PASSWORD_LINE = re.compile(r"^([A-Za-z0-9]{16})$", re.M)


def logged_in(client, user):
    client.force_login(user)
    return client


def detail(user):
    return reverse("providers:user-detail", args=[user.pk])


def create_data(cast, **fields):
    data = {
        "email": "new.clerk@valley.example",
        "first_name": "Noor",
        "last_name": "Castillo",
        "kind": "end_user",
        "tax_ids": [cast.tax_ids[1].pk],
        "functions": ["inquire_claims"],
    }
    data.update(fields)
    return data


def end_user(cast, email, tax_ids=None, functions=(), **names):
    user = f.UserFactory(email=email, role=Role.PROVIDER_USER, **names)
    return provider_user_add(
        organization=cast.tax_ids[0].organization,
        user=user,
        tax_ids=cast.tax_ids[:1] if tax_ids is None else tax_ids,
        functions=functions,
        by=cast.provider,
    )


# Create New User.


def test_an_administrator_creates_an_end_user_who_gets_two_separate_emails(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    logged_in(client, cast.provider)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(USER_CREATE, create_data(cast, email="New.Clerk@Valley.example"))

    user = User.objects.get(email="new.clerk@valley.example")
    assert response.status_code == 302
    assert response["Location"] == detail(user)
    profile = user.provider_user
    assert user.role == Role.PROVIDER_USER
    assert profile.organization == cast.tax_ids[0].organization
    assert profile.must_change_password and not profile.is_delegated_admin
    assert profile.created_by == cast.provider
    assert user.has_perm("providers.check_eligibility", cast.tax_ids[1])
    assert user.has_perm("providers.inquire_claims", cast.tax_ids[1])
    assert not user.has_perm("providers.check_authorizations", cast.tax_ids[1])
    assert not user.has_perm("providers.check_eligibility", cast.tax_ids[0])
    # The user name in one message, the temporary password in another; never together.
    username_mail, password_mail = mailoutbox
    assert username_mail.to == password_mail.to == ["new.clerk@valley.example"]
    assert "your user name" in username_mail.subject
    assert "new.clerk@valley.example" in username_mail.body
    password = PASSWORD_LINE.search(password_mail.body).group(1)
    assert password not in username_mail.body
    assert password not in username_mail.alternatives[0][0]
    assert "new.clerk@valley.example" not in password_mail.body
    assert "new.clerk@valley.example" not in password_mail.alternatives[0][0]
    assert password in password_mail.alternatives[0][0]
    assert user.check_password(password)
    assert AuditEvent.objects.filter(
        user=cast.provider, action=AuditEvent.Action.CHANGE, object_id=str(user.pk)
    ).exists()
    assert Activity.objects.filter(
        recipient=cast.provider,
        summary=f"{cast.provider.display_name} created Noor Castillo (an end user).",
        link=detail(user),
    ).exists()


def test_individual_providers_under_the_chosen_tax_ids_are_kept(cast, client):
    practitioner = f.PractitionerFactory(organization=cast.tax_ids[1].organization)
    practitioner.tax_ids.add(cast.tax_ids[1])
    logged_in(client, cast.provider)

    response = client.post(
        USER_CREATE,
        create_data(cast, individual_providers="on", practitioners=[practitioner.pk]),
    )

    assert response.status_code == 302
    profile = ProviderUser.objects.get(user__email="new.clerk@valley.example")
    assert list(profile.practitioners.all()) == [practitioner]


def test_a_provider_outside_the_chosen_tax_ids_is_refused_and_nothing_is_created(cast, client):
    practitioner = f.PractitionerFactory(organization=cast.tax_ids[0].organization)
    practitioner.tax_ids.add(cast.tax_ids[0])
    logged_in(client, cast.provider)

    response = client.post(
        USER_CREATE,
        create_data(cast, individual_providers="on", practitioners=[practitioner.pk]),
    )

    assert response.status_code == 200
    assert "Choose only providers who bill under the chosen Tax IDs" in response.text
    assert not User.objects.filter(email="new.clerk@valley.example").exists()


def test_an_administrator_creates_another_administrator_without_patient_access(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    logged_in(client, cast.provider)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            USER_CREATE,
            create_data(
                cast, kind="admin", tax_ids=[], functions=[], email="admin2@valley.example"
            ),
        )

    assert response.status_code == 302
    user = User.objects.get(email="admin2@valley.example")
    assert user.provider_user.is_delegated_admin
    assert not user.has_perm("providers.check_eligibility", cast.tax_ids[0])
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tax_ids": []}, "Choose at least one Tax ID."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "provideruser@demo.test"}, "A portal user with this email address already"),
        ({"functions": ["pay_bill"]}, "Select a valid choice."),
        ({"kind": "superuser"}, "Select a valid choice."),
        ({"first_name": ""}, "This field is required."),
    ],
)
def test_bad_input_is_a_clear_message_and_nothing_changes(
    cast, client, mailoutbox, fields, message
):
    logged_in(client, cast.provider)
    users_before = User.objects.count()

    response = client.post(USER_CREATE, create_data(cast, **fields))

    assert response.status_code == 200
    assert message in response.text
    assert "Nothing has been saved yet." in response.text
    assert User.objects.count() == users_before
    assert mailoutbox == []


def test_another_organizations_tax_id_is_not_a_choice(cast, client):
    logged_in(client, cast.provider)

    response = client.post(USER_CREATE, create_data(cast, tax_ids=[cast.other_tax_id.pk]))

    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert not User.objects.filter(email="new.clerk@valley.example").exists()


def test_the_service_refuses_another_organizations_tax_id(cast):
    with pytest.raises(user_admin.ValidationError):
        user_admin.provider_user_create(
            email="x@valley.example",
            first_name="X",
            last_name="Y",
            is_delegated_admin=False,
            tax_ids=[cast.other_tax_id],
            by=cast.provider,
        )
    with pytest.raises(user_admin.ValidationError):
        user_admin.provider_user_create(
            email="x@valley.example",
            first_name="X",
            last_name="Y",
            is_delegated_admin=False,
            tax_ids=cast.tax_ids[:1],
            by=cast.provideruser,
        )
    assert not User.objects.filter(email="x@valley.example").exists()


# Who may use the pages.


@pytest.mark.parametrize("role", ["provideruser", "provider2"])
def test_end_users_get_403_saying_who_manages_users(cast, client, role):
    logged_in(client, getattr(cast, role))

    for path in (USER_LIST, USER_CREATE, detail(cast.provideruser)):
        response = client.get(path)
        assert response.status_code == 403
        assert "Only delegated administrators manage users" in response.text
    response = client.post(reverse("providers:user-disable", args=[cast.provideruser.pk]))
    assert response.status_code == 403
    cast.provideruser.refresh_from_db()
    assert cast.provideruser.is_active


@pytest.mark.parametrize("role", ["broker", "employer", "ops"])
def test_other_audiences_get_404(cast, client, role):
    logged_in(client, getattr(cast, role))

    assert client.get(USER_LIST).status_code == 404
    assert client.get(detail(cast.provideruser)).status_code == 404


def test_own_organizations_user_200_another_organizations_user_404(cast, client):
    logged_in(client, cast.provider)
    other_admin = f.UserFactory(email="admin@lakeside.example", role=Role.PROVIDER_USER)
    provider_user_add(
        organization=cast.other_tax_id.organization, user=other_admin, is_delegated_admin=True
    )

    assert client.get(detail(cast.provideruser)).status_code == 200
    # The same organisation's user on the sibling Tax ID: every administrator administers all.
    sibling = end_user(cast, "sibling@valley.example", tax_ids=cast.tax_ids[1:])
    assert client.get(detail(sibling.user)).status_code == 200
    assert client.get(detail(cast.provider2)).status_code == 404
    assert client.get(detail(other_admin)).status_code == 404
    assert client.get(detail(cast.broker)).status_code == 404
    for name in ("user-disable", "user-enable", "user-sign-in-resend", "user-password-reset"):
        response = client.post(reverse(f"providers:{name}", args=[cast.provider2.pk]))
        assert response.status_code == 404
    cast.provider2.refresh_from_db()
    assert cast.provider2.is_active


def test_another_organizations_administrator_gets_404_for_our_users(cast, client):
    other_admin = f.UserFactory(email="admin@lakeside.example", role=Role.PROVIDER_USER)
    provider_user_add(
        organization=cast.other_tax_id.organization, user=other_admin, is_delegated_admin=True
    )
    logged_in(client, other_admin)

    assert client.get(USER_LIST).status_code == 200
    assert "provideruser@demo.test" not in client.get(USER_LIST).text
    assert client.get(detail(cast.provideruser)).status_code == 404
    response = client.post(
        detail(cast.provideruser), {"tax_ids": [cast.tax_ids[1].pk], "functions": []}
    )
    assert response.status_code == 404


# Manage Users: edit access, disable, enable, resend.


def test_changed_access_applies_on_the_users_next_request(cast, client):
    logged_in(client, cast.provider)
    assert not selectors.tax_ids_for(cast.provideruser, "inquire_claims")

    response = client.post(
        detail(cast.provideruser),
        {"tax_ids": [cast.tax_ids[1].pk], "functions": ["inquire_claims", "check_authorizations"]},
    )

    assert response.status_code == 302
    user = User.objects.get(pk=cast.provideruser.pk)
    assert user.has_perm("providers.inquire_claims", cast.tax_ids[1])
    assert not user.has_perm("providers.check_eligibility", cast.tax_ids[0])
    # The user's next request sees it.
    client.force_login(cast.provideruser)
    assert client.get(reverse("providers:claim-list")).status_code == 200
    assert Activity.objects.filter(recipient=cast.provider, link=detail(user)).exists()


def test_a_bad_access_change_changes_nothing(cast, client):
    logged_in(client, cast.provider)

    response = client.post(detail(cast.provideruser), {"tax_ids": [], "functions": []})

    assert response.status_code == 200
    assert "Choose at least one Tax ID." in response.text
    assert cast.provideruser.has_perm("providers.check_eligibility", cast.tax_ids[0])


def test_an_administrator_cannot_change_themselves(cast, client):
    logged_in(client, cast.provider)

    assert client.get(detail(cast.provider)).status_code == 200
    assert client.post(detail(cast.provider), {"tax_ids": [cast.tax_ids[0].pk]}).status_code == 403
    response = client.post(reverse("providers:user-disable", args=[cast.provider.pk]), follow=True)
    assert "You can&#x27;t change your own user here." in response.text
    cast.provider.refresh_from_db()
    assert cast.provider.is_active


def test_disabling_signs_the_user_out_and_enabling_lets_them_back(cast, client):
    other = client_class_login(cast.provideruser)
    assert other.get(reverse("providers:home")).status_code == 200
    logged_in(client, cast.provider)

    response = client.post(reverse("providers:user-disable", args=[cast.provideruser.pk]))

    assert response.status_code == 302
    cast.provideruser.refresh_from_db()
    assert not cast.provideruser.is_active
    assert other.get(reverse("providers:home")).status_code == 302
    assert not [
        s
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(cast.provideruser.pk)
    ]
    client.post(reverse("providers:user-enable", args=[cast.provideruser.pk]))
    cast.provideruser.refresh_from_db()
    assert cast.provideruser.is_active


def client_class_login(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


def test_the_temporary_password_never_travels_through_the_task_queue(
    cast, client, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """The queue (Redis in production) keeps task arguments: the worker makes the password
    and sends its email itself, so no queued task ever holds it."""
    queued = []
    apply_async = Task.apply_async

    def recording(task, args=None, kwargs=None, **options):
        queued.append(repr((task.name, args, kwargs)))
        return apply_async(task, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", recording)
    logged_in(client, cast.provider)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(USER_CREATE, create_data(cast, email="new.clerk@valley.example"))

    password = PASSWORD_LINE.search(mailoutbox[1].body).group(1)
    assert User.objects.get(email="new.clerk@valley.example").check_password(password)
    assert any("temporary_password_send" in task for task in queued)
    assert not any(password in task for task in queued)


def test_resend_gives_a_new_temporary_password_only_while_the_first_sign_in_is_owed(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        profile = user_admin.provider_user_create(
            email="new@valley.example",
            first_name="Nia",
            last_name="Okafor",
            is_delegated_admin=False,
            tax_ids=cast.tax_ids[:1],
            by=cast.provider,
        )
    first = PASSWORD_LINE.search(mailoutbox[1].body).group(1)
    logged_in(client, cast.provider)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("providers:user-sign-in-resend", args=[profile.user_id]))

    assert len(mailoutbox) == 4
    second = PASSWORD_LINE.search(mailoutbox[3].body).group(1)
    profile.user.refresh_from_db()
    assert not profile.user.check_password(first)
    assert profile.user.check_password(second)
    # Someone who has finished their first sign-in gets a password reset instead.
    response = client.post(
        reverse("providers:user-sign-in-resend", args=[cast.provideruser.pk]), follow=True
    )
    assert "send a password reset email instead" in response.text
    assert len(mailoutbox) == 4


def test_password_reset_email_for_an_active_user(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    logged_in(client, cast.provider)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("providers:user-password-reset", args=[cast.provideruser.pk]), follow=True
        )

    assert "was sent a password reset email" in response.text
    [mail] = mailoutbox
    assert mail.to == ["provideruser@demo.test"]


# Manage Users: the list.


def test_the_list_searches_filters_and_sorts(cast, client):
    end_user(cast, "ana@valley.example", first_name="Ana", last_name="Zamora")
    end_user(
        cast, "zed@valley.example", tax_ids=cast.tax_ids[1:], first_name="Zed", last_name="Abel"
    )
    logged_in(client, cast.provider)

    def emails(**params):
        response = client.get(USER_LIST, params)
        assert response.status_code == 200
        return [profile.user.email for profile in response.context["page"].object_list]

    assert emails() == [
        "ana@valley.example",
        "provider@demo.test",
        "provideruser@demo.test",
        "zed@valley.example",
    ]
    assert emails(q="zamora") == ["ana@valley.example"]
    assert emails(q="ZED") == ["zed@valley.example"]
    assert emails(tax_id=cast.tax_ids[1].pk) == ["zed@valley.example"]
    assert emails(kind="admin") == ["provider@demo.test"]
    assert emails(sort="last_name")[0] == "zed@valley.example"
    assert emails(sort="-email")[0] == "zed@valley.example"
    assert emails(sort="nonsense")[0] == "ana@valley.example"
    assert "provider2@demo.test" not in emails()
    # A tax ID of another organisation is not a choice: the filter is ignored, not an error.
    assert len(emails(tax_id=cast.other_tax_id.pk)) == 4
    cast.provideruser.is_active = False
    cast.provideruser.save(update_fields=["is_active"])
    assert emails(status=UserStatus.DISABLED) == ["provideruser@demo.test"]
    response = client.get(USER_LIST, {"q": "nobody"})
    assert "No users match your search." in response.text
    assert "View All Provider Accounts" in response.text


def test_a_new_user_is_listed_as_awaiting_first_sign_in(cast, client):
    user_admin.provider_user_create(
        email="new@valley.example",
        first_name="Nia",
        last_name="Okafor",
        is_delegated_admin=False,
        tax_ids=cast.tax_ids[:1],
        by=cast.provider,
    )
    logged_in(client, cast.provider)

    response = client.get(USER_LIST, {"status": UserStatus.PENDING})

    assert [p.user.email for p in response.context["page"].object_list] == ["new@valley.example"]
    assert "Awaiting first sign-in" in response.text


def test_the_list_page_takes_the_same_queries_however_many_users(
    cast, client, django_assert_max_num_queries
):
    logged_in(client, cast.provider)
    with CaptureQueriesContext(connection) as few:
        client.get(USER_LIST)
    for n in range(20):
        end_user(cast, f"u{n:02}@valley.example", tax_ids=cast.tax_ids[: 1 + n % 2])

    # Session, user, the administrator's profile, the filter's Tax IDs, the count, the page,
    # the page's Tax IDs, and the session save (savepoint, update, release).
    with django_assert_max_num_queries(10):
        response = client.get(USER_LIST)

    assert len(response.context["page"].object_list) == 22
    with CaptureQueriesContext(connection) as many:
        client.get(USER_LIST)
    assert len(many) == len(few)


def test_htmx_search_gets_just_the_results(cast, client):
    response = logged_in(client, cast.provider).get(
        USER_LIST, {"q": "provideruser"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="user-results"
    )

    assert response.status_code == 200
    assert "<h1>" not in response.text
    assert "provideruser@demo.test" in response.text


# Update Profile Email.


def test_an_administrator_updates_their_own_email(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    logged_in(client, cast.provider)
    path = reverse("providers:profile-email-update")
    assert client.get(path).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            path,
            {
                "email": "quinn@valley.example",
                "email_again": "quinn@valley.example",
                "password": f.PASSWORD,
            },
        )

    assert response.status_code == 302
    cast.provider.refresh_from_db()
    assert cast.provider.email == "quinn@valley.example"
    [mail] = mailoutbox
    assert mail.to == ["provider@demo.test"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "wrong"}, "That is not your current password."),
        ({"email_again": "other@valley.example"}, "The two email addresses are not the same."),
        (
            {"email": "provideruser@demo.test", "email_again": "provideruser@demo.test"},
            "A portal user with this email address already exists.",
        ),
    ],
)
def test_a_bad_email_update_changes_nothing(cast, client, mailoutbox, fields, message):
    logged_in(client, cast.provider)
    data = {"email": "quinn@valley.example", "email_again": "quinn@valley.example"}
    data["password"] = f.PASSWORD
    data.update(fields)

    response = client.post(reverse("providers:profile-email-update"), data)

    assert response.status_code == 200
    assert message in response.text
    cast.provider.refresh_from_db()
    assert cast.provider.email == "provider@demo.test"
    assert mailoutbox == []


def test_end_users_cannot_update_their_email_here(cast, client):
    logged_in(client, cast.provideruser)

    assert client.get(reverse("providers:profile-email-update")).status_code == 403


# A delegated administrator sees no patient data.


def test_an_administrator_is_told_to_create_an_end_user_account_for_themselves(cast, client):
    logged_in(client, cast.provider)

    response = client.get(reverse("providers:patient-info"))

    assert response.status_code == 403
    assert "see no patient information" in response.text
    assert USER_CREATE in response.text


def test_account_page_offers_user_management_to_administrators_only(cast, client):
    account = reverse("providers:account")
    assert USER_CREATE in logged_in(client, cast.provider).get(account).text
    assert "Recent Activity" in client.get(account).text
    assert USER_CREATE not in logged_in(client, cast.provideruser).get(account).text


# Individual providers scope claims and authorizations.


def test_a_user_restricted_to_providers_sees_only_their_claims_and_authorizations(cast, client):
    organization = cast.tax_ids[0].organization
    mine = f.PractitionerFactory(organization=organization)
    theirs = f.PractitionerFactory(organization=organization)
    for practitioner in (mine, theirs):
        practitioner.tax_ids.add(cast.tax_ids[0])
    member = cast.members[cast.employer_groups[0].number]
    my_claim = f.ClaimFactory(member=member, tax_id=cast.tax_ids[0], practitioner=mine)
    their_claim = f.ClaimFactory(member=member, tax_id=cast.tax_ids[0], practitioner=theirs)
    my_auth = f.AuthorizationFactory(member=member, tax_id=cast.tax_ids[0], practitioner=mine)
    their_auth = f.AuthorizationFactory(member=member, tax_id=cast.tax_ids[0], practitioner=theirs)
    user_admin.provider_user_access_change(
        profile=cast.provideruser.provider_user,
        tax_ids=cast.tax_ids[:1],
        practitioners=[mine],
        functions=["inquire_claims", "check_authorizations"],
        by=cast.provider,
    )
    logged_in(client, cast.provideruser)

    assert client.get(reverse("providers:claim-detail", args=[my_claim.pk])).status_code == 200
    assert client.get(reverse("providers:claim-detail", args=[their_claim.pk])).status_code == 404
    detail_of = "providers:authorization-detail"
    assert client.get(reverse(detail_of, args=[my_auth.pk])).status_code == 200
    assert client.get(reverse(detail_of, args=[their_auth.pk])).status_code == 404
    user = User.objects.get(pk=cast.provideruser.pk)
    claims = selectors.claims_for(user, tax_id=cast.tax_ids[0])
    assert [claim.pk for claim in claims] == [my_claim.pk]
    # Without providers chosen, the Tax ID's claims are all theirs.
    user_admin.provider_user_access_change(
        profile=cast.provideruser.provider_user,
        tax_ids=cast.tax_ids[:1],
        practitioners=[],
        functions=["inquire_claims"],
        by=cast.provider,
    )
    user = User.objects.get(pk=cast.provideruser.pk)
    assert {c.pk for c in selectors.claims_for(user, tax_id=cast.tax_ids[0])} == {
        my_claim.pk,
        their_claim.pk,
    }
