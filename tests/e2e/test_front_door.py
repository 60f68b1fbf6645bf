"""The public front door in a real browser: choosing an account type, each audience's sign-in
page, "Forgot your username?", and the locked account's way back in."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from portal.accounts.services import LOCKOUT_THRESHOLD
from tests.e2e.helpers import assert_accessible
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

WRONG_PASSWORD = "not-the-password-2026"
NEW_PASSWORD = "a-brand-new-pass-phrase"
PUBLIC_PAGES = [
    "/",
    "/brokers/sign-in/",
    "/employers/sign-in/",
    "/providers/sign-in/",
    "/brokers/forgot-username/",
    "/employers/forgot-username/",
    "/terms/",
    "/accounts/login/",
]


def _sign_in(page, email, password=PASSWORD):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _link_in(message, path_start):
    return re.search(rf"http://\S+{re.escape(path_start)}\S*", message.body)[0]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible(path, live_server, page, axe_source):
    page.goto(path)

    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_accessible(page, axe_source)


def test_a_broker_chooses_their_account_type_and_signs_in(live_cast, page):
    page.goto("/")
    page.get_by_role("link", name="I'm a broker").click()

    assert urlsplit(page.url).path == "/brokers/sign-in/"
    expect(page.get_by_role("heading", level=2, name="Features")).to_be_visible()

    _sign_in(page, "broker@demo.test")

    assert urlsplit(page.url).path == "/brokers/"
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_broker_who_forgot_their_username_gets_it_by_email(
    live_cast, live_server, page, axe_source, mailoutbox, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    page.goto("/brokers/sign-in/")
    page.get_by_role("link", name="Forgot your username?").click()

    page.get_by_label("National Producer Number (NPN)").fill(live_cast.broker.broker.npn)
    page.get_by_label("Tax ID").fill("123-45-6789")
    page.get_by_role("button", name="Email my username").click()

    expect(page.get_by_role("heading", level=1, name="Check your email")).to_be_visible()
    assert_accessible(page, axe_source)
    assert [m.to for m in mailoutbox] == [["broker@demo.test"]]

    page.goto(_link_in(mailoutbox[0], "/brokers/sign-in/"))
    _sign_in(page, "broker@demo.test")

    assert urlsplit(page.url).path == "/brokers/"


def test_a_locked_account_is_unlocked_by_a_password_reset(
    live_cast, live_server, page, axe_source, mailoutbox, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    page.goto("/brokers/sign-in/")
    for _ in range(LOCKOUT_THRESHOLD):
        _sign_in(page, "broker@demo.test", WRONG_PASSWORD)
    # allauth's five-minute rate limit on failures passes; the lock does not.
    cache.clear()

    _sign_in(page, "broker@demo.test")

    expect(page.get_by_role("heading", level=1, name="Your account is locked")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Forgot Password / Unlock Account").click()
    page.get_by_label("Email").fill("broker@demo.test")
    page.get_by_role("button", name="Reset My Password").click()
    page.goto(_link_in(mailoutbox[-1], "/accounts/password/reset/key/"))
    page.get_by_label(re.compile(r"^New Password:?$")).fill(NEW_PASSWORD)
    page.get_by_label("New Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change Password").click()
    page.wait_for_load_state()

    page.goto("/brokers/sign-in/")
    _sign_in(page, "broker@demo.test", NEW_PASSWORD)

    assert urlsplit(page.url).path == "/brokers/"


def test_members_are_sent_to_the_member_site(live_server, page, settings):
    page.goto("/")

    link = page.get_by_role("link", name="member site")

    assert link.get_attribute("href") == settings.CARRIER["member_site_url"]
