"""The provider portal's two stories end to end, each in one browser test across its parts:
registration, provider relations' queue in the admin, delegated administration, the first
sign-in and Patient Info and Transactions. axe-core on every page the stories pass through.

1. A solo practitioner the participating-provider records know registers, finishes from the
   emailed link and checks a member's eligibility.
2. A medical group with two Tax IDs registers and waits with a transaction ID; provider relations
   approve it; its delegated administrator finishes from the emailed link and creates an end user
   with eligibility on one Tax ID only; that user finishes their first sign-in and checks
   eligibility, but gets 403 for claims. Given Claims Inquiry on their Tax ID, they see its claims
   and get 404 for a claim of the other Tax ID, as for one that does not exist.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.core import mail
from playwright.sync_api import expect

from portal.accounts.models import Role
from tests import factories as f
from tests.e2e.conftest import _note_csp_violation
from tests.e2e.helpers import (
    assert_accessible,
    complete_registration,
    log_in,
    log_in_with_code,
    totp_code,
)
from tests.e2e.test_audience_portals import ADMIN_ONLY_DISABLED_RULES
from tests.e2e.test_provider_registration import LINK, fill_details, start

pytestmark = pytest.mark.e2e

TEMPORARY_PASSWORD = re.compile(r"^([A-Za-z0-9]{16})$", re.M)
COVERED_SINCE = datetime.date(2026, 1, 1)


def covered_member(**fields):
    """A subscriber of some employer group, covered on their plan since January."""
    member = f.MemberFactory(**fields)
    f.CoverageFactory(member=member, plan=member.plan, start_date=COVERED_SINCE)
    return member


def check_eligibility(page, axe_source, member):
    """From the portal's navigation to the member's eligibility, searched by member ID."""
    page.get_by_role("link", name="Patient Info").click()
    expect(page.get_by_role("heading", name="Member Eligibility")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("radio", name="Member ID").check()
    page.get_by_role("textbox", name="Member ID").fill(member.member_id)
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table", name="Eligibility of the members found")
    row = results.get_by_role("row").filter(has_text=member.member_id)
    expect(row).to_contain_text("Covered today")
    expect(row).to_contain_text(member.plan.code)
    assert_accessible(page, axe_source)
    row.get_by_role("link", name=f"{member.last_name}, {member.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{member.first_name} {member.last_name}"
    )
    assert_accessible(page, axe_source)


def test_a_solo_practitioner_registers_and_checks_eligibility(
    transactional_db, page, axe_source, settings, live_server
):
    # given: Dr. Morgan Ellis's participating one-physician office, and a member of the carrier
    settings.PORTAL_BASE_URL = live_server.url
    office = f.ProviderOrganizationFactory(name="Ellis Internal Medicine", org_type="physician")
    tax_id = f.TaxIdFactory(organization=office, number="961234500", name=office.name)
    practitioner = f.PractitionerFactory(
        organization=office,
        first_name="Morgan",
        last_name="Ellis",
        npi="9000007788",
        license_state="CA",
        license_number="C778899",
    )
    practitioner.tax_ids.add(tax_id)
    patient = covered_member()

    # when: the public registration, matching the records, ...
    start(page, axe_source, account_type="Physician", user_type="Solo Practitioner")
    fill_details(
        page,
        **{
            "First name": "Morgan",
            "Last name": "Ellis",
            "Email": "morgan.ellis@ellis.example",
            "Phone number": "916-555-0123",
            "Practice name": "Ellis Internal Medicine",
            "Tax ID": "96-1234500",
            "NPI": "9000007788",
            "License state": "CA",
            "License number": "C778899",
        },
    )
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1, name="Check your email")).to_be_visible()
    assert_accessible(page, axe_source)

    # ... finished from the emailed link: password, terms and an authenticator ...
    (link_mail,) = mail.outbox
    page.goto(LINK.search(link_mail.body).group(0))
    expect(page.get_by_role("heading", name="Finish registering")).to_be_visible()
    assert_accessible(page, axe_source)
    secret = complete_registration(page, "ellis-internal-passphrase-2026")
    expect(page.get_by_role("heading", name="Your account is active")).to_be_visible()
    assert_accessible(page, axe_source)
    log_in_with_code(page, "morgan.ellis@ellis.example", "ellis-internal-passphrase-2026", secret)
    assert urlsplit(page.url).path == "/providers/"
    assert_accessible(page, axe_source)

    # then: at once, with no one to approve it, the practitioner checks a member's eligibility
    check_eligibility(page, axe_source, patient)


@pytest.fixture
def lakeview(transactional_db, settings, live_server):
    """Lakeview Medical Group as the contracting records have it: two Tax IDs, a participating
    physician billing under each, and nobody registered for it yet."""
    settings.PORTAL_BASE_URL = live_server.url
    group = f.ProviderOrganizationFactory(name="Lakeview Medical Group", org_type="medical_group")
    tax_ids = [
        f.TaxIdFactory(organization=group, number="977654321", name="Lakeview Medical Group"),
        f.TaxIdFactory(organization=group, number="977654322", name="Lakeview Urgent Care"),
    ]
    for tax_id in tax_ids:
        f.PractitionerFactory(organization=group).tax_ids.add(tax_id)
    return tax_ids


@pytest.fixture
def provider_relations(transactional_db):
    """An ops user in the provider relations role, who works the verification queue."""
    user = f.UserFactory(email="relations@carrier.example", role=Role.OPS, is_staff=True)
    user.groups.add(AuthGroup.objects.get(name="Ops: provider relations"))
    return user


def second_page(browser, base_url, browser_errors):
    """Another person's browser, alongside the test's `page`: its own cookies, the same checks
    for CSP refusals and script errors."""
    context = browser.new_context(base_url=base_url)
    other = context.new_page()
    other.set_default_timeout(10_000)
    other.on("console", lambda message: _note_csp_violation(message, browser_errors))
    other.on("pageerror", lambda error: browser_errors.append(f"uncaught script error: {error}"))
    return other


def test_a_medical_group_registers_and_its_end_user_sees_only_their_tax_ids_claims(
    lakeview, provider_relations, browser, live_server, page, browser_errors, axe_source
):
    own_tax_id, other_tax_id = lakeview
    patient = covered_member()
    own_claim = f.ClaimFactory(member=patient, tax_id=own_tax_id)
    other_claim = f.ClaimFactory(member=patient, tax_id=other_tax_id)
    admin_email, clerk_email = "jamie.park@lakeview.example", "alex.moreno@lakeview.example"

    # The group's administrator registers; the request waits with a transaction ID.
    start(page, axe_source, account_type="Medical Group")
    fill_details(
        page,
        **{
            "First name": "Jamie",
            "Last name": "Park",
            "Email": admin_email,
            "Phone number": "916-555-0177",
            "Organization name": "Lakeview Medical Group",
            "Tax ID": "97-7654321",
        },
    )
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1, name="Request received")).to_be_visible()
    transaction_id = re.search(r"PR-\w{4}-\w{4}", mail.outbox[-1].body).group(0)
    expect(page.get_by_text(transaction_id).first).to_be_visible()
    assert_accessible(page, axe_source)

    # Provider relations approve it in the admin, the Tax ID on file beside the request.
    log_in(page, provider_relations.email)
    page.goto("/admin/providers/registrationrequest/")
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    page.get_by_role("link", name=transaction_id).click()
    expect(page.get_by_role("heading", name="Verification")).to_be_visible()
    expect(page.get_by_text("Lakeview Medical Group").first).to_be_visible()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    page.get_by_role("link", name="Approve").click()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    page.get_by_role("button", name="Approve and email the link").click()
    expect(page.get_by_text(f"{transaction_id} approved")).to_be_visible()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)

    # The delegated administrator finishes from the approval email and signs in.
    page.context.clear_cookies()
    approval = mail.outbox[-1]
    assert approval.to == [admin_email]
    page.goto(LINK.search(approval.body).group(0))
    expect(page.get_by_text(transaction_id)).to_be_visible()
    assert_accessible(page, axe_source)
    secret = complete_registration(page, "lakeview-admin-passphrase-2026")
    expect(page.get_by_role("heading", name="Your account is active")).to_be_visible()
    log_in_with_code(page, admin_email, "lakeview-admin-passphrase-2026", secret)
    assert urlsplit(page.url).path == "/providers/"
    assert_accessible(page, axe_source)

    # An end user with eligibility, and nothing else, on the first Tax ID only.
    page.goto("/providers/account/")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Create New User").click()
    expect(page.get_by_role("heading", level=1, name="Create New User")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Email address (user name)").fill(clerk_email)
    page.get_by_label("First name").fill("Alex")
    page.get_by_label("Last name").fill("Moreno")
    page.get_by_label(f"{own_tax_id.number} {own_tax_id.name}").check()
    page.get_by_role("button", name="Create User").click()
    expect(page.get_by_role("heading", level=1, name="Alex Moreno")).to_be_visible()
    assert_accessible(page, axe_source)

    # The end user, at their own desk, signs in with the emailed temporary password: terms,
    # a password of their own, an authenticator.
    password_mail = next(m for m in mail.outbox if "temporary password" in m.subject)
    assert password_mail.to == [clerk_email]
    temporary = TEMPORARY_PASSWORD.search(password_mail.body).group(1)
    clerk = second_page(browser, live_server.url, browser_errors)
    log_in(clerk, clerk_email, temporary)
    expect(clerk.get_by_text("Step 1 of 3: Terms of Use")).to_be_visible()
    assert_accessible(clerk, axe_source)
    clerk.get_by_label("I agree to these terms").check()
    clerk.get_by_role("button", name="Continue").click()
    expect(clerk.get_by_text("Step 2 of 3: Your password")).to_be_visible()
    assert_accessible(clerk, axe_source)
    clerk.get_by_label("New password", exact=True).fill("lakeview-clerk-passphrase-2026")
    clerk.get_by_label("Confirm new password").fill("lakeview-clerk-passphrase-2026")
    clerk.get_by_role("button", name="Continue").click()
    expect(clerk.get_by_text("Step 3 of 3: Two-step verification")).to_be_visible()
    assert_accessible(clerk, axe_source)
    clerk_secret = "".join(clerk.locator("#totp-secret").inner_text().split())
    clerk.get_by_label("Authenticator code").fill(totp_code(clerk_secret))
    clerk.get_by_role("button", name="Finish").click()
    expect(clerk.get_by_text("Your account is set up.")).to_be_visible()
    assert urlsplit(clerk.url).path == "/providers/"
    assert_accessible(clerk, axe_source)

    # Eligibility, yes; claims, no: Claims Inquiry was not granted, on any Tax ID.
    check_eligibility(clerk, axe_source, patient)
    response = clerk.goto("/providers/transactions/claims/")
    assert response.status == 403
    expect(
        clerk.get_by_role("heading", level=1, name="Claims Inquiry is not set up for you")
    ).to_be_visible()
    expect(clerk.get_by_text("It applies from your next page")).to_be_visible()
    assert_accessible(clerk, axe_source)
    for claim in (own_claim, other_claim):
        response = clerk.goto(f"/providers/transactions/claims/{claim.pk}/")
        assert response.status == 403, claim.tax_id

    # The administrator gives them Claims Inquiry on their Tax ID in Manage Users.
    page.goto("/providers/account/")
    page.get_by_role("link", name="Manage Users").click()
    expect(page.get_by_role("heading", level=1, name="Manage Users")).to_be_visible()
    page.get_by_label("Name or email").fill("moreno")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=clerk_email)
    expect(row).to_contain_text(own_tax_id.number)
    expect(row).not_to_contain_text(other_tax_id.number)
    assert_accessible(page, axe_source)
    row.get_by_role("link", name=f"View / Edit User {clerk_email}").click()
    expect(page.get_by_label(f"{own_tax_id.number} {own_tax_id.name}")).to_be_checked()
    expect(page.get_by_label(f"{other_tax_id.number} {other_tax_id.name}")).not_to_be_checked()
    page.get_by_label("Claims Inquiry").check()
    page.get_by_role("button", name="Update Access").click()
    expect(page.get_by_text("it applies from their next page")).to_be_visible()
    assert_accessible(page, axe_source)

    # From their next page: their Tax ID's claims, and the other Tax ID's claim is not found,
    # the same as a claim that does not exist.
    clerk.goto("/providers/transactions/claims/")
    tax_id_choices = clerk.get_by_label("Tax ID").locator("option")
    expect(tax_id_choices.filter(has_text=own_tax_id.number)).to_have_count(1)
    expect(tax_id_choices.filter(has_text=other_tax_id.number)).to_have_count(0)
    assert_accessible(clerk, axe_source)
    clerk.get_by_role("button", name="Search").click()
    table = clerk.get_by_role("table", name="newest received first")
    expect(table.get_by_role("link", name=own_claim.number)).to_be_visible()
    expect(table).not_to_contain_text(other_claim.number)
    assert_accessible(clerk, axe_source)

    response = clerk.goto(f"/providers/transactions/claims/{other_claim.pk}/")
    assert response.status == 404
    expect(clerk.get_by_role("heading", level=1, name="We couldn't find that page")).to_be_visible()
    assert_accessible(clerk, axe_source)
    response = clerk.goto(f"/providers/transactions/claims/{own_claim.pk}/")
    assert response.status == 200
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(own_claim.number)
    assert_accessible(clerk, axe_source)
    clerk.context.close()
