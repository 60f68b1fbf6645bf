"""An employer's primary client administrator registers in a real browser with the key ops
emailed, signs in with their authenticator, adds a group administrator, changes their access and
disables them. Every page is checked with axe-core."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from employers.services import employer_registration_key_issue
from portal.accounts.models import User
from tests.e2e.helpers import assert_accessible, complete_registration, log_in, totp_code
from tests.factories import EmployerFactory, GroupFactory, ParentGroupFactory

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "harbor-view-passphrase-2026"
EMAIL = "morgan.lee@harborview.example"


@pytest.fixture
def keyed_employer(transactional_db, settings, live_server):
    """An employer with two suffixes and no administrator, whose key ops have emailed."""
    settings.PORTAL_BASE_URL = live_server.url
    parent = ParentGroupFactory(
        employer=EmployerFactory(name="Harbor View Bakery", policyholder_id="000004321"),
        number="P55501",
        name="Harbor View Bakery",
    )
    groups = [
        GroupFactory(parent=parent, suffix=suffix, name=name, billing_city=city)
        for suffix, name, city in [("0001", "Bakers", "Oakland"), ("0002", "Drivers", "Fresno")]
    ]
    employer_registration_key_issue(
        employer=parent.employer, email=EMAIL, first_name="Morgan", last_name="Lee", by=None
    )
    (key_mail,) = mail.outbox
    key = re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b", key_mail.body).group(0)
    mail.outbox.clear()
    return groups, key


def test_a_primary_administrator_registers_and_manages_a_group_administrator(
    keyed_employer, page, axe_source
):
    groups, key = keyed_employer

    # The employer's front door: Register now leads to the primary administrator's registration.
    page.goto("/employers/sign-in/")
    page.get_by_role("link", name="Register now").first.click()
    page.get_by_role("link", name="register as primary client administrator").click()
    assert urlsplit(page.url).path == "/employers/register/"
    expect(page.get_by_role("heading", level=1, name="Employer registration")).to_be_visible()
    assert_accessible(page, axe_source)

    # A wrong key says so without saying which field was wrong.
    page.get_by_label("Group number").fill(groups[0].number)
    page.get_by_label("Policyholder ID").fill("4321")
    page.get_by_label("Registration key").fill("ABCD-EFGH-JKLM")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("We could not match")
    assert_accessible(page, axe_source)

    page.get_by_label("Registration key").fill(key.lower())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Finish registering")).to_be_visible()
    assert_accessible(page, axe_source)
    secret = complete_registration(page, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Your account is active")).to_be_visible()
    assert_accessible(page, axe_source)

    # The first sign-in, with the authenticator's code.
    log_in(page, EMAIL, NEW_PASSWORD)
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/employers/"

    # Manage Accounts & Reports, then Update Account Information.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Manage Accounts & Reports"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Manage Accounts & Reports")).to_be_visible()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Update Account Information").click()
    page.get_by_label("Job title").fill("HR Director")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Your account information was updated.")).to_be_visible()
    assert_accessible(page, axe_source)

    # Add New User: a group administrator who views enrollment on the first suffix.
    page.goto("/employers/accounts-reports/")
    page.get_by_role("link", name="Add New User").click()
    assert_accessible(page, axe_source)
    page.get_by_label("Email").fill("sam.ortiz@harborview.example")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Ortiz")
    page.get_by_label("Group administrator").check()
    # Submitted without a group: the form says what is missing and keeps what was typed.
    page.get_by_role("button", name="Add User").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the problems")
    assert_accessible(page, axe_source)
    page.get_by_label(re.compile(r"P55501-0001 Bakers")).check()
    page.get_by_label("Enrollment: view group details and subscribers").check()
    page.get_by_role("button", name="Add User").click()

    expect(page.get_by_role("heading", level=1, name="Sam Ortiz")).to_be_visible()
    expect(page.get_by_text("Pending registration", exact=True)).to_be_visible()
    assert_accessible(page, axe_source)
    (invitation,) = [m for m in mail.outbox if m.to == ["sam.ortiz@harborview.example"]]
    assert "/employers/register/complete/" in invitation.body

    # Change their access: the second suffix too, and paying the bill.
    page.get_by_label(re.compile(r"P55501-0002 Drivers")).check()
    page.get_by_label("Billing: pay the bill").check()
    page.get_by_role("button", name="Update User").click()
    expect(page.get_by_text("Sam Ortiz was updated.")).to_be_visible()
    assert page.get_by_label("Billing: pay the bill").is_checked()
    assert_accessible(page, axe_source)
    sam = User.objects.get(email="sam.ortiz@harborview.example")
    assert sam.has_perm("enrollment.pay_bill", groups[1])

    # View and Edit Users: the list, sorted in place.
    page.goto("/employers/accounts-reports/users/")
    row = page.get_by_role("row").filter(has_text="sam.ortiz@harborview.example")
    expect(row.get_by_role("cell", name="P55501-0001, P55501-0002")).to_be_visible()
    assert_accessible(page, axe_source)
    # The current sort's heading carries an arrow (CSS), so its name only starts with "Email".
    page.locator("thead").get_by_role("link", name="Email").click()
    page.wait_for_url(re.compile(r"sort=-email"))
    expect(page.locator("th[aria-sort=descending]")).to_have_text("Email")

    # Disable them.
    row.get_by_role("link", name=re.compile(r"^View .* Edit User")).click()
    page.get_by_role("button", name="Disable User").click()
    expect(page.get_by_text("Sam Ortiz was disabled and signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Enable User")).to_be_visible()
    assert_accessible(page, axe_source)
    assert not User.objects.get(pk=sam.pk).is_active

    # The key works once: typed in again, it says the employer is registered.
    page.goto("/employers/register/")
    page.get_by_label("Group number").fill(groups[1].number)
    page.get_by_label("Policyholder ID").fill("000004321")
    page.get_by_label("Registration key").fill(key)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your employer is already registered")).to_be_visible()
    assert_accessible(page, axe_source)
