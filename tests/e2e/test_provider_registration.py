"""Provider offices register in a real browser: a solo practitioner who matches the records gets
their account at once and finishes it from the email; a medical group's request waits for
provider relations, who approve it in the admin; a non-participating physician is told how to
apply. Every page is checked with axe-core."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from providers.models import ProviderOrganization, RegistrationRequest
from tests.e2e.helpers import assert_accessible, complete_registration, log_in, totp_code
from tests.e2e.test_audience_portals import ADMIN_ONLY_DISABLED_RULES
from tests.factories import PractitionerFactory, ProviderOrganizationFactory, TaxIdFactory

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "rowan-family-passphrase-2026"
LINK = re.compile(r"http://\S+/providers/register/complete/\S+/")


@pytest.fixture
def office(transactional_db, settings, live_server):
    """Dr. Casey Rowan's one-physician office, participating, that nobody has registered for."""
    settings.PORTAL_BASE_URL = live_server.url
    org = ProviderOrganizationFactory(name="Rowan Family Medicine", org_type="physician")
    tax_id = TaxIdFactory(organization=org, number="981234567", name=org.name)
    practitioner = PractitionerFactory(
        organization=org,
        first_name="Casey",
        last_name="Rowan",
        npi="9000001234",
        license_state="CA",
        license_number="A123456",
    )
    practitioner.tax_ids.add(tax_id)
    return tax_id


def start(page, axe_source, *, account_type, user_type=None):
    """From the provider sign-in page through the Terms of Use, region, account and user type."""
    page.goto("/providers/sign-in/")
    page.get_by_role("link", name="Register", exact=True).click()
    assert urlsplit(page.url).path == "/providers/register/"
    expect(page.get_by_role("heading", level=1, name="Provider registration")).to_be_visible()

    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the problems")
    expect(page.get_by_text("Select I Agree to these terms to register.")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("I Agree to these terms").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1, name="Choose your region")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Northern California").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1, name="Choose your account type")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label(account_type, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    if user_type:
        expect(page.get_by_role("heading", level=1, name="Choose your user type")).to_be_visible()
        assert_accessible(page, axe_source)
        # Back keeps what was chosen.
        page.get_by_role("link", name="Back").click()
        expect(page.get_by_label(account_type, exact=True)).to_be_checked()
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("radio", name=re.compile(user_type)).check()
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="Your information")).to_be_visible()
    assert_accessible(page, axe_source)


def fill_details(page, **values):
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)


def test_a_matching_solo_practitioner_registers_and_signs_in(office, page, axe_source):
    start(page, axe_source, account_type="Physician", user_type="Solo Practitioner")
    fill_details(
        page,
        **{
            "First name": "Casey",
            "Last name": "Rowan",
            "Email": "casey.rowan@rowan.example",
            "Phone number": "916-555-0142",
            "Practice name": "Rowan Family Medicine",
            "Tax ID": "98-123",
            "NPI": "9000001234",
            "License state": "CA",
            "License number": "A123456",
        },
    )
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Enter the nine digits of your Tax ID.")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Tax ID", exact=True).fill("98-1234567")
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_role("heading", level=1, name="Check your email")).to_be_visible()
    assert_accessible(page, axe_source)
    (link_mail,) = mail.outbox
    assert link_mail.to == ["casey.rowan@rowan.example"]

    page.goto(LINK.search(link_mail.body).group(0))
    expect(page.get_by_role("heading", name="Finish registering")).to_be_visible()
    assert_accessible(page, axe_source)
    secret = complete_registration(page, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Your account is active")).to_be_visible()
    assert_accessible(page, axe_source)

    # The first sign-in, with the authenticator's code, lands in the provider portal.
    log_in(page, "casey.rowan@rowan.example", NEW_PASSWORD)
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/providers/"
    assert RegistrationRequest.objects.get().status == "completed"


def test_a_medical_group_is_approved_by_provider_relations(office, live_cast, page, axe_source):
    start(page, axe_source, account_type="Medical Group")
    fill_details(
        page,
        **{
            "First name": "Jamie",
            "Last name": "Park",
            "Email": "jamie.park@lakeview.example",
            "Phone number": "916-555-0177",
            "Organization name": "Lakeview Medical Group",
            "Tax ID": "97-7654321",
        },
    )
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_role("heading", level=1, name="Request received")).to_be_visible()
    request = RegistrationRequest.objects.get()
    expect(page.get_by_text(request.transaction_id).first).to_be_visible()
    expect(page.get_by_role("button", name="Print this confirmation")).to_be_visible()
    assert_accessible(page, axe_source)
    # Printed: the confirmation without the portal's navigation, footer or the button.
    page.emulate_media(media="print")
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this confirmation")).to_be_hidden()
    expect(page.get_by_text(request.transaction_id).first).to_be_visible()
    page.emulate_media(media="screen")
    (receipt,) = mail.outbox
    assert request.transaction_id in receipt.body

    # Provider relations work the queue.
    log_in(page, "ops@demo.test")
    page.goto("/admin/providers/registrationrequest/")
    expect(page.get_by_role("link", name=request.transaction_id)).to_be_visible()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    page.get_by_role("link", name=request.transaction_id).click()
    expect(page.get_by_role("heading", name="Verification")).to_be_visible()
    expect(page.get_by_text("Not on file").first).to_be_visible()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    page.get_by_role("link", name="Reject").click()
    page.get_by_role("button", name="Reject and email the reason").click()
    expect(page.get_by_text("Say why the request is rejected.")).to_be_visible()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    page.go_back()
    page.go_back()
    page.get_by_role("link", name="Approve").click()
    assert_accessible(page, axe_source, disable_rules=ADMIN_ONLY_DISABLED_RULES)
    page.get_by_role("button", name="Approve and email the link").click()
    expect(page.get_by_text(f"{request.transaction_id} approved")).to_be_visible()
    assert ProviderOrganization.objects.filter(name="Lakeview Medical Group").exists()

    # The delegated administrator finishes from the approval email.
    approval = mail.outbox[-1]
    assert approval.to == ["jamie.park@lakeview.example"]
    assert request.transaction_id in approval.body
    page.context.clear_cookies()
    page.goto(LINK.search(approval.body).group(0))
    expect(page.get_by_text(request.transaction_id)).to_be_visible()
    complete_registration(page, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Your account is active")).to_be_visible()
    assert_accessible(page, axe_source)


def test_a_non_participating_physician_is_told_how_to_apply(office, page, axe_source):
    start(page, axe_source, account_type="Physician", user_type="Solo Practitioner")
    fill_details(
        page,
        **{
            "First name": "Robin",
            "Last name": "Vale",
            "Email": "robin@vale.example",
            "Phone number": "916-555-0190",
            "Practice name": "Vale Pediatrics",
            "Tax ID": "97-1111111",
            "NPI": "9000005555",
            "License state": "CA",
            "License number": "G555555",
        },
    )
    page.get_by_role("button", name="Submit").click()

    expect(
        page.get_by_role("heading", level=1, name="Registration is for participating providers")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Apply to join our provider network")).to_be_visible()
    assert_accessible(page, axe_source)
    assert not RegistrationRequest.objects.exists()

    page.goto("/providers/register/complete/not-a-real-token/")
    expect(page.get_by_role("heading", name="This registration link is not valid")).to_be_visible()
    assert_accessible(page, axe_source)
