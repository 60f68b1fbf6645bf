import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError
from django.urls import reverse

from portal.accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory

HOMES = {
    "ops": "/admin/",
    "broker": "/brokers/",
    "staff": "/brokers/",
    "upline": "/brokers/",
    "broker2": "/brokers/",
    "employer": "/employers/",
    "groupadmin": "/employers/",
    "employer2": "/employers/",
    "provider": "/providers/",
    "provideruser": "/providers/",
    "provider2": "/providers/",
}


def _login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_its_audience_home(role, cast, client):
    response = _login(client, f"{role}@demo.test")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == HOMES[role]
    assert client.get(HOMES[role]).status_code == 200


def test_email_is_case_insensitive_at_login(cast, client):
    response = _login(client, "Broker@DEMO.test")
    assert response.status_code == 302
    assert client.get("/brokers/").status_code == 200


def test_the_same_email_in_another_case_cannot_register_twice(db):
    UserFactory(email="pat@example.com")
    with pytest.raises(IntegrityError):
        User.objects.create_user("PAT@example.com", PASSWORD, role=Role.BROKER)


def test_wrong_password_and_unknown_email_read_the_same(cast, client):
    wrong_password = _login(client, "broker@demo.test", "not-the-password")
    unknown_email = _login(client, "nobody@demo.test", "not-the-password")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert wrong_password.context["form"].errors == unknown_email.context["form"].errors


def test_repeated_failed_logins_are_rate_limited(cast, client):
    for _ in range(5):
        _login(client, "broker@demo.test", "not-the-password")
    response = _login(client, "broker@demo.test", PASSWORD)
    assert "Too many failed sign-in attempts" in str(response.context["form"].errors)
    assert "_auth_user_id" not in client.session


def test_open_sign_up_is_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "walk-in@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 200
    assert b"closed" in response.content.lower()
    assert not User.objects.filter(email="walk-in@example.com").exists()


def test_logout_ends_the_session(cast, client):
    client.force_login(cast.broker)
    client.post(reverse("account_logout"))
    assert client.get("/brokers/")["Location"].startswith("/accounts/login/")


def test_the_admin_uses_the_portal_login(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_users_outside_ops_never_reach_the_admin(cast, client):
    client.force_login(cast.broker)
    assert client.get("/admin/").status_code == 302


def test_ops_staff_are_not_superusers(cast):
    assert cast.ops.is_staff and not cast.ops.is_superuser
    assert cast.ops.has_perm("enrollment.view_member")
    assert not cast.ops.has_perm("audit.change_auditevent")
    assert not cast.ops.has_perm("audit.delete_auditevent")


def test_an_unverified_email_cannot_sign_in_and_gets_a_verification_email(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="new-admin@example.com")
    EmailAddress.objects.filter(user=user).update(verified=False)
    # Email leaves through a Celery task once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = _login(client, "new-admin@example.com")
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert mailoutbox[0].to == ["new-admin@example.com"]
    assert "confirm-email" in mailoutbox[0].body
