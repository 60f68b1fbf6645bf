"""The first sign-in with a temporary password: terms, a new password and an authenticator,
in that order, before any other page of the portal."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from portal.accounts.models import User
from portal.activity.models import Activity
from providers import user_admin

pytestmark = pytest.mark.django_db

FIRST = reverse("providers:first-sign-in")
TERMS = reverse("providers:first-sign-in-terms")
PASSWORD = reverse("providers:first-sign-in-password")
AUTHENTICATOR = reverse("providers:first-sign-in-authenticator")
NEW_PASSWORD = "a-long-new-password-2026"
TEMPORARY = "TempPass23456789"


def code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def new_user(cast, monkeypatch, django_capture_on_commit_callbacks):
    """An end user a delegated administrator just created, with eligibility and claims on the
    first Tax ID, signing in with a temporary password we know (made by the task that runs
    once the creation commits)."""
    monkeypatch.setattr(user_admin, "temporary_password", lambda: TEMPORARY)
    with django_capture_on_commit_callbacks(execute=True):
        profile = user_admin.provider_user_create(
            email="new@valley.example",
            first_name="Nia",
            last_name="Okafor",
            is_delegated_admin=False,
            tax_ids=cast.tax_ids[:1],
            functions=["inquire_claims"],
            by=cast.provider,
        )
    profile.user.refresh_from_db()
    return profile.user


def signed_in(client, email, password):
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.status_code == 302, response.text
    return client


# Every page the user could want, in every portal: none is reachable before the end.
PORTAL_PAGES = [
    reverse("providers:home"),
    reverse("providers:patient-info"),
    reverse("providers:claim-list"),
    reverse("providers:account"),
    reverse("providers:user-list"),
    reverse("brokers:home"),
    reverse("home"),
    reverse("account_change_password"),
    reverse("account_email"),
]


def test_no_page_can_be_reached_before_the_first_sign_in_is_done(client, new_user):
    signed_in(client, "new@valley.example", TEMPORARY)

    for path in PORTAL_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == FIRST, path
    assert client.get(FIRST)["Location"] == TERMS
    # The later steps send the user back to the one they are at.
    assert client.get(PASSWORD)["Location"] == TERMS
    assert client.get(AUTHENTICATOR)["Location"] == TERMS
    # An htmx request is sent to the whole page.
    response = client.get(reverse("providers:home"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == FIRST


def test_terms_then_password_then_authenticator_then_the_portal(client, new_user):
    signed_in(client, "new@valley.example", TEMPORARY)

    assert client.get(TERMS).status_code == 200
    response = client.post(TERMS, {})
    assert "Agree to the terms to continue." in response.text
    assert client.post(TERMS, {"accept_terms": "on"})["Location"] == PASSWORD
    assert client.get(AUTHENTICATOR)["Location"] == PASSWORD
    assert client.get(reverse("providers:home"))["Location"] == FIRST

    response = client.post(PASSWORD, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    response = client.post(PASSWORD, {"new_password1": TEMPORARY, "new_password2": TEMPORARY})
    assert "Choose a password other than the temporary one." in response.text
    response = client.post(PASSWORD, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == AUTHENTICATOR
    assert client.get(reverse("providers:home"))["Location"] == FIRST
    # Not yet in force: the temporary password still is, until the authenticator is enrolled.
    assert User.objects.get(pk=new_user.pk).check_password(TEMPORARY)

    page = client.get(AUTHENTICATOR)
    secret = page.context["totp_secret"]
    response = client.post(AUTHENTICATOR, {"code": "000000"})
    assert "That code is not right." in response.text
    response = client.post(AUTHENTICATOR, {"code": code(secret)})

    assert response["Location"] == reverse("providers:home")
    user = User.objects.get(pk=new_user.pk)
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(TEMPORARY)
    assert user.terms_accepted_at is not None
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert not user.provider_user.must_change_password
    # Still signed in, and every page is theirs now.
    assert client.get(reverse("providers:home")).status_code == 200
    assert client.get(reverse("providers:patient-info")).status_code == 200
    assert client.get(FIRST)["Location"] == reverse("providers:home")
    assert Activity.objects.filter(
        recipient=new_user.provider_user.created_by,
        summary="Nia Okafor signed in for the first time and set up their account.",
    ).exists()


def test_a_first_sign_in_left_half_way_starts_again_with_the_temporary_password(client, new_user):
    signed_in(client, "new@valley.example", TEMPORARY)
    client.post(TERMS, {"accept_terms": "on"})
    client.post(PASSWORD, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.post(reverse("account_logout"))

    signed_in(client, "new@valley.example", TEMPORARY)

    # The terms stay accepted; the password is asked for again.
    assert client.get(FIRST)["Location"] == PASSWORD
    assert client.get(reverse("providers:home"))["Location"] == FIRST


def test_users_who_owe_no_first_sign_in_are_not_stopped(cast, client):
    client.force_login(cast.provideruser)

    assert client.get(reverse("providers:home")).status_code == 200
    # Their first-sign-in pages send them home.
    assert client.get(TERMS)["Location"] == reverse("providers:home")


def test_with_mfa_required_allauth_enrols_first_and_the_password_step_finishes(
    client, new_user, settings
):
    settings.PORTAL_REQUIRE_MFA = True
    signed_in(client, "new@valley.example", TEMPORARY)

    # The portal-wide rule sends them to allauth's authenticator page, which they may reach.
    response = client.get(FIRST)
    assert response["Location"] == reverse("mfa_activate_totp")
    # (allauth may ask for the password again first; that page is reachable too.)
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"].startswith("/accounts/")
    # Once they have an authenticator, the terms and the password finish the first sign-in.
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(new_user, generate_totp_secret())
    client.post(TERMS, {"accept_terms": "on"})
    response = client.post(PASSWORD, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response["Location"] == reverse("providers:home")
    assert User.objects.get(pk=new_user.pk).check_password(NEW_PASSWORD)
    assert client.get(reverse("providers:home")).status_code == 200
