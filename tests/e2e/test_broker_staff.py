"""Manage Accounts in a real browser: a broker creates an office staff user, who registers from
the emailed link; the broker restricts them to one tool and disables them mid-session. Then the
broker allows their general agency to view their groups, and stops it. Every page is checked
with axe-core."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.shortcuts import resolve_url
from playwright.sync_api import expect

from brokers import access
from brokers.services import upline_access_revoke
from tests.e2e.helpers import assert_accessible, complete_registration, log_in, totp_code

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "office-staff-passphrase-2026"


@pytest.fixture
def second_page(browser, live_server, browser_errors):
    """Another person's browser: a context of its own, so its own cookies and session."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda error: browser_errors.append(f"uncaught script error: {error}"))
    yield page
    context.close()


def test_a_staff_user_is_created_registers_is_restricted_and_disabled_mid_session(
    live_cast, page, second_page, axe_source, live_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    log_in(page, "broker@demo.test")

    # The broker creates the user.
    page.goto("/brokers/account/staff/")
    expect(page.get_by_role("heading", level=1, name="Manage Accounts")).to_be_visible()
    expect(page.get_by_text("1 item found, displaying all items.")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Create User").click()
    assert_accessible(page, axe_source)
    page.get_by_label("Email").fill("nia.okafor@harbor.example")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_role("button", name="Create User").click()

    expect(page.get_by_role("heading", level=1, name="Nia Okafor")).to_be_visible()
    expect(page.get_by_text("Pending registration")).to_be_visible()
    assert_accessible(page, axe_source)
    detail_url = page.url
    page.goto("/brokers/account/staff/?sort=-created")
    row = page.get_by_role("row").filter(has_text="nia.okafor@harbor.example")
    expect(row.get_by_role("cell", name="Pending registration")).to_be_visible()
    expect(row.get_by_role("button", name=re.compile("Resend Registration Email"))).to_be_visible()
    assert_accessible(page, axe_source)
    # Search and sort swap the results in place (htmx) and keep them in the URL.
    search = page.get_by_role("search", name="Search for users")
    search.get_by_label("Last name").fill("oka")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"last_name=oka"))
    expect(page.get_by_text("1 item found, displaying all items.")).to_be_visible()
    page.get_by_role("link", name="Email", exact=True).click()
    page.wait_for_url(re.compile(r"sort=email"))
    expect(page.locator("#staff-results")).to_have_count(1)
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Email")
    search.get_by_label("Last name").fill("")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"last_name=&.*sort=email"))
    expect(page.get_by_text("2 items found, displaying all items.")).to_be_visible()
    assert_accessible(page, axe_source)

    # The staff user registers from the emailed link, in their own browser.
    (invitation,) = mail.outbox
    assert invitation.to == ["nia.okafor@harbor.example"]
    link = re.search(r"http://\S+/brokers/register/complete/\S+/", invitation.body).group(0)
    second_page.goto(link)
    secret = complete_registration(second_page, NEW_PASSWORD)
    expect(second_page.get_by_role("heading", name="Your account is active")).to_be_visible()

    # The broker restricts them to the Book of Business.
    page.goto(detail_url)
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    tools = page.get_by_role("group", name="Tools this user may use")
    assert tools.get_by_label("Book of Business").is_checked()
    tools.get_by_label("Eligibility & Application Status").uncheck()
    page.get_by_role("button", name="Update User").click()
    expect(page.get_by_text("Nia Okafor was updated.")).to_be_visible()
    assert not page.get_by_label("Eligibility & Application Status").is_checked()
    assert_accessible(page, axe_source)

    # They sign in and see only that tool.
    log_in(second_page, "nia.okafor@harbor.example", NEW_PASSWORD)
    second_page.locator("input[name=code]").fill(totp_code(secret))
    second_page.get_by_role("button", name="Sign In").click()
    second_page.wait_for_load_state()
    assert urlsplit(second_page.url).path == "/brokers/"
    nav = second_page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Book of Business")).to_be_visible()
    expect(nav.get_by_role("link", name="Eligibility, Status & Activity")).to_have_count(0)
    assert second_page.goto("/brokers/eligibility/").status == 403
    assert second_page.goto("/brokers/account/staff/").status == 403
    assert second_page.goto("/brokers/book-of-business/").ok

    # The broker sees that they registered, and disables them while they are signed in.
    page.goto("/brokers/")
    expect(page.get_by_text("Nia Okafor completed registration.")).to_be_visible()
    page.goto(detail_url)
    page.get_by_role("button", name="Disable User").click()
    expect(page.get_by_text("Nia Okafor was disabled and signed out.")).to_be_visible()
    expect(page.get_by_text("Disabled", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Enable User")).to_be_visible()
    assert_accessible(page, axe_source)

    # Their very next page is the sign-in page.
    second_page.goto("/brokers/book-of-business/")
    assert urlsplit(second_page.url).path == resolve_url(django_settings.LOGIN_URL)


def test_the_broker_allows_the_upline_to_view_their_groups_and_stops_it(
    live_cast, page, second_page, axe_source
):
    # In the cast broker@ already allows the upline's view; this story starts from none.
    broker = access.broker_for(live_cast.broker)
    upline_access_revoke(broker=broker, by=live_cast.broker)
    log_in(second_page, "upline@demo.test")
    expect(second_page.get_by_text("0 groups in your book.")).to_be_visible()

    log_in(page, "broker@demo.test")
    page.goto("/brokers/account/staff/")
    page.get_by_role("link", name="Upline access").click()
    expect(page.get_by_text("Summit General Agency cannot see your groups.")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Allow upline view").click()

    expect(page.get_by_text("Your general agency can now view your groups.")).to_be_visible()
    expect(page.get_by_text("without subscriber lists")).to_be_visible()
    assert_accessible(page, axe_source)
    second_page.reload()
    expect(second_page.get_by_text("3 groups in your book.")).to_be_visible()

    page.get_by_role("button", name="Stop upline view").click()

    expect(page.get_by_text("Summit General Agency cannot see your groups.")).to_be_visible()
    assert_accessible(page, axe_source)
    second_page.reload()
    expect(second_page.get_by_text("0 groups in your book.")).to_be_visible()
    page.goto("/brokers/")
    activity = page.get_by_role("region", name="Recent Activity")
    assert activity.get_by_text(
        "Upline view granted to Summit General Agency (group details)."
    ).is_visible()
    # Stopped twice: once to set the story up, once by the broker in the page.
    expect(activity.get_by_text("Upline view stopped for Summit General Agency.")).to_have_count(2)
