"""Delegated administration in a real browser: provider@ creates an end user with eligibility
and Claims Inquiry on one Tax ID, finds them in Manage Users and changes their access; the new
user signs in with the temporary password from the email, accepts the terms, sets a password,
enrols an authenticator and reaches Patient Info. axe-core on every page."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from portal.accounts.models import User
from tests.e2e.helpers import assert_accessible, log_in, totp_code

pytestmark = pytest.mark.e2e

EMAIL = "noor.castillo@valley.example"
NEW_PASSWORD = "valley-clinic-passphrase-2026"
TEMPORARY_PASSWORD = re.compile(r"^([A-Za-z0-9]{16})$", re.M)


def test_an_administrator_creates_a_user_who_signs_in_for_the_first_time(
    live_cast, page, axe_source, settings, live_server
):
    settings.PORTAL_BASE_URL = live_server.url
    tax_id = live_cast.tax_ids[1]

    # The administrator sees no patients, and is told how to.
    log_in(page, "provider@demo.test")
    page.goto("/providers/patients/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("is not set up for you")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Create an end-user account for yourself").click()
    expect(page.get_by_role("heading", level=1, name="Create New User")).to_be_visible()
    assert_accessible(page, axe_source)

    # A mistake first: no Tax ID. Nothing is saved, and the page says what to fix.
    page.get_by_label("Email address (user name)").fill(EMAIL)
    page.get_by_label("First name").fill("Noor")
    page.get_by_label("Last name").fill("Castillo")
    page.get_by_role("button", name="Create User").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been saved yet.")
    expect(page.get_by_text("Choose at least one Tax ID.")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_label(f"{tax_id.number} {tax_id.name}").check()
    page.get_by_label("Claims Inquiry").check()
    page.get_by_role("button", name="Create User").click()
    expect(page.get_by_role("heading", level=1, name="Noor Castillo")).to_be_visible()
    expect(page.get_by_text("two separate emails")).to_be_visible()
    assert_accessible(page, axe_source)

    # Manage Users: the new user, searched for, awaiting their first sign-in.
    page.goto("/providers/account/")
    expect(page.get_by_role("heading", name="Recent Activity")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Manage Users").click()
    expect(page.get_by_role("heading", level=1, name="Manage Users")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Name or email").fill("castillo")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=EMAIL)
    expect(row).to_contain_text("Awaiting first sign-in")
    expect(page.get_by_role("status")).to_contain_text("1 user found")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="View All Provider Accounts").click()
    expect(page.get_by_role("status")).to_contain_text("3 users found")
    page.get_by_label("Tax ID").select_option(tax_id.number)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("1 user found")
    row.get_by_role("link", name=f"View / Edit User {EMAIL}").click()
    # Authorization Status too, saved: it applies from the user's next page.
    page.get_by_label("Authorization Status").check()
    page.get_by_role("button", name="Update Access").click()
    expect(page.get_by_text("it applies from their next page")).to_be_visible()
    assert_accessible(page, axe_source)

    # Update Profile Email is there for the administrator themselves.
    page.goto("/providers/account/email/")
    expect(page.get_by_role("heading", level=1, name="Update Profile Email")).to_be_visible()
    assert_accessible(page, axe_source)

    # The user name in one email, the temporary password in another.
    username_mail = next(m for m in mail.outbox if "user name" in m.subject)
    password_mail = next(m for m in mail.outbox if "temporary password" in m.subject)
    assert EMAIL in username_mail.body
    password = TEMPORARY_PASSWORD.search(password_mail.body).group(1)
    assert password not in username_mail.body

    # The new user's first sign-in.
    page.context.clear_cookies()
    log_in(page, EMAIL, password)
    expect(page.get_by_text("Step 1 of 3: Terms of Use")).to_be_visible()
    assert_accessible(page, axe_source)
    page.goto("/providers/patients/")
    expect(page.get_by_text("Step 1 of 3: Terms of Use")).to_be_visible()
    page.get_by_label("I agree to these terms").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Step 2 of 3: Your password")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been saved yet.")
    assert_accessible(page, axe_source)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Step 3 of 3: Two-step verification")).to_be_visible()
    assert_accessible(page, axe_source)
    secret = "".join(page.locator("#totp-secret").inner_text().split())
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_text("Your account is set up.")).to_be_visible()
    assert urlsplit(page.url).path == "/providers/"
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Patient Info").click()
    expect(page.get_by_role("heading", name="Member Eligibility")).to_be_visible()
    assert_accessible(page, axe_source)
    user = User.objects.get(email=EMAIL)
    assert user.check_password(NEW_PASSWORD)
    assert user.has_perm("providers.check_authorizations", tax_id)

    # Signing in again takes the new password and the authenticator's code.
    page.context.clear_cookies()
    log_in(page, EMAIL, NEW_PASSWORD)
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/providers/"


def test_an_end_user_is_told_who_manages_users(live_cast, page, axe_source):
    log_in(page, "provideruser@demo.test")
    page.goto("/providers/account/users/")

    expect(
        page.get_by_role("heading", level=1, name="Only delegated administrators manage users")
    ).to_be_visible()
    assert_accessible(page, axe_source)


def test_an_administrator_disables_and_enables_a_user(live_cast, page, axe_source):
    log_in(page, "provider@demo.test")
    page.goto(f"/providers/account/users/{live_cast.provideruser.pk}/")
    page.get_by_role("button", name="Disable User").click()
    expect(page.get_by_text("was disabled and signed out")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Enable User").click()
    expect(page.get_by_text("was enabled")).to_be_visible()
    assert User.objects.get(pk=live_cast.provideruser.pk).is_active
